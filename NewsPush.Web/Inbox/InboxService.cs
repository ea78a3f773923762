using NewsPush.Web.Infrastructure.Realtime;
using Microsoft.EntityFrameworkCore;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Web.Push;

namespace NewsPush.Web.Inbox;

/// <summary>
/// A reader's inbox: personal messages plus broadcasts. A broadcast is one row for everyone; a reader's
/// read/archived state of it is a BroadcastReceipt created the first time they touch it.
/// Every method takes the reader's id from the signed-in user, never from the client. A change, once committed,
/// nudges the reader's open pages through <see cref="ReaderNotifier"/>, best effort: a nudge that cannot be sent
/// never fails the change.
/// </summary>
public sealed class InboxService(
    NewsPushDbContext db, BroadcastAudience audience, ReaderNotifier notifier, TrackingService tracking, TimeProvider clock, IEnumerable<IInboxReadListener> readListeners)
{
    public const int MaxPageSize = 100;

    /// <summary>How deep paging reaches: the newest 10,000 items. A page is a merge of two sources, each read up to
    /// page × size rows, so a deeper page would load that much of the inbox; older items stay reachable by archiving.</summary>
    public const int MaxDepth = 10_000;

    /// <summary>The last page a list of <paramref name="pageSize"/> items can ask for.</summary>
    public static int MaxPage(int pageSize) => MaxDepth / pageSize;

    public async Task<int> UnreadCountAsync(string userId, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var personal = await db.InboxMessages.CountAsync(m => m.UserId == userId && m.ReadAt == null && m.ArchivedAt == null, ct);
        var broadcasts = await db.Broadcasts.Where(audience.Reaches(userId)).CountAsync(b => (b.ExpiresAt == null || b.ExpiresAt > now)
            && !db.BroadcastReceipts.Any(r => r.BroadcastId == b.Id && r.UserId == userId && (r.ReadAt != null || r.ArchivedAt != null)), ct);
        return personal + broadcasts;
    }

    /// <summary>The unread counts of many readers in four queries (a channel's badge for a group of deliveries).</summary>
    public async Task<IReadOnlyDictionary<string, int>> UnreadCountsAsync(IReadOnlyCollection<string> userIds, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var ids = userIds.Distinct().ToList();
        var personal = await db.InboxMessages.Where(m => ids.Contains(m.UserId) && m.ReadAt == null && m.ArchivedAt == null)
            .GroupBy(m => m.UserId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        // Everyone's broadcasts count for all alike, less those a reader read or archived; pushes count where they reach.
        var active = await db.Broadcasts.CountAsync(b => b.CampaignId == null && (b.ExpiresAt == null || b.ExpiresAt > now), ct);
        Dictionary<string, int> seen = active == 0 ? [] : await db.BroadcastReceipts
            .Where(r => ids.Contains(r.UserId) && (r.ReadAt != null || r.ArchivedAt != null)
                && db.Broadcasts.Any(b => b.Id == r.BroadcastId && b.CampaignId == null && (b.ExpiresAt == null || b.ExpiresAt > now)))
            .GroupBy(r => r.UserId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        var pushes = await db.Broadcasts.AnyAsync(b => b.CampaignId != null && (b.ExpiresAt == null || b.ExpiresAt > now), ct)
            ? await audience.UnreadPushesAsync(ids, now, ct) : [];
        return ids.ToDictionary(id => id, id => personal.GetValueOrDefault(id) + active - seen.GetValueOrDefault(id) + pushes.GetValueOrDefault(id));
    }

    public async Task<InboxPage> ListAsync(string userId, int page, int pageSize, bool archived, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, MaxPageSize);
        ArgumentOutOfRangeException.ThrowIfLessThan(page, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(page, MaxPage(pageSize));
        var now = clock.GetUtcNow().UtcDateTime;
        var messages = db.InboxMessages.AsNoTracking()
            .Where(m => m.UserId == userId && (archived ? m.ArchivedAt != null : m.ArchivedAt == null));
        var broadcasts = db.Broadcasts.AsNoTracking()
            .Where(b => b.ExpiresAt == null || b.ExpiresAt > now).Where(audience.Reaches(userId))
            .Select(b => new { b, r = db.BroadcastReceipts.FirstOrDefault(r => r.BroadcastId == b.Id && r.UserId == userId) })
            .Where(x => archived ? x.r != null && x.r.ArchivedAt != null : x.r == null || x.r.ArchivedAt == null);
        var total = await messages.CountAsync(ct) + await broadcasts.CountAsync(ct);
        if ((page - 1) * pageSize >= total)
        {
            return new InboxPage([], page, pageSize, total, await UnreadCountAsync(userId, ct), archived);
        }
        var take = page * pageSize;
        // Two sorted sources merged: each contributes at most page × size rows (≤ MaxDepth) to the page.
        var fromMessages = await messages.OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id).Take(take)
            .Select(m => new InboxItem(InboxItemKind.Message, m.Id, m.Kind, m.Title, m.Body, m.Link, m.CreatedAt, m.ReadAt != null, m.ArchivedAt != null, m.DigestId))
            .ToListAsync(ct);
        var fromBroadcasts = await broadcasts.OrderByDescending(x => x.b.CreatedAt).ThenByDescending(x => x.b.Id).Take(take)
            .Select(x => new InboxItem(InboxItemKind.Broadcast, x.b.Id, x.b.CampaignId == null ? InboxMessageKind.System : InboxMessageKind.Breaking, x.b.Title, x.b.Body, x.b.Link, x.b.CreatedAt,
                x.r != null && x.r.ReadAt != null, x.r != null && x.r.ArchivedAt != null, null))
            .ToListAsync(ct);
        var items = fromMessages.Concat(fromBroadcasts).OrderByDescending(i => i.CreatedAt).ThenByDescending(i => i.Id)
            .Skip((page - 1) * pageSize).Take(pageSize).ToList();
        return new InboxPage(items, page, pageSize, total, await UnreadCountAsync(userId, ct), archived);
    }

    /// <summary>The item and, for a digest, its stories; opening it marks it read (and the digest opened).</summary>
    public async Task<InboxMessageViewModel?> OpenAsync(string userId, InboxItemKind kind, long id, CancellationToken ct)
    {
        if (!await MarkReadAsync(userId, kind, id, ct))
        {
            return null;
        }
        var now = clock.GetUtcNow().UtcDateTime;
        InboxItem? item = kind == InboxItemKind.Message
            ? await db.InboxMessages.AsNoTracking().Where(m => m.Id == id && m.UserId == userId)
                .Select(m => new InboxItem(InboxItemKind.Message, m.Id, m.Kind, m.Title, m.Body, m.Link, m.CreatedAt, m.ReadAt != null, m.ArchivedAt != null, m.DigestId))
                .FirstOrDefaultAsync(ct)
            : await db.Broadcasts.AsNoTracking().Where(b => b.Id == id && (b.ExpiresAt == null || b.ExpiresAt > now)).Where(audience.Reaches(userId))
                .Select(b => new InboxItem(InboxItemKind.Broadcast, b.Id, b.CampaignId == null ? InboxMessageKind.System : InboxMessageKind.Breaking, b.Title, b.Body, b.Link, b.CreatedAt, true,
                    db.BroadcastReceipts.Any(r => r.BroadcastId == b.Id && r.UserId == userId && r.ArchivedAt != null), null))
                .FirstOrDefaultAsync(ct);
        if (item is null)
        {
            return null;
        }
        if (item.Kind == InboxItemKind.Broadcast && item.Category == InboxMessageKind.Breaking)
        {
            await RecordPushEventAsync(userId, id, DeliveryEventType.Opened, ct);
        }
        IReadOnlyList<DigestEntryViewModel> entries = [];
        if (item.DigestId is { } digestId)
        {
            var token = await db.Deliveries.AsNoTracking()
                .Where(d => d.ContentKind == DeliveryContentKind.Digest && d.ContentId == digestId && d.Channel == DeliveryChannel.Inbox && d.UserId == userId)
                .Select(d => d.TrackingToken).FirstOrDefaultAsync(ct);
            if (token is not null)
            {
                await tracking.RecordOpenAsync(token, ct);
            }
            entries = await db.DigestItems.AsNoTracking().Where(i => i.DigestId == digestId).OrderBy(i => i.Position)
                .Select(i => new DigestEntryViewModel(i.ArticleId, i.Article!.Title, i.Article.Summary, i.Article.Column!.Name, i.Reason,
                    token == null ? Slugs.ArticlePath(i.Article.Slug) : "/t/c/" + token + "?a=" + i.ArticleId + "&u=" + Uri.EscapeDataString(Slugs.ArticlePath(i.Article.Slug))))
                .ToListAsync(ct);
        }
        return new InboxMessageViewModel(item, entries);
    }

    /// <summary>
    /// The reader follows a broadcast's link from the inbox: it is marked read and, for a breaking push's inbox part,
    /// counted as opened and clicked. The link, or null when the broadcast is not the reader's or has no allowed link.
    /// </summary>
    public async Task<string?> FollowLinkAsync(string userId, long broadcastId, CancellationToken ct)
    {
        if (!await MarkReadAsync(userId, InboxItemKind.Broadcast, broadcastId, ct))
        {
            return null;
        }
        var b = await db.Broadcasts.AsNoTracking().Where(x => x.Id == broadcastId)
            .Select(x => new { x.Link, Push = x.CampaignId == null ? null : new PushOf(x.CampaignId.Value, db.PushCampaigns.Where(c => c.Id == x.CampaignId).Select(c => c.ArticleId).FirstOrDefault()) })
            .FirstAsync(ct);
        if (b.Link is not { } link || !InboxLinks.IsAllowed(link))
        {
            return null;
        }
        if (b.Push is { } push)
        {
            await RecordPushEventAsync(userId, broadcastId, push, DeliveryEventType.Clicked, ct);
        }
        return link;
    }

    /// <summary>
    /// A breaking push's inbox part has no delivery rows (one broadcast for all, ADR-012), so its opens and clicks are
    /// events of the push on the inbox channel without a delivery id; the reader's receipt (which exists: the item was
    /// marked read first) says whether each is the reader's first. A click is also an open when nothing opened it before.
    /// </summary>
    private async Task RecordPushEventAsync(string userId, long broadcastId, DeliveryEventType type, CancellationToken ct)
    {
        if (await db.Broadcasts.AsNoTracking().Where(b => b.Id == broadcastId && b.CampaignId != null)
            .Select(b => new PushOf(b.CampaignId!.Value, db.PushCampaigns.Where(c => c.Id == b.CampaignId).Select(c => c.ArticleId).FirstOrDefault()))
            .FirstOrDefaultAsync(ct) is { } push)
        {
            await RecordPushEventAsync(userId, broadcastId, push, type, ct);
        }
    }

    /// <summary>The push a broadcast is the inbox part of, and its story.</summary>
    private sealed record PushOf(long CampaignId, int ArticleId);

    private async Task RecordPushEventAsync(string userId, long broadcastId, PushOf push, DeliveryEventType type, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var receipt = db.BroadcastReceipts.Where(r => r.BroadcastId == broadcastId && r.UserId == userId);
        var firstOpen = await receipt.Where(r => r.OpenedAt == null).ExecuteUpdateAsync(s => s.SetProperty(r => r.OpenedAt, now), ct) > 0;
        var events = new List<DeliveryEvent>(2);
        DeliveryEvent Event(DeliveryEventType t, bool first, int articleId = 0) => new()
        {
            Channel = DeliveryChannel.Inbox, ContentKind = DeliveryContentKind.Breaking, ContentId = push.CampaignId,
            Type = t, IsFirst = first, ArticleId = articleId, OccurredAt = now,
        };
        if (type == DeliveryEventType.Opened || firstOpen)
        {
            events.Add(Event(DeliveryEventType.Opened, firstOpen));
        }
        if (type == DeliveryEventType.Clicked)
        {
            var firstClick = await receipt.Where(r => r.ClickedAt == null).ExecuteUpdateAsync(s => s.SetProperty(r => r.ClickedAt, now), ct) > 0;
            events.Add(Event(DeliveryEventType.Clicked, firstClick, push.ArticleId));
        }
        await db.AppendAsync(events, ct);
    }

    public async Task<bool> MarkReadAsync(string userId, InboxItemKind kind, long id, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        bool found;
        if (kind == InboxItemKind.Message)
        {
            var changed = await db.InboxMessages.Where(m => m.Id == id && m.UserId == userId && m.ReadAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.ReadAt, now), ct);
            found = changed > 0 || await db.InboxMessages.AnyAsync(m => m.Id == id && m.UserId == userId, ct);
            if (changed > 0)
            {
                notifier.InboxChanged(userId);
                await ReadAsync(userId, ct);
            }
            return found;
        }
        return await UpdateReceiptAsync(userId, id, r => r.ReadAt ??= now, ct);
    }

    public async Task<bool> ArchiveAsync(string userId, InboxItemKind kind, long id, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (kind == InboxItemKind.Message)
        {
            var changed = await db.InboxMessages.Where(m => m.Id == id && m.UserId == userId)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.ArchivedAt, m => m.ArchivedAt ?? now), ct);
            if (changed > 0)
            {
                notifier.InboxChanged(userId);
                await ReadAsync(userId, ct);
            }
            return changed > 0;
        }
        return await UpdateReceiptAsync(userId, id, r => r.ArchivedAt ??= now, ct);
    }

    /// <summary>Marks every personal message and every live broadcast read; returns how many changed.</summary>
    public async Task<int> MarkAllReadAsync(string userId, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var changed = await db.InboxMessages.Where(m => m.UserId == userId && m.ReadAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.ReadAt, now), ct);
        changed += await db.BroadcastReceipts.Where(r => r.UserId == userId && r.ReadAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.ReadAt, now), ct);
        var withoutReceipt = await db.Broadcasts.Where(audience.Reaches(userId)).Where(b => (b.ExpiresAt == null || b.ExpiresAt > now)
                && !db.BroadcastReceipts.Any(r => r.BroadcastId == b.Id && r.UserId == userId))
            .Select(b => b.Id).ToListAsync(ct);
        if (withoutReceipt.Count > 0)
        {
            db.BroadcastReceipts.AddRange(withoutReceipt.Select(id => new BroadcastReceipt { BroadcastId = id, UserId = userId, ReadAt = now }));
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                // A second tab did the same at the same moment; its receipts say the same thing.
            }
            db.ChangeTracker.Clear();
            changed += withoutReceipt.Count;
        }
        notifier.InboxChanged(userId);
        await ReadAsync(userId, ct);
        return changed;
    }

    /// <summary>Posts a personal message and nudges the reader's open pages.</summary>
    public async Task<InboxMessage> SendPersonalAsync(string userId, string title, string body, string? link, InboxMessageKind kind, CancellationToken ct)
    {
        var message = new InboxMessage { UserId = userId, Kind = kind, Title = title, Body = body, Link = link, CreatedAt = clock.GetUtcNow().UtcDateTime };
        db.InboxMessages.Add(message);
        await db.SaveChangesAsync(ct);
        notifier.InboxChanged(userId);
        return message;
    }

    /// <summary>One row read by everyone; every connected reader's badge goes up.</summary>
    public Task<Broadcast> BroadcastAsync(string title, string body, string? link, DateTime? expiresAt, CancellationToken ct) =>
        BroadcastAsync(title, body, link, expiresAt, saveWith: null, ct);

    /// <summary>
    /// As above; <paramref name="saveWith"/> gets the stored broadcast (with its id) and adds what must be saved in
    /// the same transaction, such as its audit entry: the broadcast is never stored without it. The nudge goes out
    /// after the commit.
    /// </summary>
    public async Task<Broadcast> BroadcastAsync(string title, string body, string? link, DateTime? expiresAt, Action<Broadcast>? saveWith, CancellationToken ct)
    {
        Broadcast broadcast = null!;
        var attempt = 0;
        await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            if (attempt++ > 0)
            {
                // A retry (SQL Server): what the rolled-back attempt tracked is not in the database.
                db.ChangeTracker.Clear();
            }
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            broadcast = new Broadcast { Title = title, Body = body, Link = link, ExpiresAt = expiresAt, CreatedAt = clock.GetUtcNow().UtcDateTime };
            db.Broadcasts.Add(broadcast);
            await db.SaveChangesAsync(ct);
            if (saveWith is not null)
            {
                saveWith(broadcast);
                await db.SaveChangesAsync(ct);
            }
            await tx.CommitAsync(ct);
        });
        notifier.InboxChangedForEveryone();
        return broadcast;
    }

    private async Task<bool> UpdateReceiptAsync(string userId, long broadcastId, Action<BroadcastReceipt> change, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (!await db.Broadcasts.Where(audience.Reaches(userId)).AnyAsync(b => b.Id == broadcastId && (b.ExpiresAt == null || b.ExpiresAt > now), ct))
        {
            return false;
        }
        for (var attempt = 0; ; attempt++)
        {
            var receipt = await db.BroadcastReceipts.FirstOrDefaultAsync(r => r.BroadcastId == broadcastId && r.UserId == userId, ct);
            if (receipt is null)
            {
                receipt = new BroadcastReceipt { BroadcastId = broadcastId, UserId = userId };
                db.BroadcastReceipts.Add(receipt);
            }
            change(receipt);
            try
            {
                await db.SaveChangesAsync(ct);
                break;
            }
            catch (DbUpdateException) when (attempt == 0)
            {
                // Created by a concurrent request: read it back and apply the change to it.
                db.ChangeTracker.Clear();
            }
        }
        db.ChangeTracker.Clear();
        notifier.InboxChanged(userId);
        await ReadAsync(userId, ct);
        return true;
    }

    /// <summary>
    /// The reader read or archived something: whoever shows an unread count elsewhere (app badges) hears of it, and
    /// counts the unread items only if it needs the number.
    /// </summary>
    private async Task ReadAsync(string userId, CancellationToken ct)
    {
        foreach (var listener in readListeners)
        {
            await listener.OnReadAsync(userId, UnreadCountAsync, ct);
        }
    }
}

/// <summary>Hears that a reader read or archived inbox items; <c>unread</c> counts what is left unread (three queries).</summary>
public interface IInboxReadListener
{
    Task OnReadAsync(string userId, Func<string, CancellationToken, Task<int>> unread, CancellationToken ct);
}
