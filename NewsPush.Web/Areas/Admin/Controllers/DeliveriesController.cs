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
    public async Task<IActionResult> Index(DeliveryStatus? status = DeliveryStatus.Failed, int page = 1, string? done = null, CancellationToken ct = default) =>
        View(await deliveries.GetAsync(status, page, done, ct));

    [HttpPost("retry")]
    public async Task<IActionResult> Retry(DeliveryChannel? channel, CancellationToken ct)
    {
        if (channel is { } c && !Enum.IsDefined(c))
        {
            return BadRequest();
        }
        var count = await deliveries.RetryFailedAsync(channel, User, ct);
        return Redirect($"/admin/deliveries?status=Queued&done={Uri.EscapeDataString($"{count} deliveries queued again.")}");
    }

    [HttpPost("channels/{channel}/resume")]
    public async Task<IActionResult> Resume(DeliveryChannel channel, CancellationToken ct)
    {
        if (!Enum.IsDefined(channel))
        {
            return NotFound();
        }
        await deliveries.ResumeAsync(channel, User, ct);
        return Redirect($"/admin/deliveries?done={Uri.EscapeDataString($"The {channel} channel was resumed.")}");
    }
}
