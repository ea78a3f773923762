using NewsPush.Web.Infrastructure.Redis;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.WebEncoders;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Web.Analytics;
using NewsPush.Web.Account;
using NewsPush.Web.Campaigns;
using NewsPush.Web.Devices;
using NewsPush.Web.Infrastructure;
using NewsPush.Web.Infrastructure.Email;
using NewsPush.Web.Interactions;
using NewsPush.Web.Jobs;
using NewsPush.Web.Media;
using NewsPush.Web.Newsroom;
using NewsPush.Web.Reader;
using NewsPush.Web.Digests;
using NewsPush.Web.Inbox;
using NewsPush.Web.Infrastructure.Realtime;
using NewsPush.Web.Preferences;
using NewsPush.Web.Push;
using NewsPush.Web.WebPush;
using NewsPush.Web.Webhooks;
using NewsPush.Web.Recommendations;

namespace NewsPush.Web;

/// <summary>Composition of the site: each feature folder contributes one Add…/Map… pair.</summary>
public static class NewsPushWebExtensions
{
    public static WebApplicationBuilder AddNewsPush(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddNewsPushData(builder.Environment.ContentRootPath);

        services.AddAccounts(builder.Environment);
        services.AddStaffMfa(NewsroomServiceCollectionExtensions.EditorPolicy, NewsroomServiceCollectionExtensions.AdminPolicy);
        services.AddProxies(builder.Configuration);
        services.AddKeyRing(builder.Configuration, builder.Environment);
        // ASVS 5.0 3.4.1: a year, subdomains included (level 2). Sent in Production on https requests (see UseNewsPush).
        services.AddHsts(o =>
        {
            o.MaxAge = TimeSpan.FromDays(365);
            o.IncludeSubDomains = true;
        });
        var environment = builder.Environment;
        // Production: demo content only when asked; generated passwords are never printed, so the first admin's must be given.
        services.PostConfigure<NewsPush.Data.Seeding.SeedOptions>(o =>
        {
            o.DemoContent ??= !environment.IsProduction();
            o.ShowGeneratedPasswords = environment.IsDevelopment();
            o.RequireAdminPassword = environment.IsProduction();
        });

        // Chinese, accents and the rest as they are, not as &#x…; entities (3–8 times the bytes, unreadable in the
        // source); the encoder still escapes HTML's own characters.
        services.Configure<WebEncoderOptions>(o => o.TextEncoderSettings = new TextEncoderSettings(UnicodeRanges.All));
        services.AddControllersWithViews(o => o.Filters.Add(new Microsoft.AspNetCore.Mvc.AutoValidateAntiforgeryTokenAttribute()));
        services.AddProblemDetails();
        services.AddHealthChecks();
        services.AddMemoryCache();

        services.AddHttpContextAccessor();
        services.AddScoped<ReaderTime>();
        services.AddSingleton<ReaderZoneCache>();
        services.AddSingleton<ContentChanges>();
        services.AddScoped<AuditLog>();
        services.AddScoped<AuditLogReader>();
        services.AddInteractions();
        services.AddOptions<EmailOptions>().BindConfiguration(EmailOptions.SectionName).ValidateDataAnnotations()
            .Validate<IHostEnvironment>((o, env) => !env.IsProduction() || EmailOptions.IsAbsoluteHttps(o.PublicBaseUrl),
                "Email:PublicBaseUrl must be the site's public https:// address in Production (e.g. https://news.example.com): the links in e-mails, feeds and pushes are built from it.")
            .Validate<IHostEnvironment>((o, env) => !env.IsProduction() || !string.IsNullOrWhiteSpace(o.SmtpHost) || o.UsePickupFolder,
                "Email:SmtpHost is required in Production: without it mail, password resets included, is only written to a folder. Set Email:UsePickupFolder=true if another program delivers that folder.")
            .ValidateOnStart();
        services.AddSingleton<IMailer, Mailer>();
        services.AddNewsPushRecommendations(builder.Configuration, builder.Environment.ContentRootPath);
        services.AddNewsPushJobs(builder.Configuration);
        services.AddNewsroom();
        services.AddReaderSite();
        services.AddMedia();
        services.AddApiStatusCodes();
        services.AddRealtime(builder.Configuration);
        services.AddPreferences();
        services.AddPush();
        services.AddInbox();
        services.AddWebPush(builder.Configuration);
        services.AddWebhooks(builder.Configuration);
        services.AddDevices();
        services.AddCampaigns(builder.Configuration);
        services.AddApiDocs();
        services.AddDigests();
        services.AddAnalytics(builder.Configuration);
        services.AddSharedRedis(builder.Configuration);

        return builder;
    }

    public static async Task InitializeDatabaseAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().InitializeAsync(app.Lifetime.ApplicationStopping);
    }

    public static WebApplication UseNewsPush(this WebApplication app)
    {
        // First: the real client's address and scheme from the known proxies (ForwardedHeaders:KnownProxies/KnownNetworks).
        app.UseForwardedHeaders();
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/error");
            app.UseHsts();
        }
        // Pages show the site's error page; the JSON API answers problem details (RFC 7807) for a bare status too.
        app.UseWhen(c => ApiConventions.IsApi(c.Request), api => api.UseStatusCodePages());
        app.UseWhen(c => !ApiConventions.IsApi(c.Request), pages => pages.UseStatusCodePagesWithReExecute("/error/{0}"));
        app.UseMiddleware<SecurityHeadersMiddleware>();
        app.UseStaticFiles();
        app.UseAppSignInGate();
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseReaderSite();

        app.MapHealthChecks("/healthz", HealthResponse.Options());
        app.MapRealtime();
        app.MapPush();
        app.MapInbox();
        app.MapWebPush();
        app.MapAppSignIn();
        app.MapDevices();
        app.MapAnalytics();
        app.MapApiDocs();
        app.MapControllerRoute("areas", "{area:exists}/{controller=Home}/{action=Index}/{id?}");
        app.MapControllerRoute("default", "{controller=Home}/{action=Index}/{id?}");
        return app;
    }
}
