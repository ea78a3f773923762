using Microsoft.AspNetCore.Mvc;
using NewsPush.Data;
using NewsPush.Web.Infrastructure;

namespace NewsPush.Web.Devices;

public sealed record ReaderDevicesViewModel(IReadOnlyList<DeviceView> Devices, string? Message, string? Errors, TimeZoneInfo Zone);

/// <summary>"Your phones and tablets" on the preferences page (rendered by name there, so Preferences does not depend on this folder).</summary>
public sealed class ReaderDevicesViewComponent(DeviceRegistry devices, NewsPushDbContext db) : ViewComponent
{
    public async Task<IViewComponentResult> InvokeAsync()
    {
        var userId = UserClaimsPrincipal.RequiredUserId();
        var ct = HttpContext.RequestAborted;
        return View(new ReaderDevicesViewModel(await devices.ListAsync(userId, ct), TempData["DeviceMessage"] as string, TempData["DeviceErrors"] as string,
            await db.TimeZoneOfAsync(userId, ct)));
    }
}
