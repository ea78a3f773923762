using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using NewsPush.Data;
using NewsPush.Data.Entities;

namespace NewsPush.Web.Account;

public static class AccountServiceCollectionExtensions
{
    /// <summary>Names of the site's cookies in Production: <c>__Host-</c> (Secure, whole site, no Domain) so no subdomain or plain-http page can set them.</summary>
    public const string ProductionAuthCookie = "__Host-newspush.auth";
    public const string ProductionAntiforgeryCookie = "__Host-newspush.af";

    /// <summary>
    /// Accounts: ASP.NET Core Identity (password rules per OWASP ASVS 5, PBKDF2 at 210,000 iterations, no hard lockout but
    /// growing delays), two-factor sign-in, server-side sessions checked against the account, the auth cookie, the apps'
    /// bearer tokens, account e-mails.
    /// </summary>
    public static IServiceCollection AddAccounts(this IServiceCollection services, IHostEnvironment environment)
    {
        services.AddOptions<AccountOptions>().BindConfiguration(AccountOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        var identity = services.AddIdentity<ApplicationUser, IdentityRole>(o =>
            {
                // OWASP ASVS 5: length, not composition.
                o.Password.RequiredLength = 8;
                o.Password.RequireDigit = false;
                o.Password.RequireLowercase = false;
                o.Password.RequireUppercase = false;
                o.Password.RequireNonAlphanumeric = false;
                o.Password.RequiredUniqueChars = 1;
                // Lockout stays for administrators' locks (LockoutEnd); failed passwords never lock an account, even through
                // the apps' login (which asks Identity to count them): AccountThrottle makes each further attempt wait instead.
                o.Lockout.AllowedForNewUsers = true;
                o.Lockout.MaxFailedAccessAttempts = int.MaxValue;
                o.User.RequireUniqueEmail = true;
            })
            .AddEntityFrameworkStores<NewsPushDbContext>()
            .AddDefaultTokenProviders()
            .AddClaimsPrincipalFactory<SessionClaimsPrincipalFactory>();
        services.AddOptions<PasswordHasherOptions>().Configure<IOptions<AccountOptions>>((o, accounts) =>
        {
            o.CompatibilityMode = PasswordHasherCompatibilityMode.IdentityV3;
            o.IterationCount = accounts.Value.PasswordHashIterations;
        });
        services.AddOptions<SecurityStampValidatorOptions>().Configure<IOptions<AccountOptions>, TimeProvider>((o, accounts, clock) =>
        {
            o.ValidationInterval = TimeSpan.FromSeconds(accounts.Value.ReaderSessionCheckSeconds);
            o.TimeProvider = clock;
            // A re-validated cookie keeps its session id, when and how it was signed in (password alone, or with a second factor).
            o.OnRefreshingPrincipal = context =>
            {
                if (context.NewPrincipal?.Identities.FirstOrDefault() is { } fresh && context.CurrentPrincipal is { } current)
                {
                    foreach (var type in new[] { AccountSessions.SessionClaim, AccountSessions.SignedInAtClaim, StaffMfaRequirement.MfaClaim })
                    {
                        foreach (var claim in fresh.FindAll(type).ToList())
                        {
                            fresh.RemoveClaim(claim);
                        }
                        foreach (var claim in current.FindAll(type))
                        {
                            fresh.AddClaim(new Claim(claim.Type, claim.Value));
                        }
                    }
                }
                return Task.CompletedTask;
            };
        });
        var production = environment.IsProduction();
        services.ConfigureApplicationCookie(o =>
        {
            o.LoginPath = "/account/login";
            o.LogoutPath = "/account/logout";
            o.AccessDeniedPath = "/account/access-denied";
            o.Cookie.Name = production ? ProductionAuthCookie : "newspush.auth";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.SecurePolicy = production ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
            o.ExpireTimeSpan = AccountSessions.CookieLifetime;
            o.SlidingExpiration = true;
        });
        services.AddOptions<CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme).Configure<TimeProvider, IOptions<AccountOptions>, IOptions<SecurityStampValidatorOptions>>(
            (o, clock, accounts, stamps) =>
            {
                o.TimeProvider = clock;
                // Identity's check (SessionSecurityStampValidator), made only for a cookie it has something to do for.
                var validate = o.Events.OnValidatePrincipal;
                o.Events.OnValidatePrincipal = context =>
                    SessionSecurityStampValidator.MustValidate(context, stamps.Value.ValidationInterval, accounts.Value.AbsoluteSessionDays, clock) ? validate(context) : Task.CompletedTask;
            });
        if (production)
        {
            foreach (var scheme in new[] { IdentityConstants.TwoFactorUserIdScheme, IdentityConstants.TwoFactorRememberMeScheme, IdentityConstants.ExternalScheme })
            {
                services.Configure<CookieAuthenticationOptions>(scheme, o =>
                {
                    o.Cookie.Name = "__Host-" + scheme;
                    o.Cookie.SecurePolicy = CookieSecurePolicy.Always;
                });
            }
            services.Configure<AntiforgeryOptions>(o =>
            {
                o.Cookie.Name = ProductionAntiforgeryCookie;
                o.Cookie.SecurePolicy = CookieSecurePolicy.Always;
            });
        }
        services.AddAppSignIn(identity);
        // In place of Identity's authenticator provider (after AddApiEndpoints, which registers Identity's again): each code
        // works once, one step of drift (ASVS 6.5.1, 6.5.5).
        identity.AddTokenProvider<OneTimeAuthenticatorTokenProvider>(TokenOptions.DefaultAuthenticatorProvider);
        // Identity's EF store, with the TOTP seed encrypted and the recovery codes hashed (ASVS 6.5.2, 13.3.1).
        services.Replace(ServiceDescriptor.Scoped<IUserStore<ApplicationUser>, ProtectedSecretsUserStore>());
        // After everything that registers Identity's own validator (the API endpoints add theirs again).
        services.RemoveAll<ISecurityStampValidator>();
        services.AddScoped<ISecurityStampValidator, SessionSecurityStampValidator>();
        services.AddScoped<IPasswordValidator<ApplicationUser>, CommonPasswordValidator>();
        services.AddScoped<AccountEmails>();
        services.AddScoped<AccountSessions>();
        services.AddSingleton<AccountThrottle>();
        services.AddSingleton<AccountMailQueue>();
        services.AddHostedService<AccountMailSender>();
        return services;
    }

    /// <summary>Adds the second-factor requirement (<see cref="AccountOptions.RequireMfaForStaff"/>) to the staff policies named.</summary>
    public static IServiceCollection AddStaffMfa(this IServiceCollection services, params string[] staffPolicies)
    {
        services.AddSingleton<IAuthorizationHandler, StaffMfaHandler>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, StaffMfaResultHandler>();
        services.PostConfigure<AuthorizationOptions>(o =>
        {
            foreach (var name in staffPolicies)
            {
                var policy = o.GetPolicy(name) ?? throw new InvalidOperationException($"No authorization policy {name} to add the second factor to.");
                o.AddPolicy(name, new AuthorizationPolicyBuilder(policy).AddRequirements(new StaffMfaRequirement()).Build());
            }
        });
        return services;
    }
}
