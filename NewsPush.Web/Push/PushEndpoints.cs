using Microsoft.AspNetCore.Mvc;

namespace NewsPush.Web.Push;

/// <summary>Tracking endpoints: open pixel, click redirect, Web Push shown.</summary>
public static class PushEndpoints
{
    // A transparent 1×1 GIF.
    private static readonly byte[] Pixel = Convert.FromBase64String("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7");

    public static IEndpointRouteBuilder MapTracking(this IEndpointRouteBuilder app)
    {
        app.MapGet("/t/o/{token}.gif", async (string token, TrackingService tracking, HttpContext http, CancellationToken ct) =>
        {
            await tracking.RecordOpenAsync(token, ct);
            http.Response.Headers.CacheControl = "no-store";
            return Results.File(Pixel, "image/gif");
        }).AllowAnonymous();

        app.MapGet("/t/c/{token}", async (string token, string? a, string? u, TrackingService tracking, CancellationToken ct) =>
        {
            if (u is not null && HasControlCharacter(u))
            {
                // Browsers drop tabs and newlines from URLs ("/\t/evil.example" would become "//evil.example"): refused, not redirected.
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The link is not valid.",
                    detail: "The target address contains control characters.");
            }
            await tracking.RecordClickAsync(token, int.TryParse(a, out var articleId) ? articleId : null, ct);
            // Only local targets: the link must not become an open redirect.
            return Results.LocalRedirect(IsLocal(u) ? u! : "/");
        }).AllowAnonymous();

        // The service worker showed a Web Push notification. No cookie or antiforgery token: the delivery's tracking
        // token (128 random bits, known only to that browser's push payload) is the credential.
        app.MapPost("/t/s/{token}", async (string token, TrackingService tracking, CancellationToken ct) =>
            await tracking.RecordShownAsync(token, ct) ? Results.NoContent() : Results.NotFound()).AllowAnonymous().DisableAntiforgery();
        return app;
    }

    /// <summary>A path on this site: one leading '/', no backslash, no control or invisible formatting character.</summary>
    public static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) && !url.Contains("\\", StringComparison.Ordinal)
        && !HasControlCharacter(url);

    /// <summary>C0/C1 controls (tab, newline, NUL, …) and format characters (bidi overrides, zero-width marks).</summary>
    public static bool HasControlCharacter(string value) =>
        value.Any(c => char.IsControl(c) || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format);
}
