using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NewsPush.Data;
using NewsPush.Data.Entities;

namespace NewsPush.Web.Push;

/// <summary>
/// Works off the outbox. Claims due deliveries under a lease it owns end to end (<see cref="DeliveryLease"/>), loads
/// their content through the content sources, hands them to the channels in groups, and records each delivery's
/// own outcome — only for rows it still holds. Transient failures back off up to a ceiling until the delivery's
/// deadline, then it is Expired; a channel reported down or misconfigured is paused (<see cref="ChannelHealth"/>) and
/// its unsent deliveries go back to the queue without spending an attempt. A row whose sender stopped while holding
/// it is retried alone, and fails after <see cref="DeliveryOptions.MaxUnfinishedClaims"/> such stops.
/// </summary>
public sealed partial class DeliveryDispatcher(
    NewsPushDbContext db,
    IEnumerable<IChannelSender> senders,
    IEnumerable<IDeliveryContentSource> sources,
    ChannelHealth health,
    IServiceScopeFactory scopes,
    TimeProvider clock,
    IOptions<DeliveryOptions> options,
    ILogger<DeliveryDispatcher> logger)
{
    /// <summary>Delivers everything due now; returns the number of deliveries handled.</summary>
    public async Task<int> DispatchDueAsync(CancellationToken ct)
    {
        var total = await ExpireOverdueAsync(clock.GetUtcNow().UtcDateTime, ct);
        while (true)
        {
            var handled = await DispatchBatchAsync(ct);
            total += handled;
            if (handled == 0)
            {
                return total;
            }
        }
    }

    public async Task<int> DispatchBatchAsync(CancellationToken ct)
    {
        var o = options.Value;
        var now = clock.GetUtcNow().UtcDateTime;

        // A paused channel's probe, when its time has come: one delivery, on one node at a time.
        foreach (var channel in await health.DueForProbeAsync(ct))
        {
            if (!await health.TryTakeProbeAsync(channel, ct))
            {
                continue;
            }
            var probe = await Due(now, []).Where(d => d.Channel == channel).OrderBy(d => d.Id).Select(d => d.Id).Take(1).ToListAsync(ct);
            if (probe.Count == 0)
            {
                // Nothing waits: the next real delivery finds out whether the service is back.
                await health.ResumeAsync(channel, ct);
                continue;
            }
            return await ClaimAndSendAsync(probe, channel, ct);
        }

        var paused = await health.PausedAsync(ct);
        // A row whose sender stopped while holding it (a crash): alone, so a delivery that kills its sender is
        // pinned down without taking the others with it.
        var suspect = await db.Deliveries.AsNoTracking()
            .Where(d => d.Status == DeliveryStatus.Sending && d.NextAttemptAt <= now && !paused.Contains(d.Channel))
            .OrderBy(d => d.Id).Select(d => new { d.Id, d.Claims, d.Attempts, d.LeaseId, d.Channel, d.ContentKind, d.ContentId }).FirstOrDefaultAsync(ct);
        if (suspect is not null)
        {
            var stops = suspect.Claims - suspect.Attempts;
            if (stops >= o.MaxUnfinishedClaims)
            {
                var reason = $"The sender stopped {stops} times while delivering this (a crash or a lost lease); not tried again.";
                var failed = await db.Deliveries.Where(d => d.Id == suspect.Id && d.Status == DeliveryStatus.Sending && d.LeaseId == suspect.LeaseId && d.NextAttemptAt <= now)
                    .ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, DeliveryStatus.Failed).SetProperty(d => d.LeaseId, (string?)null)
                        .SetProperty(d => d.NextAttemptAt, (DateTime?)null).SetProperty(d => d.LastError, reason), ct);
                if (failed == 1)
                {
                    var row = new Delivery { Id = suspect.Id, Channel = suspect.Channel, ContentKind = suspect.ContentKind, ContentId = suspect.ContentId };
                    await db.AppendAsync([DeliveryEventLog.For(row, DeliveryEventType.Failed, true, now)], ct);
                }
                LogFailed(logger, suspect.Id, stops, reason);
                return 1;
            }
            return await ClaimAndSendAsync([suspect.Id], null, ct);
        }

        // Index-friendly on its own (Status, NextAttemptAt): no OR with the Sending rows.
        var ids = await db.Deliveries.AsNoTracking()
            .Where(d => d.Status == DeliveryStatus.Queued && (d.NextAttemptAt == null || d.NextAttemptAt <= now) && !paused.Contains(d.Channel))
            .OrderBy(d => d.Id).Select(d => d.Id).Take(o.BatchSize).ToListAsync(ct);
        return ids.Count == 0 ? 0 : await ClaimAndSendAsync(ids, null, ct);
    }

    private IQueryable<Delivery> Due(DateTime now, HashSet<DeliveryChannel> paused) =>
        db.Deliveries.AsNoTracking().Where(d => !paused.Contains(d.Channel)
            && ((d.Status == DeliveryStatus.Queued && (d.NextAttemptAt == null || d.NextAttemptAt <= now))
                || (d.Status == DeliveryStatus.Sending && d.NextAttemptAt <= now)));

    /// <summary>Queued deliveries past their deadline become Expired with the reason, also while their channel is paused.</summary>
    /// <remarks>Each expiry is also a Failed event for the analytics: the rows are read first, then expired by id.</remarks>
    private async Task<int> ExpireOverdueAsync(DateTime now, CancellationToken ct)
    {
        var total = 0;
        while (true)
        {
            var overdue = await db.Deliveries.AsNoTracking()
                .Where(d => d.Status == DeliveryStatus.Queued && d.DeliverBy != null && d.DeliverBy <= now)
                .OrderBy(d => d.Id).Take(1000).ToListAsync(ct);
            if (overdue.Count == 0)
            {
                return total;
            }
            var ids = overdue.Select(d => d.Id).ToList();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var expired = await db.Deliveries
                .Where(d => ids.Contains(d.Id) && d.Status == DeliveryStatus.Queued)
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, DeliveryStatus.Expired)
                    .SetProperty(d => d.LastError, d => "Not delivered before its deadline. Last error: " + (d.LastError ?? "none (its channel was paused)")), ct);
            if (expired != overdue.Count)
            {
                // Another node took some of them meanwhile: log only the rows this update expired.
                var mine = await db.Deliveries.AsNoTracking().Where(d => ids.Contains(d.Id) && d.Status == DeliveryStatus.Expired).Select(d => d.Id).ToListAsync(ct);
                overdue = overdue.Where(d => mine.Contains(d.Id)).ToList();
            }
            await db.AppendAsync(overdue.Select(d => DeliveryEventLog.For(d, DeliveryEventType.Failed, true, now)).ToList(), ct);
            await tx.CommitAsync(ct);
            total += expired;
        }
    }

    private async Task<int> ClaimAndSendAsync(List<long> ids, DeliveryChannel? probe, CancellationToken ct)
    {
        var o = options.Value;
        var now = clock.GetUtcNow().UtcDateTime;
        var length = TimeSpan.FromSeconds(o.LeaseSeconds);
        var until = now + length;
        var leaseId = Guid.NewGuid().ToString("N");
        // The claim: rows still due become Sending under this claim's own id, so two dispatchers claiming at the
        // same instant each read back only the rows they won.
        await db.Deliveries
            .Where(d => ids.Contains(d.Id) && ((d.Status == DeliveryStatus.Queued && (d.NextAttemptAt == null || d.NextAttemptAt <= now))
                || (d.Status == DeliveryStatus.Sending && d.NextAttemptAt <= now)))
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, DeliveryStatus.Sending).SetProperty(d => d.NextAttemptAt, until)
                .SetProperty(d => d.LeaseId, leaseId).SetProperty(d => d.Claims, d => d.Claims + 1), ct);
        var claimed = await db.Deliveries.AsNoTracking()
            .Where(d => ids.Contains(d.Id) && d.Status == DeliveryStatus.Sending && d.LeaseId == leaseId)
            .OrderBy(d => d.Id)
            .ToListAsync(ct);
        if (claimed.Count == 0)
        {
            // Another dispatcher claimed them all first.
            return ids.Count;
        }

        await using var lease = new DeliveryLease(leaseId, claimed.Count, length, scopes, clock, logger);
        var (outbound, unsendable) = await LoadContentAsync(claimed, ct);
        if (unsendable.Count > 0)
        {
            await RecordAsync(lease, claimed, unsendable, ct);
        }
        foreach (var group in outbound.GroupBy(d => d.Delivery.Channel))
        {
            await SendChannelAsync(lease, claimed, group.Key, group.ToList(), probe == group.Key, ct);
        }
        return claimed.Count;
    }

    private async Task<(List<OutboundDelivery> Outbound, List<DeliveryOutcome> Unsendable)> LoadContentAsync(List<Delivery> claimed, CancellationToken ct)
    {
        var outbound = new List<OutboundDelivery>(claimed.Count);
        var unsendable = new List<DeliveryOutcome>();
        foreach (var kind in claimed.GroupBy(d => d.ContentKind))
        {
            var source = sources.FirstOrDefault(s => s.Kind == kind.Key);
            var contents = source is null
                ? new Dictionary<long, DeliveryContent>()
                : await source.LoadAsync(kind.Select(d => d.ContentId).Distinct().ToList(), ct);
            foreach (var d in kind)
            {
                var sender = senders.FirstOrDefault(s => s.Channel == d.Channel);
                if (source is null)
                {
                    unsendable.Add(new(d.Id, DeliveryResult.Failed, $"Nothing provides {kind.Key} content."));
                }
                else if (!contents.TryGetValue(d.ContentId, out var content))
                {
                    unsendable.Add(new(d.Id, DeliveryResult.Failed, $"The {kind.Key} content {d.ContentId} no longer exists."));
                }
                else if (content.WithdrawnReason is { } reason)
                {
                    unsendable.Add(new(d.Id, DeliveryResult.Suppressed, reason));
                }
                else if (sender is null)
                {
                    unsendable.Add(new(d.Id, DeliveryResult.Failed, $"No sender for the {d.Channel} channel."));
                }
                else if (!sender.Carries.Contains(kind.Key))
                {
                    unsendable.Add(new(d.Id, DeliveryResult.Failed, $"The {d.Channel} channel does not carry {kind.Key} content."));
                }
                else
                {
                    outbound.Add(new OutboundDelivery(d, content));
                }
            }
        }
        return (outbound, unsendable);
    }

    private async Task SendChannelAsync(DeliveryLease lease, List<Delivery> claimed, DeliveryChannel channel, List<OutboundDelivery> group, bool isProbe, CancellationToken ct)
    {
        var sender = senders.First(s => s.Channel == channel);
        var report = new DeliveryReport(() => lease.IsHeld);
        var sent = 0;
        var chunks = group.Chunk(Math.Max(1, sender.GroupSize)).ToList();
        var next = 0;
        for (; next < chunks.Count && report.MaySend; next++)
        {
            var chunk = chunks[next];
            string? thrown = null;
            try
            {
                await sender.SendAsync(chunk, report, ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogChannelThrew(logger, ex, channel);
                thrown = ex.Message;
            }
            var outcomes = report.Take(chunk.Select(d => d.Id));
            var missing = chunk.Where(d => outcomes.All(x => x.DeliveryId != d.Id)).Select(d => d.Id).ToList();
            sent += outcomes.Count(x => x.Result == DeliveryResult.Sent);
            if (report.Fault is null && lease.IsHeld)
            {
                // A channel that threw, or forgot a delivery: not known to be sent, so tried again later.
                outcomes.AddRange(missing.Select(id => new DeliveryOutcome(id, DeliveryResult.Retry, thrown ?? "The channel reported no outcome.")));
                missing.Clear();
            }
            await RecordAsync(lease, claimed, outcomes, ct);
            if (missing.Count > 0)
            {
                await ReleaseAsync(lease, missing, ct);
            }
        }
        // Groups not sent because the channel went down or the lease was lost go back to the queue, unharmed.
        var left = chunks.Skip(next).SelectMany(c => c).Select(d => d.Id).ToList();
        if (left.Count > 0)
        {
            await ReleaseAsync(lease, left, ct);
        }
        if (report.Fault is { } fault)
        {
            await health.PauseAsync(channel, fault, ct);
        }
        else if (isProbe)
        {
            await health.ResumeAsync(channel, ct);
        }
        else if (sent > 0)
        {
            await health.RecordSuccessAsync(channel, ct);
        }
    }

    private async Task RecordAsync(DeliveryLease lease, List<Delivery> claimed, List<DeliveryOutcome> outcomes, CancellationToken ct)
    {
        if (outcomes.Count == 0)
        {
            return;
        }
        var o = options.Value;
        var now = clock.GetUtcNow().UtcDateTime;
        var byId = claimed.ToDictionary(d => d.Id);
        var leaseId = lease.Id;
        var ended = new List<(DeliveryChannel Channel, string? Error)>();
        using (await lease.LockAsync(ct))
        {
            var sentIds = outcomes.Where(x => x.Result == DeliveryResult.Sent).Select(x => x.DeliveryId).ToList();
            if (sentIds.Count > 0)
            {
                // Only rows this claim still holds: a row another dispatcher took over is theirs to record.
                var marked = await db.Deliveries.Where(d => sentIds.Contains(d.Id) && d.LeaseId == leaseId && d.Status == DeliveryStatus.Sending)
                    .ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, DeliveryStatus.Sent).SetProperty(d => d.SentAt, now)
                        .SetProperty(d => d.Attempts, d => d.Attempts + 1).SetProperty(d => d.NextAttemptAt, (DateTime?)null)
                        .SetProperty(d => d.LastError, (string?)null).SetProperty(d => d.LeaseId, (string?)null), ct);
                if (marked != sentIds.Count)
                {
                    // Some rows were taken over by another dispatcher: only the ones this claim marked are its events.
                    sentIds = await db.Deliveries.AsNoTracking().Where(d => sentIds.Contains(d.Id) && d.Status == DeliveryStatus.Sent && d.SentAt == now && d.LeaseId == null)
                        .Select(d => d.Id).ToListAsync(ct);
                }
                await db.AppendAsync(sentIds.Select(id => DeliveryEventLog.For(byId[id], DeliveryEventType.Sent, true, now)).ToList(), ct);
            }
            var failedEvents = new List<DeliveryEvent>();
            foreach (var outcome in outcomes.Where(x => x.Result != DeliveryResult.Sent))
            {
                var d = byId[outcome.DeliveryId];
                if (outcome.Result == DeliveryResult.Deferred && !(d.DeliverBy is { } deadline && now >= deadline))
                {
                    // Past its deadline it gets one last chance at the deadline, rather than expiring before it. Not tried:
                    // neither an attempt nor a claim is spent, so it never looks like a delivery that kills its sender.
                    var notBefore = d.DeliverBy is { } by && outcome.NotBefore > by ? by : outcome.NotBefore;
                    await db.Deliveries.Where(x => x.Id == d.Id && x.LeaseId == leaseId && x.Status == DeliveryStatus.Sending)
                        .ExecuteUpdateAsync(s => s.SetProperty(x => x.Status, DeliveryStatus.Queued).SetProperty(x => x.NextAttemptAt, notBefore)
                            .SetProperty(x => x.LastError, outcome.Error).SetProperty(x => x.Claims, x => x.Claims - 1)
                            .SetProperty(x => x.LeaseId, (string?)null), ct);
                    continue;
                }
                var attempts = d.Attempts + 1;
                var error = outcome.Error is { Length: > 2000 } e ? e[..2000] : outcome.Error;
                var (status, nextAt) = Next(outcome, attempts, d.DeliverBy, now, o);
                if (status == DeliveryStatus.Expired)
                {
                    error = $"Not delivered before its deadline. Last error: {error}";
                }
                if (status is DeliveryStatus.Failed or DeliveryStatus.Expired)
                {
                    LogFailed(logger, d.Id, attempts, error);
                    if (d.ContentKind is not (DeliveryContentKind.SystemAlert or DeliveryContentKind.Test))
                    {
                        ended.Add((d.Channel, error));
                    }
                }
                var recorded = await db.Deliveries.Where(x => x.Id == d.Id && x.LeaseId == leaseId && x.Status == DeliveryStatus.Sending)
                    .ExecuteUpdateAsync(s => s.SetProperty(x => x.Status, status).SetProperty(x => x.Attempts, attempts)
                        .SetProperty(x => x.NextAttemptAt, nextAt).SetProperty(x => x.LastError, error).SetProperty(x => x.LeaseId, (string?)null), ct);
                if (recorded == 1 && status is DeliveryStatus.Failed or DeliveryStatus.Expired)
                {
                    failedEvents.Add(DeliveryEventLog.For(d, DeliveryEventType.Failed, true, now));
                }
            }
            await db.AppendAsync(failedEvents, ct);
            lease.Finished(outcomes.Count);
        }
        if (ended.Count > 0)
        {
            await TellFailuresAsync(ended, ct);
        }
        foreach (var kind in outcomes.Where(x => x.Result == DeliveryResult.Sent).Select(x => byId[x.DeliveryId]).GroupBy(d => d.ContentKind))
        {
            if (sources.FirstOrDefault(s => s.Kind == kind.Key) is { } source)
            {
                await source.OnSentAsync(kind.Select(d => d.ContentId).Distinct().ToList(), ct);
            }
        }
    }

    /// <summary>Deliveries that ended without being sent, per channel, to whoever listens (robots that receive alerts); never fails the dispatch.</summary>
    private async Task TellFailuresAsync(List<(DeliveryChannel Channel, string? Error)> ended, CancellationToken ct)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            foreach (var listener in scope.ServiceProvider.GetServices<IDeliveryFailureListener>())
            {
                foreach (var channel in ended.GroupBy(e => e.Channel))
                {
                    await listener.OnEndedUnsentAsync(channel.Key, channel.Count(), channel.Last().Error, ct);
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogListenerFailed(logger, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Telling about failed deliveries failed; the deliveries are recorded")]
    private static partial void LogListenerFailed(ILogger logger, Exception ex);

    /// <summary>Back to the queue without spending an attempt (the claim did not count).</summary>
    private async Task ReleaseAsync(DeliveryLease lease, List<long> ids, CancellationToken ct)
    {
        var leaseId = lease.Id;
        using (await lease.LockAsync(ct))
        {
            await db.Deliveries.Where(d => ids.Contains(d.Id) && d.LeaseId == leaseId && d.Status == DeliveryStatus.Sending)
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, DeliveryStatus.Queued).SetProperty(d => d.LeaseId, (string?)null)
                    .SetProperty(d => d.NextAttemptAt, (DateTime?)null).SetProperty(d => d.Claims, d => d.Claims - 1), ct);
            lease.Finished(ids.Count);
        }
    }

    /// <summary>The status and next attempt after one outcome that is not Sent.</summary>
    public static (DeliveryStatus Status, DateTime? NextAttemptAt) Next(DeliveryOutcome outcome, int attempts, DateTime? deliverBy, DateTime now, DeliveryOptions o)
    {
        switch (outcome.Result)
        {
            case DeliveryResult.Deferred:
                // Deferred at or after its deadline: it is too late.
                return (DeliveryStatus.Expired, null);
            case DeliveryResult.Suppressed:
                return (DeliveryStatus.Suppressed, null);
            case DeliveryResult.Failed:
                return (DeliveryStatus.Failed, null);
        }
        if (deliverBy is { } deadline && now >= deadline)
        {
            return (DeliveryStatus.Expired, null);
        }
        var wait = Backoff(attempts, o.BackoffBaseSeconds, o.BackoffMaxSeconds);
        if (outcome.RetryAfter is { } after && after > wait)
        {
            wait = after;
        }
        var next = now + wait;
        // The last try falls on the deadline rather than after it.
        return (DeliveryStatus.Queued, deliverBy is { } d && next > d ? d : next);
    }

    /// <summary>Exponential backoff: base × 2^(attempt−1), at most <paramref name="maxSeconds"/>.</summary>
    public static TimeSpan Backoff(int attempt, double baseSeconds, double maxSeconds = double.MaxValue) =>
        TimeSpan.FromSeconds(Math.Min(baseSeconds * Math.Pow(2, Math.Min(attempt - 1, 30)), maxSeconds));

    [LoggerMessage(Level = LogLevel.Error, Message = "Channel {Channel} threw while sending a group; the deliveries without an outcome are retried")]
    private static partial void LogChannelThrew(ILogger logger, Exception ex, DeliveryChannel channel);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery {Id} ended without being sent after {Attempts} attempts: {Error}")]
    private static partial void LogFailed(ILogger logger, long id, int attempts, string? error);
}

/// <summary>Runs the dispatcher in the background: on a signal from the producers or every poll interval.</summary>
public sealed partial class DeliveryDispatcherService(IServiceProvider services, DeliverySignal signal, IOptions<DeliveryOptions> options, ILogger<DeliveryDispatcherService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.DispatcherEnabled)
        {
            return;
        }
        var interval = TimeSpan.FromSeconds(options.Value.PollIntervalSeconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using (var scope = services.CreateAsyncScope())
                {
                    await scope.ServiceProvider.GetRequiredService<DeliveryDispatcher>().DispatchDueAsync(stoppingToken);
                }
                await signal.WaitAsync(interval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (Exception ex)
            {
                LogError(logger, ex);
                try { await Task.Delay(interval, stoppingToken); } catch (OperationCanceledException) { break; }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Delivery dispatcher failed; retrying")]
    private static partial void LogError(ILogger logger, Exception ex);
}
