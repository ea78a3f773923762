using NewsPush.Web.Infrastructure.Realtime;
using System.Text;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Web.Inbox;

namespace NewsPush.Web.Push;

/// <summary>
/// The in-site inbox channel: one InboxMessage per digest (unique DigestId: a delivery claimed again after a crash
/// finds its message and writes no second one), then a live nudge to the reader's open pages. The dispatcher
/// records the deliveries Sent.
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
            .Select(d => new { d.Id, d.WindowKey, d.Status })
            .ToDictionaryAsync(d => d.Id, ct);
        // Items flat and apart: SQLite plans a nested collection as a join over every digest item ever sent.
        var items = (await db.DigestItems.AsNoTracking()
                .Where(i => digestIds.Contains(i.DigestId))
                .Select(i => new { i.DigestId, i.Position, i.Article!.Title, i.Reason })
                .ToListAsync(ct))
            .ToLookup(i => i.DigestId);
        var existing = (await db.InboxMessages.AsNoTracking().Where(m => m.DigestId != null && digestIds.Contains(m.DigestId.Value))
            .Select(m => m.DigestId!.Value).ToListAsync(ct)).ToHashSet();
        var messages = new List<InboxMessage>(batch.Count);
        var body = new StringBuilder();
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
                body.Clear();
                var lines = items[digestId].OrderBy(i => i.Position).ToList();
                foreach (var item in lines)
                {
                    body.Append("• ").Append(item.Title).Append(" — ").Append(item.Reason).Append('\n');
                }
                messages.Add(new InboxMessage
                {
                    UserId = delivery.UserId, Kind = InboxMessageKind.Digest, DigestId = digestId, CreatedAt = now,
                    Title = DigestTitle(digest.WindowKey, lines.Count), Body = body.ToString(),
                });
            }
            outcomes.Add(new DeliveryOutcome(delivery.Id, DeliveryResult.Sent));
        }
        // One transaction for the batch's messages: all or none, and one commit rather than one per statement.
        // (A batch claimed again after a crash may find every message written already.)
        if (messages.Count > 0)
        {
            await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
            {
                await using var tx = await db.Database.BeginTransactionAsync(ct);
                await db.BulkInsertAsync(messages, ct);
                await tx.CommitAsync(ct);
            });
        }
        foreach (var userId in messages.Select(m => m.UserId).Distinct())
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
