namespace NewsPush.Web.Preferences;

public static class PreferencesServiceCollectionExtensions
{
    /// <summary>Readers' push preferences and one-click unsubscribe tokens.</summary>
    public static IServiceCollection AddPreferences(this IServiceCollection services)
    {
        services.AddScoped<PreferencesService>();
        services.AddSingleton<UnsubscribeTokens>();
        return services;
    }
}
