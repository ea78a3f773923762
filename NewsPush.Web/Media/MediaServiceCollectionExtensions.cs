namespace NewsPush.Web.Media;

public static class MediaServiceCollectionExtensions
{
    /// <summary>Pictures: reading uploads, storing and serving them, the feature image of articles, seeded cards.</summary>
    public static IServiceCollection AddMedia(this IServiceCollection services)
    {
        services.AddOptions<MediaOptions>().BindConfiguration(MediaOptions.SectionName).ValidateDataAnnotations()
            .Validate(o => o.Widths.Count > 0 && o.Widths[0] >= 16, "Media:VariantWidths must list widths of at least 16 pixels.")
            .ValidateOnStart();
        services.AddSingleton<ImageProcessor>();
        services.AddScoped<MediaLibrary>();
        services.AddScoped<FeatureImages>();
        services.AddSingleton<MediaSeeder>();
        services.AddHostedService(sp => sp.GetRequiredService<MediaSeeder>());
        return services;
    }
}
