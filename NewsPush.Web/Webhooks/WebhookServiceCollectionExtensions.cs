using Microsoft.Extensions.Options;
using NewsPush.Web.Push;
using Quartz;

namespace NewsPush.Web.Webhooks;

/// <summary>Chat robots and webhooks: the SSRF-safe client, the channel, and the newsroom's robot pages.</summary>
public static class WebhookServiceCollectionExtensions
{
    public static IServiceCollection AddWebhooks(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => new WebhookAddressPolicy(sp.GetRequiredService<IOptions<WebhookOptions>>().Value.AllowPrivateNetworks));
        services.AddSingleton<RobotSecrets>();
        services.AddScoped<RobotAdmin>();
        services.AddScoped<RobotAlerts>();
        services.AddScoped<RobotFanout>();
        services.AddScoped<ReaderWebhooks>();
        services.AddScoped<IChannelPauseListener>(sp => sp.GetRequiredService<RobotAlerts>());
        services.AddScoped<IDeliveryFailureListener>(sp => sp.GetRequiredService<RobotAlerts>());
        services.AddDeliveryContent<SystemAlertContentSource>();
        services.AddHttpClient<WebhookClient>((sp, http) =>
            {
                http.Timeout = TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<WebhookOptions>>().Value.RequestTimeoutSeconds);
                http.DefaultRequestHeaders.UserAgent.ParseAdd("NewsPush-Webhooks/1.0");
            })
            .ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
            {
                // Every connection goes through the address check; redirects are answers, never followed.
                ConnectCallback = sp.GetRequiredService<WebhookAddressPolicy>().ConnectAsync,
                AllowAutoRedirect = false,
                UseProxy = false,
                PooledConnectionLifetime = TimeSpan.FromMinutes(2),
                ConnectTimeout = TimeSpan.FromSeconds(10),
            })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);
        services.AddChannel<WebhookChannel>();
        services.AddScoped<RobotDigests>();
        services.AddDeliveryContent<ColumnDigestContentSource>();
        if (!configuration.GetValue(WebhookOptions.SectionName + ":" + nameof(WebhookOptions.DigestSchedulingEnabled), true))
        {
            return services;
        }
        services.AddQuartz(q =>
        {
            q.AddJob<RobotDigestJob>(j => j.WithIdentity(RobotDigestJob.Key).StoreDurably().WithDescription("Queues the robots' daily column digests"));
            q.AddTrigger(t => t.ForJob(RobotDigestJob.Key).WithIdentity("robot-digests-trigger", "webhooks")
                .WithCronSchedule("0 * * * * ?", c => c.InTimeZone(TimeZoneInfo.Utc)));
        });
        return services;
    }
}
