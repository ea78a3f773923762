using Microsoft.Extensions.DependencyInjection.Extensions;
using NewsPush.Data;
using NewsPush.Recommender;
using Quartz;

namespace NewsPush.Web.Recommendations;

public static class RecommendationsServiceCollectionExtensions
{
    /// <summary>The model-backed "For you"/digest recommender with its fallback, training, and the retrain job.</summary>
    public static IServiceCollection AddNewsPushRecommendations(this IServiceCollection services, IConfiguration configuration, string contentRoot)
    {
        services.AddOptions<RecommenderOptions>().BindConfiguration(RecommenderOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate(o => Jobs.Cron.IsValid(o.RetrainCron), "Recommender:RetrainCron is not a valid Quartz cron expression.")
            .ValidateOnStart();
        var options = configuration.GetSection(RecommenderOptions.SectionName).Get<RecommenderOptions>() ?? new RecommenderOptions();
        var database = configuration.GetSection(DatabaseOptions.SectionName).Get<DatabaseOptions>() ?? new DatabaseOptions();
        services.AddNewsPushRecommender(database.ResolveUnderDataFolder(contentRoot, options.ModelFolder));
        services.AddSingleton<ModelFiles>();
        services.AddSingleton<ActiveModel>();
        services.AddSingleton<ReaderFeedCache>();
        services.AddScoped<RecommenderDataLoader>();
        services.AddScoped<ModelTrainingService>();
        services.AddMemoryCache();
        services.TryAddSingleton<NewsPush.Web.Infrastructure.ContentChanges>();
        services.AddScoped<PopularFreshRecommender>();
        services.AddScoped<IArticleRecommender, ModelRecommender>();
        services.AddScoped<IInterestPredictor, ActiveModelInterestPredictor>();
        if (options.RetrainEnabled)
        {
            services.AddQuartz(q =>
            {
                q.AddJob<RetrainModelJob>(j => j.WithIdentity(RetrainModelJob.Key).StoreDurably());
                q.AddTrigger(t => t.ForJob(RetrainModelJob.Key).WithIdentity("recommender-retrain-trigger", "recommender")
                    .WithCronSchedule(options.RetrainCron, c => c.InTimeZone(TimeZoneInfo.Utc)));
            });
        }
        return services;
    }
}
