using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace NewsPush.Web.Infrastructure;

/// <summary>
/// /healthz: 200 for Healthy and Degraded (the site serves; a load balancer must not take the node out because
/// live badges lag), 503 for Unhealthy; a small JSON body with the overall and each check's status.
/// </summary>
public static class HealthResponse
{
    public static HealthCheckOptions Options() => new()
    {
        ResultStatusCodes =
        {
            [HealthStatus.Healthy] = StatusCodes.Status200OK,
            [HealthStatus.Degraded] = StatusCodes.Status200OK,
            [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
        },
        ResponseWriter = WriteAsync,
    };

    private static Task WriteAsync(HttpContext http, HealthReport report) => http.Response.WriteAsJsonAsync(new
    {
        Status = report.Status.ToString(),
        Checks = report.Entries.ToDictionary(e => e.Key, e => new { Status = e.Value.Status.ToString(), e.Value.Description }),
    });
}
