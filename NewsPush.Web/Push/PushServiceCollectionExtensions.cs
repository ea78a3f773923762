namespace NewsPush.Web.Push;

/// <summary>Registration of the delivery engine: the outbox dispatcher, its channels and tracking.</summary>
public static class PushServiceCollectionExtensions
{
    public static IServiceCollection AddPush(this IServiceCollection services)
    {
        services.AddOptions<DeliveryOptions>().BindConfiguration(DeliveryOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddScoped<TrackingService>();
        services.AddScoped<DeliveryDispatcher>();
        services.AddScoped<IChannelSender, InboxChannel>();
        services.AddScoped<IChannelSender, EmailChannel>();
        services.AddSingleton<DeliverySignal>();
        services.AddHostedService<DeliveryDispatcherService>();
        return services;
    }

    public static IEndpointRouteBuilder MapPush(this IEndpointRouteBuilder app)
    {
        app.MapTracking();
        return app;
    }
}
