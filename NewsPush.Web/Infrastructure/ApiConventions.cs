using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;

namespace NewsPush.Web.Infrastructure;

public static class ApiConventions
{
    /// <summary>The JSON API and hubs answer 401/403, not a redirect to the login page.</summary>
    public static IServiceCollection AddApiStatusCodes(this IServiceCollection services)
    {
        services.PostConfigure<CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme, o =>
        {
            var toLogin = o.Events.OnRedirectToLogin;
            var toDenied = o.Events.OnRedirectToAccessDenied;
            o.Events.OnRedirectToLogin = ctx => IsApi(ctx.Request) ? Status(ctx.Response, 401) : toLogin(ctx);
            o.Events.OnRedirectToAccessDenied = ctx => IsApi(ctx.Request) ? Status(ctx.Response, 403) : toDenied(ctx);
        });
        return services;
    }

    public static bool IsApi(HttpRequest request) => request.Path.StartsWithSegments("/api") || request.Path.StartsWithSegments("/hubs");

    private static Task Status(HttpResponse response, int status)
    {
        response.StatusCode = status;
        return Task.CompletedTask;
    }
}
