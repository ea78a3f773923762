using NewsPush.Data.Entities;
using Quartz;

namespace NewsPush.Web.Newsroom;

public static class NewsroomServiceCollectionExtensions
{
    public const string EditorPolicy = "EditorPolicy";
    public const string AdminPolicy = "AdminPolicy";

    /// <summary>The Editor and Admin areas: policies, newsroom services and the scheduled-publishing job.</summary>
    public static IServiceCollection AddNewsroom(this IServiceCollection services)
    {
        services.AddAuthorizationBuilder()
            .AddPolicy(EditorPolicy, p => p.RequireAuthenticatedUser().RequireRole(Roles.Editor, Roles.Admin))
            .AddPolicy(AdminPolicy, p => p.RequireAuthenticatedUser().RequireRole(Roles.Admin));

        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationHandler, ArticleAuthorizationHandler>();
        services.AddOptions<PublishingOptions>().BindConfiguration(PublishingOptions.SectionName);
        services.AddOptions<NewsroomOptions>().BindConfiguration(NewsroomOptions.SectionName)
            .Validate(o => NewsPush.Web.Infrastructure.TimeZones.TryFind(o.TimeZone, out _), "Newsroom:TimeZone must be an IANA time zone, e.g. \"Europe/London\" or \"Asia/Shanghai\".")
            .ValidateOnStart();
        services.AddScoped<ArticleService>();
        services.AddScoped<PublishingService>();
        services.AddScoped<ColumnService>();
        services.AddScoped<ModerationService>();
        services.AddScoped<UserAdminService>();
        services.AddScoped<JobMonitorService>();
        services.AddScoped<BroadcastAdminService>();

        services.AddQuartz(q => q.AddJob<PublishArticleJob>(j => j.WithIdentity(PublishingService.JobKey).StoreDurably().WithDescription("Publishes a scheduled article")));
        services.AddHostedService<PublishingCatchUp>();
        return services;
    }
}
