using Quartz;

namespace NewsPush.Web.Jobs;

public static class JobsServiceCollectionExtensions
{
    /// <summary>
    /// The Quartz scheduler. Features register their own jobs with <c>services.AddQuartz(q => q.AddJob…)</c>.
    /// </summary>
    public static IServiceCollection AddNewsPushJobs(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddQuartz(_ => { });
        services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        return services;
    }
}
