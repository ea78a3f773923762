namespace NewsPush.Web.Infrastructure;

/// <summary>Adds the security headers every response carries (CSP without inline scripts).</summary>
public sealed class SecurityHeadersMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers["X-Content-Type-Options"] = "nosniff";
        headers["X-Frame-Options"] = "DENY";
        headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
        // The API reference page (Scalar) starts itself with an inline module script, allowed by a nonce made for the
        // request, and styles itself inline; it shows no user data.
        var (script, style) = ("", "");
        if (context.Request.Path.StartsWithSegments(ApiDocs.ReferencePath))
        {
            // Hex: valid in a CSP nonce and the same in HTML (base64's '+' comes out of the page as &#x2B;).
            var nonce = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
            context.Items[ApiDocs.NonceItem] = nonce;
            (script, style) = ($" 'nonce-{nonce}'", " 'unsafe-inline'");
        }
        headers["Content-Security-Policy"] =
            $"default-src 'self'; script-src 'self'{script}; style-src 'self'{style}; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; " +
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
        return next(context);
    }
}
