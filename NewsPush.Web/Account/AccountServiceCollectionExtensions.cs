using Microsoft.AspNetCore.Identity;
using NewsPush.Data;
using NewsPush.Data.Entities;

namespace NewsPush.Web.Account;

public static class AccountServiceCollectionExtensions
{
    /// <summary>Accounts: ASP.NET Core Identity (password rules per OWASP ASVS 5, lockout), the auth cookie, the apps' bearer tokens, account e-mails.</summary>
    public static IServiceCollection AddAccounts(this IServiceCollection services)
    {
        var identity = services.AddIdentity<ApplicationUser, IdentityRole>(o =>
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
        services.AddAppSignIn(identity);
        services.AddScoped<IPasswordValidator<ApplicationUser>, CommonPasswordValidator>();
        services.AddScoped<AccountEmails>();
        return services;
    }
}
