using Microsoft.Extensions.Options;
using NewsPush.Web.Push;
using Quartz;

namespace NewsPush.Web.WebPush;

/// <summary>Browser notifications: keys, the subscription API, the channel, and the sweep of unused subscriptions.</summary>
public static class WebPushServiceCollectionExtensions
{
    public static IServiceCollection AddWebPush(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<WebPushOptions>().BindConfiguration(WebPushOptions.SectionName).ValidateDataAnnotations()
            .Validate(o => o.Subject.StartsWith("mailto:", StringComparison.Ordinal)
                || (Uri.TryCreate(o.Subject, UriKind.Absolute, out var u) && u.Scheme == Uri.UriSchemeHttps), "WebPush:Subject must be a mailto: or https: address.")
            .Validate(o => string.IsNullOrWhiteSpace(o.PublicKey) && string.IsNullOrWhiteSpace(o.PrivateKey)
                || (!string.IsNullOrWhiteSpace(o.PublicKey) && !string.IsNullOrWhiteSpace(o.PrivateKey) && VapidKeyPair.Validate(o.PublicKey, o.PrivateKey) is null),
                "WebPush:PublicKey and WebPush:PrivateKey must be set together and be one P-256 pair (base64url); `webpush keys` prints a new one.")
            .ValidateOnStart();
        services.AddSingleton<VapidKeyStore>();
        services.AddSingleton<VapidSigner>();
        services.AddScoped<WebPushSubscriptions>();
        services.AddScoped<WebPushMaintenance>();
        services.AddHttpClient<WebPushClient>((sp, http) =>
            {
                http.Timeout = TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<WebPushOptions>>().Value.RequestTimeoutSeconds);
            })
            .ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
            {
                // Connections to each push service are kept and reused; recycled every few minutes to follow DNS.
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                MaxConnectionsPerServer = sp.GetRequiredService<IOptions<WebPushOptions>>().Value.Parallelism,
                ConnectTimeout = TimeSpan.FromSeconds(10),
                AllowAutoRedirect = false,
                EnableMultipleHttp2Connections = true,
            })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            // The channel logs each outcome itself; the factory's per-request log scopes cost several percent of the send.
            .RemoveAllLoggers();
        services.AddChannel<WebPushChannel>();
        services.AddDeliveryContent<WebPushExpiringContentSource>();
        var cron = configuration.GetSection(WebPushOptions.SectionName)[nameof(WebPushOptions.MaintenanceCron)] ?? new WebPushOptions().MaintenanceCron;
        services.AddQuartz(q =>
        {
            q.AddJob<WebPushMaintenanceJob>(j => j.WithIdentity(WebPushMaintenanceJob.Key).StoreDurably().WithDescription("Warns and removes unused browser subscriptions"));
            q.AddTrigger(t => t.ForJob(WebPushMaintenanceJob.Key).WithIdentity("webpush-maintenance-trigger", "webpush")
                .WithCronSchedule(cron, c => c.InTimeZone(TimeZoneInfo.Utc)));
        });
        return services;
    }

    public static IEndpointRouteBuilder MapWebPush(this IEndpointRouteBuilder app)
    {
        app.MapWebPushApi();
        return app;
    }
}
