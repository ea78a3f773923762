using Microsoft.AspNetCore.Mvc;
using NewsPush.Web.Infrastructure;

namespace NewsPush.Web.Webhooks;

public sealed record ReaderWebhooksViewModel(IReadOnlyList<ReaderWebhookRow> Hooks, int Max, string? Message, string? Errors, string? NewSecret, TimeZoneInfo Zone);

/// <summary>"Your own webhooks" on the preferences page (rendered by name there, so Preferences does not depend on this folder).</summary>
public sealed class ReaderWebhooksViewComponent(ReaderWebhooks hooks, Microsoft.Extensions.Options.IOptions<WebhookOptions> options) : ViewComponent
{
    public async Task<IViewComponentResult> InvokeAsync()
    {
        var userId = UserClaimsPrincipal.RequiredUserId();
        return View(new ReaderWebhooksViewModel(await hooks.ListAsync(userId, HttpContext.RequestAborted), options.Value.MaxPerReader,
            TempData["WebhookMessage"] as string, TempData["WebhookErrors"] as string, TempData["WebhookSecret"] as string,
            await hooks.ZoneAsync(userId, HttpContext.RequestAborted)));
    }
}
