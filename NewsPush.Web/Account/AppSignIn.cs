using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Identity;
using NewsPush.Data.Entities;
using NewsPush.Web.Infrastructure;
using NewsPush.Web.Reader;

namespace NewsPush.Web.Account;

/// <summary>
/// Sign-in for the mobile apps: Identity's API endpoints under <c>/api/auth</c> with bearer and refresh tokens
/// (<c>POST /api/auth/login</c>, <c>POST /api/auth/refresh</c>, <c>GET /api/auth/manage/info</c>). Accounts are made, confirmed
/// and recovered on the site, so Identity's other endpoints answer 404 here. Login has the site's lockout (5 failures,
/// 15 minutes) and its rate limit. A request with <c>Authorization: Bearer</c> is authenticated by the token; any other by
/// the site's cookie.
/// </summary>
public static class AppSignIn
{
    /// <summary>Chooses the bearer token or the cookie per request; the default scheme of the site.</summary>
    public const string Scheme = "NewsPush.BearerOrCookie";

    private static readonly HashSet<string> Mapped = new(StringComparer.OrdinalIgnoreCase) { "/login", "/refresh", "/manage/info" };

    public static IServiceCollection AddAppSignIn(this IServiceCollection services, IdentityBuilder identity)
    {
        identity.AddApiEndpoints();
        services.AddAuthentication()
            .AddBearerToken(IdentityConstants.BearerScheme, o =>
            {
                o.BearerTokenExpiration = TimeSpan.FromHours(1);
                o.RefreshTokenExpiration = TimeSpan.FromDays(14);
            })
            .AddPolicyScheme(Scheme, "Bearer token or the site's cookie", o =>
                o.ForwardDefaultSelector = http =>
                    AntiforgeryForCookies.IsBearer(http.Request) ? IdentityConstants.BearerScheme : IdentityConstants.ApplicationScheme);
        // After AddIdentity, which made the cookie the default: every [Authorize] and RequireAuthorization now takes either.
        services.Configure<AuthenticationOptions>(o =>
        {
            o.DefaultScheme = Scheme;
            o.DefaultAuthenticateScheme = Scheme;
            o.DefaultChallengeScheme = Scheme;
            o.DefaultForbidScheme = Scheme;
        });
        return services;
    }

    public static IEndpointRouteBuilder MapAppSignIn(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/auth").WithTags("App sign-in");
        group.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            if (http.Request.Query.ContainsKey("useCookies") || http.Request.Query.ContainsKey("useSessionCookies"))
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Apps sign in with tokens.",
                    detail: "The site signs in with its own form; leave out useCookies and use the accessToken and refreshToken of the answer.");
            }
            return await next(context);
        });
        // The site's delays per account and address cover the apps' login too (Identity's lockout is off: see AddAccounts).
        group.AddEndpointFilter(async (context, next) =>
        {
            if (context.Arguments.OfType<Microsoft.AspNetCore.Identity.Data.LoginRequest>().FirstOrDefault() is not { } login)
            {
                return await next(context);
            }
            var http = context.HttpContext;
            var throttle = http.RequestServices.GetRequiredService<AccountThrottle>();
            if (await throttle.RefuseAsync(http, AccountThrottle.SignIn, login.Email) is { } wait)
            {
                http.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                return Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many attempts.", detail: $"Too many attempts: {AccountThrottle.TryAgainIn(wait)}.");
            }
            var result = await next(context);
            var inner = result is INestedHttpResult nested ? nested.Result : result;
            var status = (inner as IStatusCodeHttpResult)?.StatusCode ?? http.Response.StatusCode;
            if (status is >= 200 and < 300)
            {
                await throttle.SucceededAsync(login.Email);
            }
            else if (status == StatusCodes.Status401Unauthorized && string.IsNullOrEmpty(login.TwoFactorCode) && string.IsNullOrEmpty(login.TwoFactorRecoveryCode)
                     && inner is Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult { ProblemDetails.Detail: "RequiresTwoFactor" })
            {
                // The password was right; the app must now ask for the code.
            }
            else
            {
                await throttle.FailedAsync(http, login.Email);
            }
            return result;
        });
        group.MapIdentityApi<ApplicationUser>();
        // POST /api/auth/manage/info also answers a site cookie: such a call needs the page's antiforgery header (apps send a bearer token).
        group.RequireAntiforgeryForCookies();
        // The site's login limit (per IP: the caller is anonymous) covers the app's login and refresh too.
        group.RequireRateLimiting(RateLimitOptions.LoginPolicy);
        return app;
    }

    /// <summary>
    /// Before routing: Identity's endpoints that apps do not use answer 404 before anything reads their body or asks
    /// for a sign-in.
    /// </summary>
    public static IApplicationBuilder UseAppSignInGate(this IApplicationBuilder app) =>
        app.Use(async (http, next) =>
        {
            if (http.Request.Path.StartsWithSegments("/api/auth", StringComparison.OrdinalIgnoreCase, out var rest)
                && !Mapped.Contains(rest.Value?.TrimEnd('/') ?? ""))
            {
                await Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not available to apps.",
                    detail: "Create an account, confirm it and reset a password on the site; apps sign in with POST /api/auth/login.").ExecuteAsync(http);
                return;
            }
            await next(http);
        });
}
