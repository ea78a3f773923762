using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NewsPush.Web.Areas.Admin.Models;
using NewsPush.Web.Newsroom;

namespace NewsPush.Web.Areas.Admin.Controllers;

/// <summary>Announcements to every reader's inbox: send, list with read counts, expire now, delete.</summary>
[Area("Admin"), Authorize(Policy = NewsroomServiceCollectionExtensions.AdminPolicy), AutoValidateAntiforgeryToken, Route("admin/broadcasts")]
public sealed class BroadcastsController(BroadcastAdminService broadcasts) : Controller
{
    [HttpGet("")]
    public async Task<IActionResult> Index(int page = 1, CancellationToken ct = default) =>
        View(await ModelAsync(page, new BroadcastFormModel(), TempData["Message"] as string, ct));

    [HttpPost("")]
    public async Task<IActionResult> Create([Bind(Prefix = "Form")] BroadcastFormModel form, CancellationToken ct)
    {
        var input = form.ToInput();
        foreach (var (field, message) in broadcasts.Validate(input))
        {
            ModelState.AddModelError($"Form.{field}", message);
        }
        if (!ModelState.IsValid)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return View(nameof(Index), await ModelAsync(1, form, null, ct));
        }
        await broadcasts.CreateAsync(input, User, ct);
        return Done(null, "Broadcast sent: it is in every reader's inbox now.", 1);
    }

    [HttpPost("{id:long}/expire")]
    public async Task<IActionResult> Expire(long id, int page = 1, CancellationToken ct = default) =>
        Done(await broadcasts.ExpireAsync(id, User, ct), "Broadcast expired: readers no longer see it.", page);

    [HttpPost("{id:long}/delete")]
    public async Task<IActionResult> Delete(long id, int page = 1, CancellationToken ct = default) =>
        Done(await broadcasts.DeleteAsync(id, User, ct), "Broadcast deleted.", page);

    private async Task<BroadcastsViewModel> ModelAsync(int page, BroadcastFormModel form, string? message, CancellationToken ct)
    {
        page = Math.Clamp(page, 1, 100_000);
        var (rows, total) = await broadcasts.ListAsync(page, ct);
        return new BroadcastsViewModel(rows, total, page, BroadcastAdminService.PageSize, form, message);
    }

    private RedirectToActionResult Done(string? error, string success, int page)
    {
        TempData["Message"] = error ?? success;
        return RedirectToAction(nameof(Index), new { page });
    }
}
