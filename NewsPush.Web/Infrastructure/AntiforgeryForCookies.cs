using Microsoft.AspNetCore.Antiforgery;

namespace NewsPush.Web.Infrastructure;

/// <summary>
/// Antiforgery for JSON endpoints that change something: a request authenticated by the site's cookie must carry the
/// token in the <c>RequestVerificationToken</c> header (pages read it from the form field
/// <c>__RequestVerificationToken</c> or the <c>request-verification-token</c> meta tag); apps calling with a bearer
/// token send no cookie and need none. SameSite=Lax alone is not relied on (a sibling subdomain is same-site).
/// Minimal APIs use <see cref="RequireAntiforgeryForCookies{TBuilder}"/>, which leaves <see cref="Metadata"/> on the
/// endpoint; <c>AntiforgeryCoverageTests</c> checks that every POST, PUT, PATCH and DELETE has it, has MVC's form check,
/// or is a listed exception (the beacon calls <see cref="IsValidAsync"/> itself, after its sign-in and size checks).
/// </summary>
public static class AntiforgeryForCookies
{
    /// <summary>Endpoint metadata: this endpoint checks the header token of cookie-authenticated calls.</summary>
    public sealed class Metadata
    {
        public static readonly Metadata Instance = new();
    }

    /// <summary>True when the request carries <c>Authorization: Bearer …</c>: an app's call, authenticated by the token, not by cookies.</summary>
    public static bool IsBearer(HttpRequest request) =>
        request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// False when the request is authenticated by the site's cookie and lacks a valid antiforgery token. Reads no JSON
    /// body: the token comes from the header (a form post's field is read from the form, as MVC does).
    /// </summary>
    public static async Task<bool> IsValidAsync(HttpContext http)
    {
        // A request with a bearer token is authenticated by it alone (the site's default scheme ignores cookies then).
        var byCookie = !IsBearer(http.Request) && http.User.Identities.Any(i => i.IsAuthenticated);
        return !byCookie || await http.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(http);
    }

    public static IResult Refusal() => Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The antiforgery token is missing or invalid.",
        detail: "Reload the page and try again.");

    public static TBuilder RequireAntiforgeryForCookies<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(Metadata.Instance).AddEndpointFilter(async (context, next) =>
            await IsValidAsync(context.HttpContext) ? await next(context) : Refusal());
}
