using NewsPush.Web.Push;
using Quartz;

namespace NewsPush.Web.Digests;

public static class DigestsServiceCollectionExtensions
{
    /// <summary>Personalized digests: the runner, its Quartz job and the schedules admins edit.</summary>
    public static IServiceCollection AddDigests(this IServiceCollection services)
    {
        services.AddOptions<DigestOptions>().BindConfiguration(DigestOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddScoped<DigestRunner>();
        services.AddDeliveryContent<DigestContentSource>();
        services.AddScoped<DigestScheduleService>();
        services.AddHostedService<DigestScheduleSync>();
        services.AddQuartz(q => q.AddJob<DigestJob>(j => j.WithIdentity(DigestJob.Key).StoreDurably()));
        return services;
    }
}
