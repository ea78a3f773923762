using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Web.Push;
using Quartz;

namespace NewsPush.Web.WebPush;

public sealed record MaintenanceResult(int Warned, int Removed);

/// <summary>
/// Dead-subscription cleanup that does not wait for a push service to say 410: a browser not seen for
/// <see cref="WebPushOptions.ExpiryWarningDays"/> gets one "notifications stop soon" push (a visit renews it), and one
/// not seen for <see cref="WebPushOptions.ExpiryDays"/> is removed.
/// </summary>
public sealed class WebPushMaintenance(NewsPushDbContext db, WebPushSubscriptions subscriptions, DeliverySignal signal, IOptions<WebPushOptions> options, TimeProvider clock)
{
    public async Task<MaintenanceResult> RunAsync(CancellationToken ct)
    {
        var o = options.Value;
        var now = clock.GetUtcNow().UtcDateTime;
        var expiredBefore = now.AddDays(-o.ExpiryDays);
        var expiredUsers = await db.WebPushSubscriptions.Where(s => s.LastSeenAt < expiredBefore).Select(s => s.UserId).Distinct().ToListAsync(ct);
        var removed = await db.WebPushSubscriptions.Where(s => s.LastSeenAt < expiredBefore).ExecuteDeleteAsync(ct);
        if (expiredUsers.Count > 0)
        {
            await subscriptions.SyncEnabledAsync(expiredUsers, ct);
        }

        var warnBefore = now.AddDays(-o.ExpiryWarningDays);
        var toWarn = await db.WebPushSubscriptions.Where(s => s.LastSeenAt < warnBefore && s.ExpiryWarnedAt == null)
            .OrderBy(s => s.Id).Take(10_000).ToListAsync(ct);
        if (toWarn.Count > 0)
        {
            var deliverBy = now.AddDays(Math.Max(1, o.ExpiryDays - o.ExpiryWarningDays));
            await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
            {
                await using var tx = await db.Database.BeginTransactionAsync(ct);
                foreach (var s in toWarn)
                {
                    s.ExpiryWarnedAt = now;
                    db.Deliveries.Add(new Delivery
                    {
                        UserId = s.UserId, Channel = DeliveryChannel.WebPush, EndpointId = s.Id, ContentKind = DeliveryContentKind.WebPushExpiring,
                        ContentId = WebPushExpiringContentSource.IdleSince(s.LastSeenAt), Status = DeliveryStatus.Queued,
                        TrackingToken = TrackingTokens.New(), CreatedAt = now, DeliverBy = deliverBy,
                    });
                }
                await db.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);
            });
            signal.Notify();
        }
        return new MaintenanceResult(toWarn.Count, removed);
    }
}

/// <summary>The words of the warning; its link opens the preferences, and the visit itself renews the browser.</summary>
public sealed class WebPushExpiringContentSource(IOptions<WebPushOptions> options) : IDeliveryContentSource
{
    public DeliveryContentKind Kind => DeliveryContentKind.WebPushExpiring;

    /// <summary>The content id: the day the browser was last seen, so each idle period warns once.</summary>
    public static long IdleSince(DateTime lastSeenAt) => DateOnly.FromDateTime(lastSeenAt).DayNumber - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber;

    public Task<IReadOnlyDictionary<long, DeliveryContent>> LoadAsync(IReadOnlyCollection<long> ids, CancellationToken ct)
    {
        var o = options.Value;
        var left = Math.Max(1, o.ExpiryDays - o.ExpiryWarningDays);
        return Task.FromResult<IReadOnlyDictionary<long, DeliveryContent>>(ids.Distinct().ToDictionary(id => id, id => new DeliveryContent(
            DeliveryContentKind.WebPushExpiring, id, "NewsPush notifications stop soon in this browser",
            $"You have not opened NewsPush here for {o.ExpiryWarningDays} days. Open it once within {left} days to keep notifications.",
            "/preferences", [])));
    }
}

[DisallowConcurrentExecution]
public sealed class WebPushMaintenanceJob(WebPushMaintenance maintenance, ILogger<WebPushMaintenanceJob> logger) : IJob
{
    public static readonly JobKey Key = new("webpush-maintenance", "webpush");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken ct)
    {
        var result = await maintenance.RunAsync(ct);
        logger.LogInformation("Web Push maintenance: {Warned} browsers warned, {Removed} unused subscriptions removed", result.Warned, result.Removed);
    }
}
