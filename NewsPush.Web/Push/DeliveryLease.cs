using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using NewsPush.Data;
using NewsPush.Data.Entities;

namespace NewsPush.Web.Push;

/// <summary>
/// One claim's lease, owned end to end: renewed every quarter of its length while the claim is worked off (on a
/// DbContext of its own), and lost as soon as a renewal finds fewer of our rows than we still hold — another
/// dispatcher took some — or when no renewal has succeeded for half its length. Once lost, <see cref="IsHeld"/> is
/// false for good and the channels stop sending. Renewals and outcome records are serialized through
/// <see cref="LockAsync"/> so the count of rows still held is exact.
/// </summary>
public sealed partial class DeliveryLease : IAsyncDisposable
{
    private readonly IServiceScopeFactory scopes;
    private readonly TimeProvider clock;
    private readonly TimeSpan length;
    private readonly ILogger logger;
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly CancellationTokenSource stop = new();
    private readonly Task renewing;
    private long lastRenewed = Stopwatch.GetTimestamp();
    private volatile bool lost;
    private int outstanding;

    public DeliveryLease(string id, int claimed, TimeSpan length, IServiceScopeFactory scopes, TimeProvider clock, ILogger logger)
    {
        Id = id;
        outstanding = claimed;
        this.length = length;
        this.scopes = scopes;
        this.clock = clock;
        this.logger = logger;
        renewing = Task.Run(RenewLoopAsync);
    }

    public string Id { get; }

    public bool IsHeld => !lost && Stopwatch.GetElapsedTime(Interlocked.Read(ref lastRenewed)) < length / 2;

    /// <summary>Serializes a record of outcomes with the renewals; call <see cref="Finished"/> inside for the rows no longer held.</summary>
    public async Task<IDisposable> LockAsync(CancellationToken ct)
    {
        await gate.WaitAsync(ct);
        return new Releaser(gate);
    }

    /// <summary>Rows recorded (or released): no longer ours to hold.</summary>
    public void Finished(int rows) => outstanding = Math.Max(0, outstanding - rows);

    private async Task RenewLoopAsync()
    {
        var every = length / 4;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(every, stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            try
            {
                await gate.WaitAsync(stop.Token);
                try
                {
                    if (outstanding == 0)
                    {
                        continue;
                    }
                    await using var scope = scopes.CreateAsyncScope();
                    var db = scope.ServiceProvider.GetRequiredService<NewsPushDbContext>();
                    var until = clock.GetUtcNow().UtcDateTime + length;
                    var held = await db.Deliveries.Where(d => d.LeaseId == Id && d.Status == DeliveryStatus.Sending)
                        .ExecuteUpdateAsync(s => s.SetProperty(d => d.NextAttemptAt, until), stop.Token);
                    if (held < outstanding)
                    {
                        lost = true;
                        LogLost(logger, Id, outstanding - held);
                        return;
                    }
                    Interlocked.Exchange(ref lastRenewed, Stopwatch.GetTimestamp());
                }
                finally
                {
                    gate.Release();
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception ex)
            {
                // The database is unreachable: the lease runs out by itself unless a later renewal succeeds.
                LogRenewFailed(logger, ex, Id);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        try
        {
            await renewing;
        }
        catch (OperationCanceledException)
        {
        }
        stop.Dispose();
    }

    private sealed class Releaser(SemaphoreSlim gate) : IDisposable
    {
        public void Dispose() => gate.Release();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lease {LeaseId} lost: {Rows} rows are held by another dispatcher; stopping")]
    private static partial void LogLost(ILogger logger, string leaseId, int rows);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lease {LeaseId} could not be renewed")]
    private static partial void LogRenewFailed(ILogger logger, Exception ex, string leaseId);
}
