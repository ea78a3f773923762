using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace NewsPush.Web.Infrastructure;

/// <summary>
/// The OpenAPI document of the whole JSON API (<c>/openapi/v1.json</c>: every endpoint under <c>/api</c>) and its reference
/// page (<c>/api/docs</c>, Scalar, served from the package: no CDN). Apps authenticate with the bearer token of
/// <c>POST /api/auth/login</c>; the site's pages with the cookie and the antiforgery header.
/// </summary>
public static class ApiDocs
{
    public const string DocumentPath = "/openapi/v1.json";
    public const string ReferencePath = "/api/docs";

    /// <summary>The HttpContext item holding the CSP nonce of the reference page's inline script (set by the security headers).</summary>
    public const string NonceItem = "csp-nonce";

    /// <summary>The part of Identity's API apps use (the rest answers 404, see AppSignIn).</summary>
    private static readonly HashSet<string> AppAuthPaths = new(StringComparer.OrdinalIgnoreCase) { "api/auth/login", "api/auth/refresh", "api/auth/manage/info" };

    public static IServiceCollection AddApiDocs(this IServiceCollection services)
    {
        services.AddOpenApi("v1", o =>
        {
            o.ShouldInclude = d => d.RelativePath is { } path && path.StartsWith("api/", StringComparison.OrdinalIgnoreCase)
                && (!path.StartsWith("api/auth/", StringComparison.OrdinalIgnoreCase) || AppAuthPaths.Contains(path));
            o.AddDocumentTransformer((document, _, _) =>
            {
                // Every operation has a tag of its area (below); the assembly's name is not one.
                foreach (var tag in document.Tags?.Where(t => t.Name == "NewsPush.Web").ToList() ?? [])
                {
                    document.Tags!.Remove(tag);
                }
                return Task.CompletedTask;
            });
            o.AddOperationTransformer((operation, context, _) =>
            {
                // Endpoints mapped without a tag are grouped by their area of the API.
                if (operation.Tags is null || operation.Tags.Count == 0 || operation.Tags.All(t => t.Name == "NewsPush.Web"))
                {
                    var path = context.Description.RelativePath ?? "";
                    var name = path.StartsWith("api/inbox", StringComparison.OrdinalIgnoreCase) ? "Inbox"
                        : path.StartsWith("api/push/test", StringComparison.OrdinalIgnoreCase) ? "Test notifications"
                        : path.StartsWith("api/push", StringComparison.OrdinalIgnoreCase) ? "Web Push" : "Other";
                    operation.Tags = new HashSet<OpenApiTagReference> { new(name) };
                }
                return Task.CompletedTask;
            });
            o.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "NewsPush API",
                    Version = "v1",
                    Description = "JSON over HTTPS, camelCase, RFC 7807 problem details for every error. Apps sign in with POST /api/auth/login and send " +
                        "`Authorization: Bearer <accessToken>`; pages of the site send their cookie and the antiforgery token in the RequestVerificationToken header.",
                };
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes["bearer"] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http, Scheme = "bearer",
                    Description = "The accessToken of POST /api/auth/login (1 hour); renew with POST /api/auth/refresh.",
                };
                return Task.CompletedTask;
            });
        });
        return services;
    }

    public static IEndpointRouteBuilder MapApiDocs(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        app.MapScalarApiReference(ReferencePath, (o, http) => o.WithTitle("NewsPush API").WithOpenApiRoutePattern("/openapi/{documentName}.json")
            .WithNonce(http.Items[NonceItem] as string ?? "")
            .HideDeveloperTools().HideClientButton().DisableAgent().DisableTelemetry().DisableMcp()
            // The page's fonts would come from Scalar's CDN: the system's are used instead, so it loads nothing from elsewhere.
            .DisableDefaultFonts()).AllowAnonymous();
        return app;
    }
}
