namespace NewsPush.Web.Interactions;

public static class InteractionsServiceCollectionExtensions
{
    /// <summary>The interaction log: an in-memory queue on the request path, written in batches by a background service.</summary>
    public static IServiceCollection AddInteractions(this IServiceCollection services)
    {
        services.AddOptions<InteractionOptions>().BindConfiguration(InteractionOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<InteractionRecorder>();
        services.AddHostedService<InteractionWriter>();
        return services;
    }
}
