namespace NewsPush.Web.Inbox;

public static class InboxServiceCollectionExtensions
{
    /// <summary>The in-site inbox (站内信): pages, the JSON API and the service behind both.</summary>
    public static IServiceCollection AddInbox(this IServiceCollection services)
    {
        services.AddScoped<InboxService>();
        services.AddScoped<BroadcastAudience>();
        services.AddSingleton<UnreadBadgeCache>();
        return services;
    }

    public static IEndpointRouteBuilder MapInbox(this IEndpointRouteBuilder app)
    {
        app.MapInboxApi();
        return app;
    }
}
