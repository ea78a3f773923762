namespace NewsPush.Web.Infrastructure.Realtime;

public static class RealtimeServiceCollectionExtensions
{
    /// <summary>
    /// SignalR for live badges. Several web nodes: hub messages go through Redis so a reader's badge updates
    /// whichever node holds their connection. One node (the default) needs no Redis.
    /// Features nudge badges through <see cref="ReaderNotifier"/> (best effort, after their commit), never through
    /// the hub context directly; the "realtime" health check reports Degraded while nudges fail.
    /// </summary>
    public static IServiceCollection AddRealtime(this IServiceCollection services, IConfiguration configuration)
    {
        var signalR = services.AddSignalR();
        var redis = configuration["Redis:ConnectionString"];
        if (!string.IsNullOrWhiteSpace(redis))
        {
            signalR.AddStackExchangeRedis(redis, o =>
            {
                o.Configuration.ChannelPrefix = StackExchange.Redis.RedisChannel.Literal("newspush");
                // While Redis is unreachable a publish fails at once instead of waiting in a backlog (and being sent
                // late, possibly before the subscriptions are back): ReaderNotifier keeps what failed and catches up.
                o.Configuration.BacklogPolicy = StackExchange.Redis.BacklogPolicy.FailFast;
            });
        }
        services.AddOptions<RealtimeOptions>().BindConfiguration(RealtimeOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ReaderNotifier>();
        services.AddSingleton<HubConnectionLimiter>();
        services.AddHostedService<ReaderNotifierService>();
        services.AddHealthChecks().AddCheck<ReaderNotifierHealthCheck>(ReaderNotifierHealthCheck.Name);
        return services;
    }

    public static IEndpointRouteBuilder MapRealtime(this IEndpointRouteBuilder app)
    {
        app.MapHub<NotificationHub>(NotificationHub.Path);
        return app;
    }
}
