using Microsoft.EntityFrameworkCore;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Web.Interactions;

namespace NewsPush.Web.Push;

/// <summary>
/// Opens (pixel, or the reader opening the inbox message) and clicks (redirect links) on a delivered digest:
/// recorded on the Delivery and the Digest, and as DigestOpen/DigestClick interactions the model learns from.
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
        await MarkOpenedAsync(delivery.Value.Id, delivery.Value.DigestId, ct);
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
            await MarkOpenedAsync(d.Id, null, ct);
            await db.Deliveries.Where(x => x.Id == d.Id && x.ClickedAt == null).ExecuteUpdateAsync(s => s.SetProperty(x => x.ClickedAt, now), ct);
            return true;
        }
        if (articleId is not { } article || !await db.DigestItems.AnyAsync(i => i.DigestId == digestId && i.ArticleId == article, ct))
        {
            return false;
        }
        // A click is also an open (images are often blocked).
        await MarkOpenedAsync(d.Id, digestId, ct);
        await db.Deliveries.Where(x => x.Id == d.Id && x.ClickedAt == null).ExecuteUpdateAsync(s => s.SetProperty(x => x.ClickedAt, now), ct);
        var position = await db.DigestItems.Where(i => i.DigestId == digestId && i.ArticleId == article).Select(i => i.Position).FirstAsync(ct);
        interactions.Record(d.UserId, article, InteractionType.DigestClick, position, "digest", now);
        return true;
    }

    private async Task MarkOpenedAsync(long deliveryId, long? digestId, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var first = await db.Deliveries.Where(x => x.Id == deliveryId && x.OpenedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.OpenedAt, now), ct);
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

    private async Task<(long Id, long? DigestId, string UserId)?> FindAsync(string token, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 64)
        {
            return null;
        }
        var d = await db.Deliveries.AsNoTracking().Where(x => x.TrackingToken == token)
            .Select(x => new { x.Id, x.ContentKind, x.ContentId, x.UserId }).FirstOrDefaultAsync(ct);
        return d is null ? null : (d.Id, d.ContentKind == DeliveryContentKind.Digest ? d.ContentId : null, d.UserId);
    }
}
