using Microsoft.EntityFrameworkCore;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Web.Interactions;

namespace NewsPush.Web.Push;

/// <summary>
/// Opens (pixel, or the reader opening the inbox message) and clicks (redirect links) on a delivered digest:
/// recorded on the Delivery and the Digest, as DigestOpen/DigestClick interactions the model learns from, and as
/// <see cref="DeliveryEvent"/>s for the analytics (every open and click; the first of each marked, for unique counts).
/// </summary>
public sealed class TrackingService(NewsPushDbContext db, InteractionRecorder interactions, TimeProvider clock)
{
    public async Task<bool> RecordOpenAsync(string token, CancellationToken ct)
    {
        var delivery = await FindAsync(token, ct);
        if (delivery is null)
        {
            return false;
        }
        await MarkOpenedAsync(delivery.Value.Id, delivery.Value.DigestId, delivery.Value.Row, implied: false, ct);
        return true;
    }

    /// <summary>
    /// Records a click: on one of a digest's articles (false when the article is not the digest's), or on any other
    /// content's notification (a breaking story, a test), which is opened and clicked by the same act.
    /// </summary>
    public async Task<bool> RecordClickAsync(string token, int? articleId, CancellationToken ct)
    {
        var delivery = await FindAsync(token, ct);
        if (delivery is not { } d)
        {
            return false;
        }
        var now = clock.GetUtcNow().UtcDateTime;
        if (d.DigestId is not { } digestId)
        {
            await MarkOpenedAsync(d.Id, null, d.Row, implied: true, ct);
            var firstClick = await db.Deliveries.Where(x => x.Id == d.Id && x.ClickedAt == null).ExecuteUpdateAsync(s => s.SetProperty(x => x.ClickedAt, now), ct);
            var story = d.Row.ContentKind == DeliveryContentKind.Breaking
                ? await db.PushCampaigns.Where(c => c.Id == d.Row.ContentId).Select(c => c.ArticleId).FirstOrDefaultAsync(ct)
                : articleId ?? 0;
            await db.AppendAsync([DeliveryEventLog.For(d.Row, DeliveryEventType.Clicked, firstClick > 0, now, story)], ct);
            return true;
        }
        if (articleId is not { } article || !await db.DigestItems.AnyAsync(i => i.DigestId == digestId && i.ArticleId == article, ct))
        {
            return false;
        }
        // A click is also an open (images are often blocked).
        await MarkOpenedAsync(d.Id, digestId, d.Row, implied: true, ct);
        var first = await db.Deliveries.Where(x => x.Id == d.Id && x.ClickedAt == null).ExecuteUpdateAsync(s => s.SetProperty(x => x.ClickedAt, now), ct);
        await db.AppendAsync([DeliveryEventLog.For(d.Row, DeliveryEventType.Clicked, first > 0, now, article)], ct);
        var position = await db.DigestItems.Where(i => i.DigestId == digestId && i.ArticleId == article).Select(i => i.Position).FirstAsync(ct);
        interactions.Record(d.UserId, article, InteractionType.DigestClick, position, "digest", now);
        return true;
    }

    /// <param name="implied">A click: it counts as an open only when nothing opened the delivery before (images are often blocked).</param>
    private async Task MarkOpenedAsync(long deliveryId, long? digestId, Delivery row, bool implied, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var first = await db.Deliveries.Where(x => x.Id == deliveryId && x.OpenedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.OpenedAt, now), ct);
        if (!implied || first > 0)
        {
            await db.AppendAsync([DeliveryEventLog.For(row, DeliveryEventType.Opened, first > 0, now)], ct);
        }
        if (digestId is not { } id)
        {
            return;
        }
        await db.Digests.Where(x => x.Id == id && x.OpenedAt == null).ExecuteUpdateAsync(s => s.SetProperty(x => x.OpenedAt, now), ct);
        if (first > 0)
        {
            // Each story of an opened digest counts once as seen, like an impression at its position.
            var userId = await db.Digests.Where(x => x.Id == id).Select(x => x.UserId).FirstAsync(ct);
            foreach (var item in await db.DigestItems.AsNoTracking().Where(i => i.DigestId == id).Select(i => new { i.ArticleId, i.Position }).ToListAsync(ct))
            {
                interactions.Record(userId, item.ArticleId, InteractionType.DigestOpen, item.Position, "digest", now);
            }
        }
    }

    /// <summary>A browser showed the notification (its service worker says so): the Web Push channel's "delivered".</summary>
    public async Task<bool> RecordShownAsync(string token, CancellationToken ct)
    {
        if (await FindAsync(token, ct) is not { } d || d.Row.Channel != DeliveryChannel.WebPush)
        {
            return false;
        }
        var first = !await db.DeliveryEvents.AnyAsync(e => e.DeliveryId == d.Id && e.Type == DeliveryEventType.Delivered, ct);
        await db.AppendAsync([DeliveryEventLog.For(d.Row, DeliveryEventType.Delivered, first, clock.GetUtcNow().UtcDateTime)], ct);
        return true;
    }

    /// <summary>The reader's app opened this delivery's notification (reported by the app); false unless it is one of theirs.</summary>
    public async Task<bool> RecordAppOpenAsync(string userId, string token, CancellationToken ct)
    {
        if (await FindAsync(token, ct) is not { } d || d.UserId != userId || d.Row.Channel is not (DeliveryChannel.Fcm or DeliveryChannel.Apns))
        {
            return false;
        }
        await MarkOpenedAsync(d.Id, d.DigestId, d.Row, implied: false, ct);
        return true;
    }

    private async Task<(long Id, long? DigestId, string UserId, Delivery Row)?> FindAsync(string token, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 64)
        {
            return null;
        }
        var d = await db.Deliveries.AsNoTracking().Where(x => x.TrackingToken == token)
            .Select(x => new Delivery { Id = x.Id, ContentKind = x.ContentKind, ContentId = x.ContentId, UserId = x.UserId, Channel = x.Channel }).FirstOrDefaultAsync(ct);
        return d is null ? null : (d.Id, d.ContentKind == DeliveryContentKind.Digest ? d.ContentId : null, d.UserId, d);
    }
}
