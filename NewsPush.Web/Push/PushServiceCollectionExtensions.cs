using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using NewsPush.Web.Digests;
using NewsPush.Web.Inbox;
using NewsPush.Web.Preferences;
using Quartz;

namespace NewsPush.Web.Push;

/// <summary>Registration of the push feature: inbox, preferences, digests, outbox and channels.</summary>
public static class PushServiceCollectionExtensions
{
    public static IServiceCollection AddPush(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DigestOptions>().BindConfiguration(DigestOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<DeliveryOptions>().BindConfiguration(DeliveryOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        var signalR = services.AddSignalR();
        // Several web nodes: hub messages go through Redis so a reader's badge updates whichever node
        // holds their connection. One node (the default) needs no Redis.
        var redis = configuration["Redis:ConnectionString"];
        if (!string.IsNullOrWhiteSpace(redis))
        {
            signalR.AddStackExchangeRedis(redis, o => o.Configuration.ChannelPrefix = StackExchange.Redis.RedisChannel.Literal("newspush"));
        }

        services.AddScoped<InboxService>();
        services.AddScoped<PreferencesService>();
        services.AddScoped<TrackingService>();
        services.AddSingleton<UnsubscribeTokens>();
        services.AddScoped<DigestRunner>();
        services.AddScoped<DeliveryDispatcher>();
        services.AddScoped<IChannelSender, InboxChannel>();
        services.AddScoped<IChannelSender, EmailChannel>();
        services.AddSingleton<DeliverySignal>();
        services.AddHostedService<DigestScheduleSync>();
        services.AddHostedService<DeliveryDispatcherService>();

        services.AddQuartz(q => q.AddJob<DigestJob>(j => j.WithIdentity(DigestJob.Key).StoreDurably()));

        // The JSON API answers 401/403, not a redirect to the login page.
        services.PostConfigure<CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme, o =>
        {
            var toLogin = o.Events.OnRedirectToLogin;
            var toDenied = o.Events.OnRedirectToAccessDenied;
            o.Events.OnRedirectToLogin = ctx => IsApi(ctx.Request) ? Status(ctx.Response, 401) : toLogin(ctx);
            o.Events.OnRedirectToAccessDenied = ctx => IsApi(ctx.Request) ? Status(ctx.Response, 403) : toDenied(ctx);
        });
        return services;
    }

    public static WebApplication MapPush(this WebApplication app)
    {
        app.MapHub<NotificationHub>(NotificationHub.Path);
        app.MapTracking();
        app.MapInboxApi();
        return app;
    }

    private static bool IsApi(HttpRequest request) => request.Path.StartsWithSegments("/api") || request.Path.StartsWithSegments("/hubs");

    private static Task Status(HttpResponse response, int status)
    {
        response.StatusCode = status;
        return Task.CompletedTask;
    }
}
