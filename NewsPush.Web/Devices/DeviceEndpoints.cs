using NewsPush.Web.Push;
using NewsPush.Web.Infrastructure;

namespace NewsPush.Web.Devices;

/// <summary>
/// The devices API of PRODUCT.md, for the apps (bearer token) and the preferences page (cookie + antiforgery token). Every
/// call acts on the caller's own devices: another reader's deviceId answers 404, as one that does not exist.
/// </summary>
public static class DeviceEndpoints
{
    public static IEndpointRouteBuilder MapDeviceApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/devices").WithTags("Devices").RequireAuthorization();

        api.MapGet("", async (HttpContext http, DeviceRegistry devices, CancellationToken ct) =>
        {
            http.Response.Headers.CacheControl = "no-store";
            return Results.Ok(new DeviceList(await devices.ListAsync(http.User.RequiredUserId(), ct)));
        }).WithSummary("The caller's devices, most recently seen first.");

        api.MapPost("", async (DeviceRegistration? body, HttpContext http, DeviceRegistry devices, CancellationToken ct) =>
        {
            if (body is null)
            {
                return Results.Problem(statusCode: 400, title: "The device is missing.",
                    detail: "Send { deviceId, platform: \"android\"|\"ios\", token, appVersion, locale, timeZone }.");
            }
            var result = await devices.RegisterAsync(http.User.RequiredUserId(), body, ct);
            return result.Outcome switch
            {
                RegisterOutcome.Invalid => Results.ValidationProblem(result.Errors!, title: "This device cannot be registered.",
                    detail: string.Join(" ", result.Errors!.Values.SelectMany(v => v))),
                RegisterOutcome.Created => Results.Created($"/api/devices/{Uri.EscapeDataString(result.Device!.DeviceId)}", result.Device),
                _ => Results.Ok(result.Device),
            };
        }).RequireAntiforgeryForCookies()
            .WithSummary("Registers the app install, or updates it (idempotent per deviceId). A device registered by another account moves to the caller.");

        api.MapGet("/{deviceId}", async (string deviceId, HttpContext http, DeviceRegistry devices, CancellationToken ct) =>
            await devices.FindAsync(http.User.RequiredUserId(), deviceId, ct) is { } d ? Results.Ok(d) : NotYours())
            .WithSummary("One of the caller's devices.");

        api.MapDelete("/{deviceId}", async (string deviceId, HttpContext http, DeviceRegistry devices, CancellationToken ct) =>
            await devices.UnbindAsync(http.User.RequiredUserId(), deviceId, ct) ? Results.NoContent() : NotYours())
            .RequireAntiforgeryForCookies()
            .WithSummary("Unbinds the device (the app calls it on logout): from then on nothing of the caller reaches it.");

        api.MapPost("/{deviceId}/opened", async (string deviceId, string? delivery, HttpContext http, DeviceRegistry devices, TrackingService tracking, CancellationToken ct) =>
        {
            var userId = http.User.RequiredUserId();
            if (await devices.OpenedAsync(userId, deviceId, ct) is not { } d)
            {
                return NotYours();
            }
            if (!string.IsNullOrEmpty(delivery))
            {
                // Opened from a notification: the push's `delivery` data value; one of someone else's is ignored.
                await tracking.RecordAppOpenAsync(userId, delivery, ct);
            }
            return Results.Ok(new OpenedAnswer(d.Badge, await devices.BadgeAsync(userId, ct)));
        }).RequireAntiforgeryForCookies()
            .WithSummary("The app was opened: the device's badge goes back to 0. With ?delivery= (the notification's `delivery` data value) the push counts as opened in the analytics.");

        api.MapPut("/{deviceId}/preferences", async (string deviceId, DevicePreferencesRequest? body, HttpContext http, DeviceRegistry devices, CancellationToken ct) =>
        {
            if (body is null)
            {
                return Results.Problem(statusCode: 400, title: "The preferences are missing.",
                    detail: "Send { pushEnabled, digests, breaking, pushHoursStart, pushHoursEnd } (any of them).");
            }
            var (device, errors) = await devices.UpdatePreferencesAsync(http.User.RequiredUserId(), deviceId, body, ct);
            return device is null ? NotYours()
                : errors is not null ? Results.ValidationProblem(errors, title: "These preferences cannot be saved.", detail: string.Join(" ", errors.Values.SelectMany(v => v)))
                : Results.Ok(device);
        }).RequireAntiforgeryForCookies()
            .WithSummary("What this device receives, and when, on top of the reader's own preferences.");

        app.MapGet("/api/me/badge", async (HttpContext http, DeviceRegistry devices, CancellationToken ct) =>
        {
            http.Response.Headers.CacheControl = "no-store";
            return Results.Ok(new BadgeAnswer(await devices.BadgeAsync(http.User.RequiredUserId(), ct)));
        }).RequireAuthorization().WithTags("Devices").WithSummary("The caller's unread inbox items: what the app icon's badge shows.");
        return app;
    }

    private static IResult NotYours() =>
        Results.Problem(statusCode: 404, title: "No such device among yours.", detail: "It may have been unbound already, or registered by another account since.");
}

public sealed record DeviceList(IReadOnlyList<DeviceView> Items);

public sealed record BadgeAnswer(int Unread);

public sealed record OpenedAnswer(int Badge, int Unread);
