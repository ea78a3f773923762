using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NewsPush.Data;
using NewsPush.Data.Entities;

namespace NewsPush.Web.Push;

/// <summary>
/// Works off the outbox: claims due deliveries (a lease, so a crashed sender's rows come back), hands them
/// to the channel senders, and records the outcome — Sent, retried with exponential backoff, Failed with the
/// reason after <see cref="DeliveryOptions.MaxAttempts"/> or on a permanent error, or Suppressed.
/// </summary>
public sealed partial class DeliveryDispatcher(
    NewsPushDbContext db,
    IEnumerable<IChannelSender> senders,
    TimeProvider clock,
    IOptions<DeliveryOptions> options,
    ILogger<DeliveryDispatcher> logger)
{
    /// <summary>Delivers everything due now; returns the number of deliveries handled.</summary>
    public async Task<int> DispatchDueAsync(CancellationToken ct)
    {
        var total = 0;
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
        var ids = await db.Deliveries.AsNoTracking()
            .Where(d => (d.Status == DeliveryStatus.Queued && (d.NextAttemptAt == null || d.NextAttemptAt <= now))
                || (d.Status == DeliveryStatus.Sending && d.NextAttemptAt <= now))
            .OrderBy(d => d.Id)
            .Select(d => d.Id)
            .Take(o.BatchSize)
            .ToListAsync(ct);
        if (ids.Count == 0)
        {
            return 0;
        }
        // The claim: rows still due become Sending until the lease expires, marked with this claim's own id, so
        // two dispatchers (on two nodes) claiming at the same instant each read back only the rows they won.
        var lease = now.AddSeconds(o.LeaseSeconds);
        var leaseId = Guid.NewGuid().ToString("N");
        var updated = await db.Deliveries
            .Where(d => ids.Contains(d.Id) && ((d.Status == DeliveryStatus.Queued && (d.NextAttemptAt == null || d.NextAttemptAt <= now))
                || (d.Status == DeliveryStatus.Sending && d.NextAttemptAt <= now)))
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, DeliveryStatus.Sending).SetProperty(d => d.NextAttemptAt, lease)
                .SetProperty(d => d.LeaseId, leaseId), ct);
        if (updated == 0)
        {
            // Another dispatcher claimed them all first.
            return ids.Count;
        }
        var claimed = await db.Deliveries.AsNoTracking()
            .Where(d => ids.Contains(d.Id) && d.Status == DeliveryStatus.Sending && d.LeaseId == leaseId)
            .ToListAsync(ct);
        if (claimed.Count == 0)
        {
            return ids.Count;
        }

        foreach (var group in claimed.GroupBy(d => d.Channel))
        {
            var sender = senders.FirstOrDefault(s => s.Channel == group.Key);
            if (sender is null)
            {
                await RecordAsync(claimed, group.Select(d => new DeliveryOutcome(d.Id, DeliveryResult.Failed, $"no sender for channel {group.Key}")).ToList(), ct);
                continue;
            }
            foreach (var chunk in group.Chunk(Math.Max(1, sender.GroupSize)))
            {
                List<DeliveryOutcome> outcomes;
                try
                {
                    outcomes = [.. await sender.SendAsync(chunk, ct)];
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogChannelFailed(logger, ex, group.Key);
                    outcomes = chunk.Select(d => new DeliveryOutcome(d.Id, DeliveryResult.Retry, ex.Message)).ToList();
                }
                await RecordAsync(claimed, outcomes, ct);
            }
        }
        return claimed.Count;
    }

    private async Task RecordAsync(List<Delivery> claimed, List<DeliveryOutcome> outcomes, CancellationToken ct)
    {
        var o = options.Value;
        var now = clock.GetUtcNow().UtcDateTime;
        var byId = claimed.ToDictionary(d => d.Id);
        var sentIds = outcomes.Where(x => x.Result == DeliveryResult.Sent).Select(x => x.DeliveryId).ToList();
        if (sentIds.Count > 0)
        {
            await db.Deliveries.Where(d => sentIds.Contains(d.Id))
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, DeliveryStatus.Sent).SetProperty(d => d.SentAt, now)
                    .SetProperty(d => d.Attempts, d => d.Attempts + 1).SetProperty(d => d.NextAttemptAt, (DateTime?)null).SetProperty(d => d.LastError, (string?)null), ct);
            var digestIds = sentIds.Select(id => byId[id].DigestId).OfType<long>().Distinct().ToList();
            await db.Digests.Where(d => digestIds.Contains(d.Id) && d.Status == DigestStatus.Composed)
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, DigestStatus.Delivered), ct);
        }
        foreach (var outcome in outcomes.Where(x => x.Result != DeliveryResult.Sent))
        {
            var d = byId[outcome.DeliveryId];
            var attempts = d.Attempts + 1;
            var error = outcome.Error is { Length: > 2000 } e ? e[..2000] : outcome.Error;
            var (status, next) = outcome.Result switch
            {
                DeliveryResult.Suppressed => (DeliveryStatus.Suppressed, (DateTime?)null),
                DeliveryResult.Retry when attempts < o.MaxAttempts => (DeliveryStatus.Queued, now + Backoff(attempts, o.BackoffBaseSeconds)),
                _ => (DeliveryStatus.Failed, (DateTime?)null),
            };
            if (status == DeliveryStatus.Failed)
            {
                LogFailed(logger, d.Id, d.Channel, attempts, error);
            }
            await db.Deliveries.Where(x => x.Id == d.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.Status, status).SetProperty(x => x.Attempts, attempts)
                    .SetProperty(x => x.NextAttemptAt, next).SetProperty(x => x.LastError, error), ct);
        }
    }

    /// <summary>Exponential backoff: base × 2^(attempt−1).</summary>
    public static TimeSpan Backoff(int attempt, double baseSeconds) =>
        TimeSpan.FromSeconds(baseSeconds * Math.Pow(2, Math.Min(attempt - 1, 20)));

    [LoggerMessage(Level = LogLevel.Error, Message = "Channel {Channel} failed for a whole batch; retrying later")]
    private static partial void LogChannelFailed(ILogger logger, Exception ex, DeliveryChannel channel);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery {Id} over {Channel} failed for good after {Attempts} attempts: {Error}")]
    private static partial void LogFailed(ILogger logger, long id, DeliveryChannel channel, int attempts, string? error);
}

/// <summary>Runs the dispatcher in the background: on a signal from the digest runner or every poll interval.</summary>
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
