using NewsPush.Web.Infrastructure;
namespace NewsPush.Web.Inbox;

/// <summary>The inbox JSON API (/api/inbox) for the site's pages and for apps.</summary>
public static class InboxEndpoints
{
    public static IEndpointRouteBuilder MapInboxApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/inbox").RequireAuthorization();

        api.MapGet("", async (string? page, string? pageSize, string? archived, HttpContext http, InboxService inbox, CancellationToken ct) =>
        {
            var errors = new Dictionary<string, string[]>();
            var size = ParseInt(pageSize, 20, "pageSize", 1, InboxService.MaxPageSize, errors);
            // Paging reaches the newest MaxDepth items: a deeper page is refused, not loaded.
            var p = ParseInt(page, 1, "page", 1, InboxService.MaxPage(size), errors);
            var arch = false;
            if (archived is not null && !bool.TryParse(archived, out arch))
            {
                errors["archived"] = ["archived must be true or false."];
            }
            if (errors.Count > 0)
            {
                return Results.ValidationProblem(errors, title: "The inbox query is not valid.");
            }
            var result = await inbox.ListAsync(http.User.RequiredUserId(), p, size, arch, ct);
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
            Results.Ok(new { Count = await inbox.UnreadCountAsync(http.User.RequiredUserId(), ct) }));

        api.MapPost("/read-all", async (HttpContext http, InboxService inbox, CancellationToken ct) =>
        {
            await inbox.MarkAllReadAsync(http.User.RequiredUserId(), ct);
            return Results.Ok(new { Count = await inbox.UnreadCountAsync(http.User.RequiredUserId(), ct) });
        }).RequireAntiforgeryForCookies();

        api.MapPost("/{kind}/{id}/read", (string kind, string id, HttpContext http, InboxService inbox, CancellationToken ct) =>
            ChangeAsync(kind, id, http, (u, k, i) => inbox.MarkReadAsync(u, k, i, ct))).RequireAntiforgeryForCookies();

        api.MapPost("/{kind}/{id}/archive", (string kind, string id, HttpContext http, InboxService inbox, CancellationToken ct) =>
            ChangeAsync(kind, id, http, (u, k, i) => inbox.ArchiveAsync(u, k, i, ct))).RequireAntiforgeryForCookies();
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
        return await change(http.User.RequiredUserId(), k, itemId) ? Results.NoContent() : Results.Problem(statusCode: 404, title: "No such inbox item.");
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
}
