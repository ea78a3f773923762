using NewsPush.Data.Entities;
using NewsPush.Web.Push;

namespace NewsPush.Web.Inbox;

/// <summary>Personal messages and broadcasts live in two tables; the API and pages address them by kind.</summary>
public enum InboxItemKind { Message, Broadcast }

public sealed record InboxItem(
    InboxItemKind Kind, long Id, InboxMessageKind Category, string Title, string Body, string? Link,
    DateTime CreatedAt, bool IsRead, bool IsArchived, long? DigestId);

public sealed record InboxPage(IReadOnlyList<InboxItem> Items, int Page, int PageSize, int Total, int Unread, bool Archived)
{
    /// <summary>The pages a reader can open: paging stops at <see cref="InboxService.MaxDepth"/> items.</summary>
    public int PageCount => Math.Clamp((Total + PageSize - 1) / PageSize, 1, InboxService.MaxPage(PageSize));
}

/// <summary>One item of a digest as shown in the inbox, with its tracked link.</summary>
public sealed record DigestEntryViewModel(int ArticleId, string Title, string Summary, string ColumnName, string Reason, string Url);

public sealed record InboxMessageViewModel(InboxItem Item, IReadOnlyList<DigestEntryViewModel> DigestEntries);

public static class InboxKinds
{
    public static bool TryParse(string? value, out InboxItemKind kind)
    {
        switch (value?.ToLowerInvariant())
        {
            case "message":
                kind = InboxItemKind.Message;
                return true;
            case "broadcast":
                kind = InboxItemKind.Broadcast;
                return true;
            default:
                kind = default;
                return false;
        }
    }

    public static string Slug(this InboxItemKind kind) => kind == InboxItemKind.Message ? "message" : "broadcast";
}

/// <summary>The links an inbox item may carry: a path on this site or an http(s) address; never javascript:, data: and the like.</summary>
public static class InboxLinks
{
    public static bool IsAllowed(string? link) => PushEndpoints.IsLocal(link) || IsWeb(link);

    public static bool IsExternal(string? link) => !PushEndpoints.IsLocal(link) && IsWeb(link);

    private static bool IsWeb(string? link) =>
        link is not null && !PushEndpoints.HasControlCharacter(link)
        && Uri.TryCreate(link, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && uri.Host.Length > 0 && link == link.Trim();
}
