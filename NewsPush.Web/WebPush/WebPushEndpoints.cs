using NewsPush.Web.Infrastructure;

namespace NewsPush.Web.WebPush;

/// <summary>
/// The Web Push API of PRODUCT.md: the public key, subscribe (idempotent per endpoint), unsubscribe, plus the
/// reader's list of browsers and the service worker's renewal. Cookie-authenticated calls carry the antiforgery token.
/// </summary>
public static class WebPushEndpoints
{
    public static IEndpointRouteBuilder MapWebPushApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/push/vapid-public-key", async (VapidKeyStore keys, HttpContext http, CancellationToken ct) =>
        {
            http.Response.Headers.CacheControl = "no-cache";
            return Results.Ok(new { PublicKey = (await keys.GetAsync(ct)).PublicKey });
        }).AllowAnonymous();

        var api = app.MapGroup("/api/push/subscriptions");

        // ?endpoint= marks the asking browser ("this browser") without the list ever showing endpoints.
        api.MapGet("", async (string? endpoint, HttpContext http, WebPushSubscriptions subs, CancellationToken ct) =>
        {
            http.Response.Headers.CacheControl = "no-store";
            return Results.Ok(new { Items = await subs.ListAsync(http.User.RequiredUserId(), ct, endpoint) });
        }).RequireAuthorization();

        api.MapPost("", async (SubscriptionRequest? body, HttpContext http, WebPushSubscriptions subs, CancellationToken ct) =>
        {
            if (body is null)
            {
                return Results.Problem(statusCode: 400, title: "The subscription is missing.", detail: "Send the browser's PushSubscription.toJSON() as the body.");
            }
            var result = await subs.SubscribeAsync(http.User.RequiredUserId(), body, http.Request.Headers.UserAgent.ToString(), ct);
            return result.Outcome switch
            {
                SubscribeOutcome.Invalid => Results.ValidationProblem(result.Errors!, title: "This browser's subscription cannot be used.",
                    detail: string.Join(" ", result.Errors!.Values.SelectMany(v => v))),
                SubscribeOutcome.Created => Results.Created($"/api/push/subscriptions/{result.Subscription!.Id}", result.Subscription),
                _ => Results.Ok(result.Subscription),
            };
        }).RequireAuthorization().RequireAntiforgeryForCookies();

        api.MapDelete("", async (string? endpoint, HttpContext http, WebPushSubscriptions subs, CancellationToken ct) =>
        {
            if (string.IsNullOrWhiteSpace(endpoint))
            {
                return Results.Problem(statusCode: 400, title: "Which subscription?", detail: "Give the endpoint: DELETE /api/push/subscriptions?endpoint=…");
            }
            return await subs.RemoveAsync(http.User.RequiredUserId(), endpoint, ct) ? Results.NoContent() : NotYours();
        }).RequireAuthorization().RequireAntiforgeryForCookies();

        api.MapDelete("/{id:long}", async (long id, HttpContext http, WebPushSubscriptions subs, CancellationToken ct) =>
            await subs.RemoveAsync(http.User.RequiredUserId(), id, ct) ? Results.NoContent() : NotYours())
            .RequireAuthorization().RequireAntiforgeryForCookies();

        // No cookie and no token: knowing the endpoint and its auth secret is the proof (the service worker has no page).
        api.MapPost("/renew", async (RenewRequest? body, WebPushSubscriptions subs, CancellationToken ct) =>
        {
            if (body is null)
            {
                return Results.Problem(statusCode: 400, title: "The subscription is missing.");
            }
            var (outcome, errors) = await subs.RenewAsync(body, ct);
            return outcome switch
            {
                RenewOutcome.Invalid => Results.ValidationProblem(errors!, title: "This browser's subscription cannot be used."),
                RenewOutcome.Unknown => Results.Problem(statusCode: 404, title: "This browser is not subscribed.",
                    detail: "It was removed or expired; turn notifications on again in your preferences."),
                _ => Results.NoContent(),
            };
        }).AllowAnonymous();
        return app;
    }

    private static IResult NotYours() =>
        Results.Problem(statusCode: 404, title: "No such browser among yours.", detail: "It may have been removed already.");
}
