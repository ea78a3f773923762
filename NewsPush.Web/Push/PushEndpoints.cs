using Microsoft.AspNetCore.Mvc;
using NewsPush.Web.Inbox;

namespace NewsPush.Web.Push;

/// <summary>Tracking endpoints (open pixel, click redirect) and the inbox JSON API for apps.</summary>
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
            if (int.TryParse(a, out var articleId))
            {
                await tracking.RecordClickAsync(token, articleId, ct);
            }
            // Only local targets: the link must not become an open redirect.
            return Results.LocalRedirect(IsLocal(u) ? u! : "/");
        }).AllowAnonymous();
        return app;
    }

    public static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) && !url.Contains("\\", StringComparison.Ordinal);

    public static IEndpointRouteBuilder MapInboxApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/inbox").RequireAuthorization();

        api.MapGet("", async (string? page, string? pageSize, string? archived, HttpContext http, InboxService inbox, CancellationToken ct) =>
        {
            var errors = new Dictionary<string, string[]>();
            var p = ParseInt(page, 1, "page", 1, int.MaxValue / InboxService.MaxPageSize, errors);
            var size = ParseInt(pageSize, 20, "pageSize", 1, InboxService.MaxPageSize, errors);
            var arch = false;
            if (archived is not null && !bool.TryParse(archived, out arch))
            {
                errors["archived"] = ["archived must be true or false."];
            }
            if (errors.Count > 0)
            {
                return Results.ValidationProblem(errors, title: "The inbox query is not valid.");
            }
            var result = await inbox.ListAsync(UserId(http), p, size, arch, ct);
            return Results.Ok(new
            {
                result.Page, result.PageSize, result.Total, result.PageCount, result.Unread,
                Items = result.Items.Select(i => new
                {
                    Kind = i.Kind.Slug(), i.Id, Category = i.Category.ToString(), i.Title, i.Body, i.Link, i.CreatedAt, i.IsRead, i.IsArchived,
                }),
            });
        });

        api.MapGet("/unread-count", async (HttpContext http, InboxService inbox, CancellationToken ct) =>
            Results.Ok(new { Count = await inbox.UnreadCountAsync(UserId(http), ct) }));

        api.MapPost("/read-all", async (HttpContext http, InboxService inbox, CancellationToken ct) =>
        {
            await inbox.MarkAllReadAsync(UserId(http), ct);
            return Results.Ok(new { Count = await inbox.UnreadCountAsync(UserId(http), ct) });
        });

        api.MapPost("/{kind}/{id}/read", (string kind, string id, HttpContext http, InboxService inbox, CancellationToken ct) =>
            ChangeAsync(kind, id, http, (u, k, i) => inbox.MarkReadAsync(u, k, i, ct)));

        api.MapPost("/{kind}/{id}/archive", (string kind, string id, HttpContext http, InboxService inbox, CancellationToken ct) =>
            ChangeAsync(kind, id, http, (u, k, i) => inbox.ArchiveAsync(u, k, i, ct)));
        return app;
    }

    private static async Task<IResult> ChangeAsync(string kind, string id, HttpContext http, Func<string, InboxItemKind, long, Task<bool>> change)
    {
        if (!InboxKinds.TryParse(kind, out var k))
        {
            return Results.Problem(statusCode: 400, title: "Unknown inbox item kind.", detail: "kind must be 'message' or 'broadcast'.");
        }
        if (!long.TryParse(id, out var itemId) || itemId <= 0)
        {
            return Results.Problem(statusCode: 400, title: "The id is not valid.", detail: "id must be a positive number.");
        }
        // Another reader's message is "not found": its existence is not disclosed.
        return await change(UserId(http), k, itemId) ? Results.NoContent() : Results.Problem(statusCode: 404, title: "No such inbox item.");
    }

    private static int ParseInt(string? value, int fallback, string name, int min, int max, Dictionary<string, string[]> errors)
    {
        if (value is null)
        {
            return fallback;
        }
        if (int.TryParse(value, out var n) && n >= min && n <= max)
        {
            return n;
        }
        errors[name] = [$"{name} must be a whole number from {min} to {max}."];
        return fallback;
    }

    private static string UserId(HttpContext http) =>
        http.User.FindFirst(System.Security.Claims.ClaimTypes.NameIdentifier)?.Value ?? throw new InvalidOperationException("authenticated user without id");
}
