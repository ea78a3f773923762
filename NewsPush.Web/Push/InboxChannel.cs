using System.Text;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Web.Inbox;

namespace NewsPush.Web.Push;

/// <summary>
/// The in-site inbox channel: one InboxMessage per digest, written in the same transaction that marks the
/// deliveries Sent (unique DigestId: never twice), then a live nudge to the reader's open pages.
/// </summary>
public sealed class InboxChannel(NewsPushDbContext db, IHubContext<NotificationHub> hub, TimeProvider clock) : IChannelSender
{
    public DeliveryChannel Channel => DeliveryChannel.Inbox;

    public async Task<IReadOnlyList<DeliveryOutcome>> SendAsync(IReadOnlyList<Delivery> batch, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var outcomes = new List<DeliveryOutcome>(batch.Count);
        var digestIds = batch.Select(d => d.DigestId).OfType<long>().ToList();
        var digests = await db.Digests.AsNoTracking()
            .Where(d => digestIds.Contains(d.Id))
            .Select(d => new
            {
                d.Id, d.WindowKey, d.Status,
                Items = d.Items.OrderBy(i => i.Position).Select(i => new { i.Article!.Title, i.Reason }).ToList(),
            })
            .ToDictionaryAsync(d => d.Id, ct);
        var existing = (await db.InboxMessages.AsNoTracking().Where(m => m.DigestId != null && digestIds.Contains(m.DigestId.Value))
            .Select(m => m.DigestId!.Value).ToListAsync(ct)).ToHashSet();
        var notify = new HashSet<string>();
        foreach (var delivery in batch)
        {
            if (delivery.DigestId is not { } digestId || !digests.TryGetValue(digestId, out var digest))
            {
                outcomes.Add(new DeliveryOutcome(delivery.Id, DeliveryResult.Failed, "the inbox channel delivers digests only"));
                continue;
            }
            if (digest.Status == DigestStatus.Merged)
            {
                outcomes.Add(new DeliveryOutcome(delivery.Id, DeliveryResult.Suppressed, "merged into a newer digest"));
                continue;
            }
            if (existing.Add(digestId))
            {
                var body = new StringBuilder();
                foreach (var item in digest.Items)
                {
                    body.Append("• ").Append(item.Title).Append(" — ").Append(item.Reason).Append('\n');
                }
                db.InboxMessages.Add(new InboxMessage
                {
                    UserId = delivery.UserId, Kind = InboxMessageKind.Digest, DigestId = digestId, CreatedAt = now,
                    Title = DigestTitle(digest.WindowKey, digest.Items.Count), Body = body.ToString(),
                });
                notify.Add(delivery.UserId);
            }
            outcomes.Add(new DeliveryOutcome(delivery.Id, DeliveryResult.Sent));
            var tracked = new Delivery { Id = delivery.Id };
            db.Deliveries.Attach(tracked);
            tracked.Status = DeliveryStatus.Sent;
            tracked.SentAt = now;
        }
        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();
        foreach (var userId in notify)
        {
            await hub.Clients.User(userId).SendAsync(NotificationHub.InboxChanged, ct);
        }
        return outcomes;
    }

    public static string DigestTitle(string windowKey, int items)
    {
        var parts = windowKey.Split(':');
        var kind = parts[0] == "weekly" ? "weekly" : "daily";
        var date = parts.Length > 1 && DateOnly.TryParseExact(parts[1], "yyyy-MM-dd", out var d) ? d.ToString("d MMM yyyy", System.Globalization.CultureInfo.InvariantCulture) : "";
        return $"Your {kind} digest {date}: {items} stories".Replace("  ", " ", StringComparison.Ordinal);
    }
}
