using System.Text;
using Microsoft.EntityFrameworkCore;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Web.Infrastructure;
using NewsPush.Web.Infrastructure.Realtime;

namespace NewsPush.Web.Push.Channels;

/// <summary>
/// The in-site inbox channel: one InboxMessage per delivery (unique DeliveryId, and for digests a unique DigestId: a
/// delivery claimed again after a crash finds its message and writes no second one), then a live nudge to the
/// reader's open pages. Carries every kind; a digest lists its stories, any other kind links to its story.
/// </summary>
public sealed class InboxChannel(NewsPushDbContext db, ReaderNotifier notifier, TimeProvider clock) : IChannelSender
{
    private static readonly IReadOnlySet<DeliveryContentKind> All = Enum.GetValues<DeliveryContentKind>().ToHashSet();

    public DeliveryChannel Channel => DeliveryChannel.Inbox;

    public IReadOnlySet<DeliveryContentKind> Carries => All;

    public async Task SendAsync(IReadOnlyList<OutboundDelivery> group, DeliveryReport report, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var deliveryIds = group.Select(d => d.Id).ToList();
        var digestIds = group.Where(d => d.Content.Kind == DeliveryContentKind.Digest).Select(d => d.Content.Id).ToList();
        // Two lookups, each on its unique index (an OR of the two would scan the table on SQLite).
        var existing = (await db.InboxMessages.AsNoTracking()
                .Where(m => m.DeliveryId != null && deliveryIds.Contains(m.DeliveryId.Value))
                .Select(m => m.DeliveryId!.Value).ToListAsync(ct))
            .Select(id => "d" + id).ToHashSet();
        if (digestIds.Count > 0)
        {
            existing.UnionWith((await db.InboxMessages.AsNoTracking()
                    .Where(m => m.DigestId != null && digestIds.Contains(m.DigestId.Value))
                    .Select(m => m.DigestId!.Value).ToListAsync(ct))
                .Select(id => "g" + id));
        }
        var messages = new List<InboxMessage>(group.Count);
        foreach (var delivery in group)
        {
            var isDigest = delivery.Content.Kind == DeliveryContentKind.Digest;
            if (existing.Add("d" + delivery.Id) && (!isDigest || existing.Add("g" + delivery.Content.Id)))
            {
                messages.Add(Render(delivery, now));
            }
            report.Sent(delivery.Id);
        }
        // One transaction for the group's messages: all or none, and one commit rather than one per statement.
        if (messages.Count > 0)
        {
            await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
            {
                await using var tx = await db.Database.BeginTransactionAsync(ct);
                await db.BulkInsertAsync(messages, ct);
                await tx.CommitAsync(ct);
            });
        }
        // After the commit, queued: a nudge never fails or delays the delivery, and catches up after a Redis outage.
        notifier.InboxChanged(messages.Select(m => m.UserId).Distinct());
    }

    /// <summary>A digest's message body: one line per story with why it was picked (also written by the digest runner, ADR-023).</summary>
    public static string DigestBody(IEnumerable<(string Title, string Reason)> stories)
    {
        var body = new StringBuilder();
        foreach (var (title, reason) in stories)
        {
            body.Append("• ").Append(title).Append(" — ").Append(reason).Append('\n');
        }
        return body.ToString();
    }

    public static InboxMessage Render(OutboundDelivery delivery, DateTime now)
    {
        var content = delivery.Content;
        var message = new InboxMessage { UserId = delivery.UserId, DeliveryId = delivery.Id, CreatedAt = now, Title = Texts.Clip(content.Title, 300) };
        switch (content.Kind)
        {
            case DeliveryContentKind.Digest:
                message.Kind = InboxMessageKind.Digest;
                message.DigestId = content.Id;
                message.Body = DigestBody(content.Stories.Select(s => (s.Title, s.Reason)));
                break;
            default:
                message.Kind = content.Kind == DeliveryContentKind.Breaking ? InboxMessageKind.Breaking : InboxMessageKind.System;
                message.CampaignId = content.Kind == DeliveryContentKind.Breaking ? content.Id : null;
                message.Body = Texts.Clip(content.Summary, 20_000);
                message.Link = content.Url ?? (content.Stories.Count > 0 ? Slugs.ArticlePath(content.Stories[0].Slug) : null);
                break;
        }
        return message;
    }
}
