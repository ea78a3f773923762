using NewsPush.Data.Entities;

namespace NewsPush.Web.Inbox;

/// <summary>Personal messages and broadcasts live in two tables; the API and pages address them by kind.</summary>
public enum InboxItemKind { Message, Broadcast }

public sealed record InboxItem(
    InboxItemKind Kind, long Id, InboxMessageKind Category, string Title, string Body, string? Link,
    DateTime CreatedAt, bool IsRead, bool IsArchived, long? DigestId);

public sealed record InboxPage(IReadOnlyList<InboxItem> Items, int Page, int PageSize, int Total, int Unread, bool Archived)
{
    public int PageCount => Math.Max(1, (Total + PageSize - 1) / PageSize);
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
