using Microsoft.AspNetCore.DataProtection;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.WebEncoders;
using NewsPush.Data;
using NewsPush.Data.Entities;
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

        services.AddAccounts();

        // Chinese, accents and the rest as they are, not as &#x…; entities (3–8 times the bytes, unreadable in the
        // source); the encoder still escapes HTML's own characters.
        services.Configure<WebEncoderOptions>(o => o.TextEncoderSettings = new TextEncoderSettings(UnicodeRanges.All));
        services.AddControllersWithViews(o => o.Filters.Add(new Microsoft.AspNetCore.Mvc.AutoValidateAntiforgeryTokenAttribute()));
        services.AddDataProtection().PersistKeysToDbContext<NewsPushDbContext>().SetApplicationName("NewsPush");
        services.AddProblemDetails();
        services.AddHealthChecks();
        services.AddMemoryCache();

        services.AddHttpContextAccessor();
        services.AddScoped<ReaderTime>();
        services.AddScoped<AuditLog>();
        services.AddScoped<AuditLogReader>();
        services.AddInteractions();
        services.AddOptions<EmailOptions>().BindConfiguration(EmailOptions.SectionName).ValidateDataAnnotations()
            .Validate<IHostEnvironment>((o, env) => !env.IsProduction() || EmailOptions.IsAbsoluteHttps(o.PublicBaseUrl),
                "Email:PublicBaseUrl must be the site's public https:// address in Production (e.g. https://news.example.com): the links in e-mails, feeds and pushes are built from it.")
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

        return builder;
    }

    public static async Task InitializeDatabaseAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().InitializeAsync(app.Lifetime.ApplicationStopping);
    }

    public static WebApplication UseNewsPush(this WebApplication app)
    {
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
        app.MapApiDocs();
        app.MapControllerRoute("areas", "{area:exists}/{controller=Home}/{action=Index}/{id?}");
        app.MapControllerRoute("default", "{controller=Home}/{action=Index}/{id?}");
        return app;
    }
}
