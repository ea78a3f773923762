using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Web.Push;
using NewsPush.Web.Webhooks;

namespace NewsPush.Web.Campaigns;

/// <summary>
/// The fan-out of a push in <see cref="CampaignStatus.Sending"/>: the audience in ordinal order of reader id, in
/// batches; each batch planned (preferences, cap, quiet hours unless critical) and its deliveries written in one
/// transaction with the cursor, so a fan-out that stops — a crash, a node dying, a cancel — resumes after the last
/// committed batch, and the outbox's unique key (content, reader, channel, endpoint) makes a repeated batch write
/// nothing twice. The newsroom's robots get it once at the end. Then the push is Sent; the channels deliver.
/// </summary>
public sealed class CampaignSender(
    NewsPushDbContext db, CampaignAudience audience, AudiencePlanner planner, RobotFanout robots, DeliverySignal signal,
    IOptions<CampaignOptions> options, TimeProvider clock, ILogger<CampaignSender> logger)
{
    /// <summary>
    /// Runs (or resumes) the fan-out, at most <paramref name="maxBatches"/> batches this call (the rest is the next
    /// call's, exactly as after a crash); returns the deliveries queued by this call.
    /// </summary>
    public async Task<int> FanoutAsync(long campaignId, CancellationToken ct, int maxBatches = int.MaxValue)
    {
        var o = options.Value;
        var c = await db.PushCampaigns.AsNoTracking().Include(x => x.Article).SingleOrDefaultAsync(x => x.Id == campaignId, ct);
        if (c is null || c.Status != CampaignStatus.Sending)
        {
            return 0;
        }
        var columnId = c.Article!.ColumnId;
        var filter = AudienceFilter.Of(c);
        var cursor = c.FanoutCursor;
        var queued = 0;
        var batches = 0;
        while (!ct.IsCancellationRequested)
        {
            if (batches++ == maxBatches)
            {
                return queued;
            }
            var now = clock.GetUtcNow().UtcDateTime;
            var batch = await audience.NextBatchAsync(filter, columnId, now, cursor, o.FanoutBatchSize, ct);
            if (batch.Count == 0)
            {
                break;
            }
            var plans = await planner.PlanAsync(batch, now, respectQuietHours: !c.IsCritical, ct, DeliveryContentKind.Breaking);
            var rows = new List<Delivery>(batch.Count * 2);
            foreach (var plan in plans.Values)
            {
                foreach (var e in plan.Endpoints)
                {
                    rows.Add(new Delivery
                    {
                        UserId = plan.UserId, Channel = e.Channel, EndpointId = e.EndpointId, ContentKind = DeliveryContentKind.Breaking, ContentId = campaignId,
                        Status = DeliveryStatus.Queued, NextAttemptAt = plan.NotBefore, TrackingToken = TrackingTokens.New(), CreatedAt = now,
                        DeliverBy = (plan.NotBefore ?? now).AddHours(o.DeliverByHours),
                    });
                }
            }
            var last = batch[^1];
            var previous = cursor;
            var committed = await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
            {
                await using var tx = await db.Database.BeginTransactionAsync(ct);
                // The cursor moves only from where this run read it, and only while the push is still sending: a second
                // runner, or a cancel, makes this batch write nothing.
                var moved = await db.PushCampaigns.Where(x => x.Id == campaignId && x.Status == CampaignStatus.Sending && x.FanoutCursor == previous)
                    .ExecuteUpdateAsync(s => s.SetProperty(x => x.FanoutCursor, last).SetProperty(x => x.UpdatedAt, now), ct);
                if (moved == 0)
                {
                    return false;
                }
                await db.BulkInsertAsync(rows, ct);
                await tx.CommitAsync(ct);
                return true;
            });
            if (!committed)
            {
                logger.LogInformation("Push {CampaignId}: fan-out stopped (cancelled, or another node continues it)", campaignId);
                return queued;
            }
            cursor = last;
            queued += rows.Count;
            signal.Notify();
            if (batch.Count < o.FanoutBatchSize)
            {
                break;
            }
        }
        if (ct.IsCancellationRequested)
        {
            return queued;
        }
        var done = clock.GetUtcNow().UtcDateTime;
        var finished = await db.PushCampaigns.Where(x => x.Id == campaignId && x.Status == CampaignStatus.Sending && x.FanoutCursor == cursor)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.Status, CampaignStatus.Sent).SetProperty(x => x.QueuedAt, done).SetProperty(x => x.SentAt, done)
                .SetProperty(x => x.UpdatedAt, done), ct);
        if (finished > 0)
        {
            // The newsroom's chat robots for the story's column, once: the push is Sent now, so no other run gets here.
            var names = await robots.QueueAsync(campaignId, columnId, c.ApprovedById ?? c.CreatedById ?? "", ct);
            queued += names.Count;
            logger.LogInformation("Push {CampaignId} queued: {Count} deliveries by this run, {Robots} robots", campaignId, queued, names.Count);
        }
        return queued;
    }

    /// <summary>What each channel has done with a push: deliveries by channel and status.</summary>
    public async Task<CampaignProgress?> ProgressAsync(long campaignId, CancellationToken ct)
    {
        if (await db.PushCampaigns.AsNoTracking().Where(x => x.Id == campaignId).Select(x => new { x.Status, x.QueuedAt }).SingleOrDefaultAsync(ct) is not { } c)
        {
            return null;
        }
        var rows = await db.Deliveries.AsNoTracking().Where(d => d.ContentKind == DeliveryContentKind.Breaking && d.ContentId == campaignId)
            .GroupBy(d => new { d.Channel, d.Status }).Select(g => new { g.Key.Channel, g.Key.Status, Count = g.Count() }).ToListAsync(ct);
        return new CampaignProgress(c.Status.ToString(), c.QueuedAt is not null, rows.GroupBy(r => r.Channel).OrderBy(g => g.Key).Select(g => new ChannelProgress(
            CampaignPreview.ChannelName(g.Key),
            g.Where(r => r.Status is DeliveryStatus.Queued or DeliveryStatus.Sending).Sum(r => r.Count),
            g.Where(r => r.Status == DeliveryStatus.Sent).Sum(r => r.Count),
            g.Where(r => r.Status is DeliveryStatus.Failed or DeliveryStatus.Expired).Sum(r => r.Count),
            g.Where(r => r.Status == DeliveryStatus.Suppressed).Sum(r => r.Count))).ToList());
    }

    /// <summary>Cancelling stops what has not gone out: the fan-out (by the status) and the queued deliveries.</summary>
    public async Task<int> SuppressQueuedAsync(long campaignId, string reason, CancellationToken ct) =>
        await db.Deliveries.Where(d => d.ContentKind == DeliveryContentKind.Breaking && d.ContentId == campaignId && d.Status == DeliveryStatus.Queued)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, DeliveryStatus.Suppressed).SetProperty(d => d.LastError, reason), ct);

    internal static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);
}

public sealed record ChannelProgress(string Channel, int Queued, int Sent, int Failed, int Suppressed);

public sealed record CampaignProgress(string Status, bool FanoutDone, IReadOnlyList<ChannelProgress> Channels);
