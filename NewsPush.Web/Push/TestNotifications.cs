using Microsoft.EntityFrameworkCore;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Web.Infrastructure;

namespace NewsPush.Web.Push;

/// <summary>One endpoint a test went to, as <c>POST /api/push/test</c> answers it.</summary>
public sealed record QueuedTest(string Channel, long EndpointId, string Label);

/// <summary>
/// "Send a test": one delivery to every endpoint the reader set up (browsers; later devices and hooks) through the
/// engine like any push, so a test shows what a real push would do. <see cref="Delivery.ContentId"/> is the instant
/// of the request (Unix ms); one test per reader per <see cref="MinInterval"/>.
/// </summary>
public sealed class TestNotifications(NewsPushDbContext db, AudiencePlanner planner, DeliverySignal signal, TimeProvider clock)
{
    public static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(30);

    /// <summary>What was queued, or null when the reader asked again within <see cref="MinInterval"/>.</summary>
    public async Task<IReadOnlyList<QueuedTest>?> QueueAsync(string userId, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var since = now - MinInterval;
        if (await db.Deliveries.AnyAsync(d => d.UserId == userId && d.ContentKind == DeliveryContentKind.Test && d.CreatedAt > since, ct))
        {
            return null;
        }
        var endpoints = await planner.PersonalEndpointsAsync(userId, ct);
        var contentId = new DateTimeOffset(now).ToUnixTimeMilliseconds();
        foreach (var (endpoint, _) in endpoints)
        {
            db.Deliveries.Add(new Delivery
            {
                UserId = userId, Channel = endpoint.Channel, EndpointId = endpoint.EndpointId, ContentKind = DeliveryContentKind.Test, ContentId = contentId,
                Status = DeliveryStatus.Queued, TrackingToken = TrackingTokens.New(), CreatedAt = now, DeliverBy = now.AddMinutes(10),
            });
        }
        if (endpoints.Count > 0)
        {
            await db.SaveChangesAsync(ct);
            signal.Notify();
        }
        return endpoints.Select(e => new QueuedTest(JsonName(e.Endpoint.Channel), e.Endpoint.EndpointId, e.Label)).ToList();
    }

    private static string JsonName(DeliveryChannel channel) => channel.ToString() is var s ? char.ToLowerInvariant(s[0]) + s[1..] : "";
}

/// <summary>The content of a test: the same words for everyone; its link opens the reader's preferences.</summary>
public sealed class TestNotificationContentSource : IDeliveryContentSource
{
    public DeliveryContentKind Kind => DeliveryContentKind.Test;

    public Task<IReadOnlyDictionary<long, DeliveryContent>> LoadAsync(IReadOnlyCollection<long> ids, CancellationToken ct) =>
        Task.FromResult<IReadOnlyDictionary<long, DeliveryContent>>(ids.Distinct().ToDictionary(id => id, id => new DeliveryContent(
            DeliveryContentKind.Test, id, "Test notification from NewsPush", "Notifications work here. You can change what you receive in your preferences.",
            "/preferences", [])));
}

public static class TestNotificationEndpoints
{
    public static IEndpointRouteBuilder MapTestNotifications(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/push/test", async (HttpContext http, TestNotifications tests, CancellationToken ct) =>
        {
            var queued = await tests.QueueAsync(http.User.RequiredUserId(), ct);
            if (queued is null)
            {
                http.Response.Headers.RetryAfter = ((int)TestNotifications.MinInterval.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            return queued is null
                ? Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "A test was sent a moment ago.",
                    detail: $"Wait {TestNotifications.MinInterval.TotalSeconds:0} seconds between tests.")
                : Results.Accepted(value: new { Queued = queued });
        }).RequireAuthorization().RequireAntiforgeryForCookies();
        return app;
    }
}
