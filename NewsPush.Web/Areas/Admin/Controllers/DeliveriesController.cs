using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NewsPush.Data.Entities;
using NewsPush.Web.Push;

namespace NewsPush.Web.Areas.Admin.Controllers;

/// <summary>The outbox for admins: each channel's state, deliveries by status with their reasons, retry failed, resume a channel.</summary>
[Area("Admin"), Authorize(Roles = Roles.Admin), Route("admin/deliveries")]
public sealed class DeliveriesController(DeliveryAdminService deliveries) : Controller
{
    [HttpGet("")]
    public async Task<IActionResult> Index(DeliveryStatus? status = DeliveryStatus.Failed, int page = 1, CancellationToken ct = default) =>
        View(await deliveries.GetAsync(status, page, TempData["Message"] as string, ct));

    [HttpPost("retry")]
    public async Task<IActionResult> Retry(DeliveryChannel? channel, CancellationToken ct)
    {
        if (channel is { } c && !Enum.IsDefined(c))
        {
            return BadRequest();
        }
        var count = await deliveries.RetryFailedAsync(channel, User, ct);
        // The outcome through TempData, not the URL: a link cannot make this page say something the site did not do.
        TempData["Message"] = count == 1 ? "1 delivery queued again." : $"{count} deliveries queued again.";
        return Redirect("/admin/deliveries?status=Queued");
    }

    [HttpPost("channels/{channel}/resume")]
    public async Task<IActionResult> Resume(DeliveryChannel channel, CancellationToken ct)
    {
        if (!Enum.IsDefined(channel))
        {
            return NotFound();
        }
        await deliveries.ResumeAsync(channel, User, ct);
        TempData["Message"] = $"The {channel} channel was resumed.";
        return Redirect("/admin/deliveries");
    }
}
