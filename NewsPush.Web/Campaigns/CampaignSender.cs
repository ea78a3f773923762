using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Web.Infrastructure;
using NewsPush.Web.Infrastructure.Realtime;
using NewsPush.Web.Push;
using NewsPush.Web.Recommendations;
using NewsPush.Web.Webhooks;

namespace NewsPush.Web.Campaigns;

/// <summary>
/// The fan-out of a push in <see cref="CampaignStatus.Sending"/>. First its inbox part: one broadcast that fixes the
/// audience and that every reader in it with the inbox on sees at once (the broadcast model: nothing per reader is
/// written, so a million inboxes show it as soon as one row is committed). Then every other channel: the audience in ordinal order of reader id, in
/// batches; each batch planned (preferences, cap, quiet hours unless critical) and its deliveries written in one
/// transaction with the cursor, so a fan-out that stops — a crash, a node dying, a cancel — resumes after the last
/// committed batch, and the outbox's unique key (content, reader, channel, endpoint) makes a repeated batch write
/// nothing twice. The newsroom's robots get it once at the end. Then the push is Sent; the channels deliver.
/// </summary>
public sealed class CampaignSender(
    NewsPushDbContext db, CampaignAudience audience, AudiencePlanner planner, RobotFanout robots, DeliverySignal signal, ReaderNotifier notifier,
    IInterestPredictor predictor, AuditLog audit, IOptions<CampaignOptions> options, TimeProvider clock, ILogger<CampaignSender> logger)
{
    /// <summary>The audit action of a push whose fan-out waits (a predicted audience with no model to score it); written once per wait.</summary>
    public const string HeldAction = "push.held";

    /// <summary>The audit action of a push that waited and then started.</summary>
    public const string ResumedAction = "push.resumed";

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
        if (await InboxPartAsync(c, ct) is not { } part)
        {
            return 0;
        }
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
            var batch = await audience.NextBatchAsync(part, cursor, o.FanoutBatchSize, ct);
            if (batch.Count == 0)
            {
                break;
            }
            var plans = await planner.PlanAsync(batch, now, respectQuietHours: !c.IsCritical, ct, DeliveryContentKind.Breaking, inbox: false);
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

    /// <summary>
    /// The push's inbox part (and a predicted audience's members), stored the first time its fan-out runs, in a transaction that also checks the push is
    /// still sending (a cancel at the same moment either comes first, and nothing is stored, or waits and then takes
    /// it back). Every connected reader's badge is nudged; the inbox readers are counted for the progress afterwards.
    /// Null when the push stopped sending.
    /// </summary>
    private async Task<Broadcast?> InboxPartAsync(PushCampaign c, CancellationToken ct)
    {
        if (await db.Broadcasts.AsNoTracking().SingleOrDefaultAsync(b => b.CampaignId == c.Id, ct) is { } existing)
        {
            if (existing.AudienceCount is null)
            {
                // Stored by a run that stopped before counting its readers (the progress and the analytics wait for them).
                await CountInboxReadersAsync(existing, ct);
            }
            return existing;
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var filter = AudienceFilter.Of(c);
        var part = CampaignAudience.InboxPart(filter, c.Article!.ColumnId, now, c.Id);
        // A predicted audience is a set: scored now, stored with the inbox part in one transaction, so the rule (inbox,
        // badge, fan-out) sees all of it or none. With no model to score, nothing starts; the next pass tries again.
        List<PushAudienceMember>? members = null;
        if (c.Segment == PushSegment.PredictedInterested)
        {
            if (await audience.PredictAsync(filter, c.ArticleId, part, ct) is not { } predicted)
            {
                // The model was switched off (or does not know the story) after approval: the push waits, visibly — its page
                // says why and the audit log has it once — and starts by itself when a model can score it, unless cancelled.
                var why = await predictor.WhyUnavailableAsync(c.ArticleId, ct) ?? ActiveModelInterestPredictor.NoModel;
                if (!await HeldAsync(c.Id, ct))
                {
                    audit.Add(null, HeldAction, nameof(PushCampaign), Id(c.Id), why);
                    await db.SaveChangesAsync(ct);
                    db.ChangeTracker.Clear();
                }
                logger.LogWarning("Push {CampaignId}: its predicted audience cannot be scored, so it waits: {Why}", c.Id, why);
                return null;
            }
            members = predicted.Members.Select(m => new PushAudienceMember { CampaignId = c.Id, UserId = m.UserId, Score = m.Score }).ToList();
            logger.LogInformation("Push {CampaignId}: model {Version} scored {Eligible} readers, {Members} chosen", c.Id, predicted.ModelVersion, predicted.Eligible, members.Count);
            if (await HeldAsync(c.Id, ct))
            {
                audit.Add(null, ResumedAction, nameof(PushCampaign), Id(c.Id), $"model {predicted.ModelVersion} scored {predicted.Eligible} readers, {members.Count} chosen");
            }
        }
        part.Title = c.Title;
        part.Body = c.Message.Length > 0 ? c.Message : c.Article.Summary;
        part.Link = Slugs.ArticlePath(c.Article.Slug);
        part.ExpiresAt = now.AddDays(options.Value.InboxDays);
        var resumed = db.ChangeTracker.Entries<AuditLogEntry>().Select(e => e.Entity).ToList();
        var stored = await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            if (await db.PushCampaigns.Where(x => x.Id == c.Id && x.Status == CampaignStatus.Sending).ExecuteUpdateAsync(s => s.SetProperty(x => x.UpdatedAt, now), ct) == 0)
            {
                return false;
            }
            db.Broadcasts.Add(part);
            db.AuditLog.AddRange(resumed);
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                // Another run stored it first (the unique push id): that one is the push's inbox part.
                return false;
            }
            foreach (var batch in (members ?? []).Chunk(CampaignAudience.MemberBatchSize))
            {
                await db.BulkInsertAsync(batch, ct);
            }
            await tx.CommitAsync(ct);
            return true;
        });
        db.ChangeTracker.Clear();
        if (!stored)
        {
            return await db.PushCampaigns.AnyAsync(x => x.Id == c.Id && x.Status == CampaignStatus.Sending, ct)
                ? await db.Broadcasts.AsNoTracking().SingleOrDefaultAsync(b => b.CampaignId == c.Id, ct) : null;
        }
        notifier.InboxChangedForEveryone();
        await CountInboxReadersAsync(part, ct);
        return part;
    }

    /// <summary>Whether the push's latest audit entry says its fan-out waits.</summary>
    private async Task<bool> HeldAsync(long campaignId, CancellationToken ct)
    {
        var id = Id(campaignId);
        return await db.AuditLog.AsNoTracking().Where(e => e.EntityType == nameof(PushCampaign) && e.EntityId == id)
            .OrderByDescending(e => e.Id).Select(e => e.Action).FirstOrDefaultAsync(ct) == HeldAction;
    }

    private async Task CountInboxReadersAsync(Broadcast part, CancellationToken ct)
    {
        var inboxReaders = await audience.InboxReadersAsync(part, ct);
        await db.Broadcasts.Where(b => b.Id == part.Id).ExecuteUpdateAsync(s => s.SetProperty(b => b.AudienceCount, inboxReaders), ct);
        part.AudienceCount = inboxReaders;
        logger.LogInformation("Push {CampaignId}: its inbox part reaches {Readers} readers", part.CampaignId, inboxReaders);
    }

    /// <summary>What each channel has done with a push: the inbox part's readers, then deliveries by channel and status.</summary>
    public async Task<CampaignProgress?> ProgressAsync(long campaignId, CancellationToken ct)
    {
        if (await db.PushCampaigns.AsNoTracking().Where(x => x.Id == campaignId).Select(x => new { x.Status, x.QueuedAt, x.Segment, x.ArticleId }).SingleOrDefaultAsync(ct) is not { } c)
        {
            return null;
        }
        var rows = await db.Deliveries.AsNoTracking().Where(d => d.ContentKind == DeliveryContentKind.Breaking && d.ContentId == campaignId)
            .GroupBy(d => new { d.Channel, d.Status }).Select(g => new { g.Key.Channel, g.Key.Status, Count = g.Count() }).ToListAsync(ct);
        var inbox = await db.Broadcasts.AsNoTracking().Where(b => b.CampaignId == campaignId)
            .Select(b => new { b.AudienceCount, b.ExpiresAt, Read = db.BroadcastReceipts.Count(r => r.BroadcastId == b.Id && r.ReadAt != null) }).SingleOrDefaultAsync(ct);
        // A predicted audience that cannot be scored holds the push before anything is stored: say why, while it lasts.
        var waiting = c.Status == CampaignStatus.Sending && inbox is null && c.Segment == PushSegment.PredictedInterested
            ? await predictor.WhyUnavailableAsync(c.ArticleId, ct) : null;
        var channels = new List<ChannelProgress>();
        if (inbox is { AudienceCount: > 0 })
        {
            // In every inbox at once: "sent" to all of them, or taken back out when the push was cancelled.
            var withdrawn = c.Status == CampaignStatus.Cancelled;
            channels.Add(new ChannelProgress(CampaignPreview.ChannelName(DeliveryChannel.Inbox), 0, withdrawn ? 0 : inbox.AudienceCount.Value, 0,
                withdrawn ? inbox.AudienceCount.Value : 0, inbox.Read));
        }
        return new CampaignProgress(c.Status.ToString(), c.QueuedAt is not null, channels.Concat(rows.GroupBy(r => r.Channel).OrderBy(g => g.Key).Select(g => new ChannelProgress(
            CampaignPreview.ChannelName(g.Key),
            g.Where(r => r.Status is DeliveryStatus.Queued or DeliveryStatus.Sending).Sum(r => r.Count),
            g.Where(r => r.Status == DeliveryStatus.Sent).Sum(r => r.Count),
            g.Where(r => r.Status is DeliveryStatus.Failed or DeliveryStatus.Expired).Sum(r => r.Count),
            g.Where(r => r.Status == DeliveryStatus.Suppressed).Sum(r => r.Count)))).ToList(), waiting);
    }

    /// <summary>
    /// Cancelling stops what has not gone out: the fan-out (by the status) and the queued deliveries; the inbox part is
    /// taken back out of every inbox (a push is cancelled because it should not have gone).
    /// </summary>
    public async Task<int> SuppressQueuedAsync(long campaignId, string reason, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (await db.Broadcasts.Where(b => b.CampaignId == campaignId && (b.ExpiresAt == null || b.ExpiresAt > now)).ExecuteUpdateAsync(s => s.SetProperty(b => b.ExpiresAt, now), ct) > 0)
        {
            notifier.InboxChangedForEveryone();
        }
        return await db.Deliveries.Where(d => d.ContentKind == DeliveryContentKind.Breaking && d.ContentId == campaignId && d.Status == DeliveryStatus.Queued)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, DeliveryStatus.Suppressed).SetProperty(d => d.LastError, reason), ct);
    }

    internal static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);
}

/// <summary>A channel's deliveries of a push by state; <see cref="Read"/>: readers who opened it (the inbox part).</summary>
public sealed record ChannelProgress(string Channel, int Queued, int Sent, int Failed, int Suppressed, int? Read = null);

/// <summary><see cref="Waiting"/>: why the fan-out has not started (a predicted audience with no model to score it), or null.</summary>
public sealed record CampaignProgress(string Status, bool FanoutDone, IReadOnlyList<ChannelProgress> Channels, string? Waiting = null);
