using Microsoft.Extensions.Options;
using Quartz;

namespace NewsPush.Web.Campaigns;

/// <summary>Breaking-news pushes: composer, audience, review, schedule and fan-out to every channel.</summary>
public static class CampaignsServiceCollectionExtensions
{
    public static IServiceCollection AddCampaigns(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<CampaignOptions>().BindConfiguration(CampaignOptions.SectionName)
            // The newsroom's zone, unless the pushes are given one of their own.
            .Configure<IConfiguration>((o, config) => o.NewsroomTimeZone = config["Campaigns:NewsroomTimeZone"] ?? config["Newsroom:TimeZone"] ?? o.NewsroomTimeZone)
            .ValidateDataAnnotations()
            .Validate(o => NewsPush.Web.Infrastructure.TimeZones.TryFind(o.NewsroomTimeZone, out _), "Campaigns:NewsroomTimeZone must be an IANA time zone.")
            .ValidateOnStart();
        services.AddScoped<CampaignAudience>();
        services.AddScoped<CampaignPreview>();
        services.AddScoped<CampaignSender>();
        services.AddScoped<CampaignWorkflow>();
        services.AddScoped<CampaignRunner>();
        var section = configuration.GetSection(CampaignOptions.SectionName);
        if (section.GetValue(nameof(CampaignOptions.SchedulingEnabled), true))
        {
            var seconds = section.GetValue(nameof(CampaignOptions.PollSeconds), new CampaignOptions().PollSeconds);
            services.AddQuartz(q =>
            {
                q.AddJob<CampaignJob>(j => j.WithIdentity(CampaignJob.Key).StoreDurably().RequestRecovery().WithDescription("Starts due pushes and continues their fan-out"));
                q.AddTrigger(t => t.ForJob(CampaignJob.Key).WithIdentity("campaigns-trigger", "push")
                    .WithSimpleSchedule(s => s.WithInterval(TimeSpan.FromSeconds(seconds)).RepeatForever()));
            });
        }
        return services;
    }
}
