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
        // The API reference page (Scalar) starts itself with an inline module script and inline styles; it shows no
        // user data and takes no input that is stored, so only it gets 'unsafe-inline'.
        var inline = context.Request.Path.StartsWithSegments(ApiDocs.ReferencePath) ? " 'unsafe-inline'" : "";
        headers["Content-Security-Policy"] =
            $"default-src 'self'; script-src 'self'{inline}; style-src 'self'{inline}; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; " +
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
        return next(context);
    }
}
