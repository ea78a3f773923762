using NewsPush.Web.Push.Channels;

namespace NewsPush.Web.Push;

/// <summary>Registration of the delivery engine: the outbox dispatcher, its channels, channel health and tracking.</summary>
public static class PushServiceCollectionExtensions
{
    public static IServiceCollection AddPush(this IServiceCollection services)
    {
        services.AddOptions<DeliveryOptions>().BindConfiguration(DeliveryOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddScoped<TrackingService>();
        services.AddScoped<AudiencePlanner>();
        services.AddScoped<ChannelHealth>();
        services.AddScoped<DeliveryAdminService>();
        services.AddScoped<TestNotifications>();
        services.AddDeliveryContent<TestNotificationContentSource>();
        services.AddDeliveryContent<BreakingContentSource>();
        services.AddScoped<DeliveryDispatcher>();
        services.AddSingleton<DeliverySignal>();
        services.AddHostedService<DeliveryDispatcherService>();

        services.AddChannel<InboxChannel>();
        services.AddChannel<EmailChannel>();
        return services;
    }

    /// <summary>A channel is one sender class plus this one line.</summary>
    public static IServiceCollection AddChannel<TSender>(this IServiceCollection services) where TSender : class, IChannelSender =>
        services.AddScoped<IChannelSender, TSender>();

    /// <summary>A feature that produces deliveries of a kind registers the source of that kind's content.</summary>
    public static IServiceCollection AddDeliveryContent<TSource>(this IServiceCollection services) where TSource : class, IDeliveryContentSource =>
        services.AddScoped<IDeliveryContentSource, TSource>();

    public static IEndpointRouteBuilder MapPush(this IEndpointRouteBuilder app)
    {
        app.MapTracking();
        app.MapTestNotifications();
        return app;
    }
}
