using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Web.Email;
using NewsPush.Web.Interactions;
using NewsPush.Web.Jobs;
using NewsPush.Web.Newsroom;
using NewsPush.Web.Reader;
using NewsPush.Web.Push;
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

        services.AddIdentity<ApplicationUser, IdentityRole>(o =>
            {
                // OWASP ASVS 5: length, not composition.
                o.Password.RequiredLength = 8;
                o.Password.RequireDigit = false;
                o.Password.RequireLowercase = false;
                o.Password.RequireUppercase = false;
                o.Password.RequireNonAlphanumeric = false;
                o.Password.RequiredUniqueChars = 1;
                o.Lockout.AllowedForNewUsers = true;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                o.User.RequireUniqueEmail = true;
            })
            .AddEntityFrameworkStores<NewsPushDbContext>()
            .AddDefaultTokenProviders();
        services.ConfigureApplicationCookie(o =>
        {
            o.LoginPath = "/account/login";
            o.LogoutPath = "/account/logout";
            o.AccessDeniedPath = "/account/access-denied";
            o.Cookie.Name = "newspush.auth";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.SlidingExpiration = true;
        });

        services.AddControllersWithViews(o => o.Filters.Add(new Microsoft.AspNetCore.Mvc.AutoValidateAntiforgeryTokenAttribute()));
        services.AddDataProtection().PersistKeysToDbContext<NewsPushDbContext>().SetApplicationName("NewsPush");
        services.AddProblemDetails();
        services.AddHealthChecks();
        services.AddMemoryCache();

        services.AddSingleton<InteractionRecorder>();
        services.AddHostedService<InteractionWriter>();
        services.AddOptions<EmailOptions>().BindConfiguration(EmailOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IMailer, Mailer>();
        services.AddNewsPushRecommendations(builder.Configuration, builder.Environment.ContentRootPath);
        services.AddNewsPushJobs(builder.Configuration);
        services.AddNewsroom();
        services.AddReaderSite();
        services.AddPush(builder.Configuration);

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
        app.UseStatusCodePagesWithReExecute("/error/{0}");
        app.UseMiddleware<SecurityHeadersMiddleware>();
        app.UseStaticFiles();
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseReaderSite();

        app.MapHealthChecks("/healthz");
        app.MapPush();
        app.MapControllerRoute("areas", "{area:exists}/{controller=Home}/{action=Index}/{id?}");
        app.MapControllerRoute("default", "{controller=Home}/{action=Index}/{id?}");
        return app;
    }
}
