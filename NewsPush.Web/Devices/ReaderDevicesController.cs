using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NewsPush.Web.Infrastructure;

namespace NewsPush.Web.Devices;

/// <summary>The form a reader changes one of their app installs with, on the preferences page.</summary>
public sealed class DeviceForm
{
    public bool PushEnabled { get; set; }
    public bool Digests { get; set; }
    public bool Breaking { get; set; }
    /// <summary>"HH:mm", or empty with <see cref="PushHoursEnd"/> empty: any time.</summary>
    public string? PushHoursStart { get; set; }
    public string? PushHoursEnd { get; set; }
}

/// <summary>Changes and signs out a reader's app installs from their preferences page (every action checks the owner).</summary>
[Authorize, Route("preferences/devices")]
public sealed class ReaderDevicesController(DeviceRegistry devices) : Controller
{
    public const string Anchor = "/preferences#devices";

    [HttpPost("{deviceId}"), ValidateAntiForgeryToken]
    public async Task<IActionResult> Save(string deviceId, DeviceForm form, CancellationToken ct)
    {
        var anyTime = string.IsNullOrWhiteSpace(form.PushHoursStart) && string.IsNullOrWhiteSpace(form.PushHoursEnd);
        var (device, errors) = await devices.UpdatePreferencesAsync(User.RequiredUserId(), deviceId, new DevicePreferencesRequest
        {
            PushEnabled = form.PushEnabled, Digests = form.Digests, Breaking = form.Breaking,
            PushHoursStart = anyTime ? null : form.PushHoursStart, PushHoursEnd = anyTime ? null : form.PushHoursEnd, AnyTime = anyTime,
        }, ct);
        if (device is null)
        {
            return NotFound();
        }
        if (errors is not null)
        {
            TempData["DeviceErrors"] = string.Join("\n", errors.Values.SelectMany(v => v));
            return Redirect(Anchor);
        }
        TempData["DeviceMessage"] = $"Saved for {Label(device)}.";
        return Redirect(Anchor);
    }

    [HttpPost("{deviceId}/remove"), ValidateAntiForgeryToken]
    public async Task<IActionResult> Remove(string deviceId, CancellationToken ct)
    {
        var device = await devices.FindAsync(User.RequiredUserId(), deviceId, ct);
        if (device is null || !await devices.UnbindAsync(User.RequiredUserId(), deviceId, ct))
        {
            return NotFound();
        }
        TempData["DeviceMessage"] = $"{Label(device)} is signed out: it gets nothing of yours until you sign in on it again.";
        return Redirect(Anchor);
    }

    /// <summary>"Android app 3.1.0", "iOS app".</summary>
    public static string Label(DeviceView d) => (d.Platform == "ios" ? "iOS app" : "Android app") + (d.AppVersion is { } v ? " " + v : "");
}
