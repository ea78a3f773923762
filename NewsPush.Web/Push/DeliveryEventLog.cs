using NewsPush.Data;
using NewsPush.Data.Entities;

namespace NewsPush.Web.Push;

/// <summary>
/// Writes what the channels and trackers report about deliveries (sent, failed, delivered, opened, clicked) to the
/// append-only <see cref="DeliveryEvent"/> log the analytics roll up. Queued needs no event: the outbox row is it.
/// </summary>
public static class DeliveryEventLog
{
    public static DeliveryEvent For(Delivery d, DeliveryEventType type, bool first, DateTime at, int articleId = 0) => new()
    {
        DeliveryId = d.Id, Channel = d.Channel, ContentKind = d.ContentKind, ContentId = d.ContentId,
        Type = type, IsFirst = first, ArticleId = articleId, OccurredAt = at,
    };

    public static async Task AppendAsync(this NewsPushDbContext db, IReadOnlyList<DeliveryEvent> events, CancellationToken ct)
    {
        if (events.Count > 0)
        {
            await db.BulkInsertAsync(events, ct);
        }
    }
}
