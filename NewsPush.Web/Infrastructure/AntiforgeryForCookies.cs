using Microsoft.AspNetCore.Antiforgery;

namespace NewsPush.Web.Infrastructure;

/// <summary>
/// Antiforgery for JSON endpoints that change something: a request authenticated by the site's cookie must carry the
/// token in the <c>RequestVerificationToken</c> header (pages read it from the form field
/// <c>__RequestVerificationToken</c>); apps calling with a bearer token send no cookie and need none.
/// </summary>
public static class AntiforgeryForCookies
{
    /// <summary>True when the request carries <c>Authorization: Bearer …</c>: an app's call, authenticated by the token, not by cookies.</summary>
    public static bool IsBearer(HttpRequest request) =>
        request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);

    public static TBuilder RequireAntiforgeryForCookies<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            // A request with a bearer token is authenticated by it alone (the site's default scheme ignores cookies then).
            var byCookie = !IsBearer(http.Request) && http.User.Identities.Any(i => i.IsAuthenticated);
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
