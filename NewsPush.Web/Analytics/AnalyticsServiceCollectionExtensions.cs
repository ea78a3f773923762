using Quartz;

namespace NewsPush.Web.Analytics;

/// <summary>Analytics: the roll-up job over deliveries, their events and reader interactions; the reports and their API.</summary>
public static class AnalyticsServiceCollectionExtensions
{
    public static IServiceCollection AddAnalytics(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AnalyticsOptions>().BindConfiguration(AnalyticsOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddScoped<RollupBuilder>();
        services.AddScoped<AnalyticsQueries>();
        var section = configuration.GetSection(AnalyticsOptions.SectionName);
        if (section.GetValue(nameof(AnalyticsOptions.RollupEnabled), true))
        {
            var seconds = section.GetValue(nameof(AnalyticsOptions.RollupIntervalSeconds), new AnalyticsOptions().RollupIntervalSeconds);
            services.AddQuartz(q =>
            {
                q.AddJob<RollupJob>(j => j.WithIdentity(RollupJob.Key).StoreDurably().WithDescription("Adds new deliveries, delivery events and interactions to the analytics roll-ups"));
                q.AddTrigger(t => t.ForJob(RollupJob.Key).WithIdentity("analytics-rollup-trigger", "analytics")
                    .WithSimpleSchedule(s => s.WithInterval(TimeSpan.FromSeconds(seconds)).RepeatForever()));
            });
        }
        return services;
    }
}
