using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Identity;

namespace NewsPush.Web.Infrastructure;

/// <summary>
/// Antiforgery for JSON endpoints that change something: a request authenticated by the site's cookie must carry the
/// token in the <c>RequestVerificationToken</c> header (pages read it from the form field
/// <c>__RequestVerificationToken</c>); apps calling with a bearer token send no cookie and need none.
/// </summary>
public static class AntiforgeryForCookies
{
    public static TBuilder RequireAntiforgeryForCookies<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var byCookie = http.User.Identities.Any(i => i.IsAuthenticated && i.AuthenticationType == IdentityConstants.ApplicationScheme);
            if (byCookie)
            {
                var antiforgery = http.RequestServices.GetRequiredService<IAntiforgery>();
                if (!await antiforgery.IsRequestValidAsync(http))
                {
                    return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The antiforgery token is missing or invalid.",
                        detail: "Reload the page and try again.");
                }
            }
            return await next(context);
        });
}
