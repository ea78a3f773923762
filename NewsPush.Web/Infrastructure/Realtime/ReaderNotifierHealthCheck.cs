using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace NewsPush.Web.Infrastructure.Realtime;

/// <summary>
/// Degraded while live-badge nudges are failing (the site works, badges lag until the backplane is back).
/// Reads the notifier's state only: no Redis round trip per probe of /healthz.
/// </summary>
public sealed class ReaderNotifierHealthCheck(ReaderNotifier notifier) : IHealthCheck
{
    public const string Name = "realtime";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = notifier.Status;
        return Task.FromResult(status.FailingSince is { } since
            ? HealthCheckResult.Degraded($"Live inbox nudges have been failing since {since:yyyy-MM-ddTHH:mm:ssZ}; open badges catch up once the SignalR backplane answers again.")
            : HealthCheckResult.Healthy("Live inbox nudges are being sent."));
    }
}
