using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NewsPush.Web.Areas.Admin.Models;
using NewsPush.Web.Newsroom;

namespace NewsPush.Web.Areas.Admin.Controllers;

[Area("Admin"), Authorize(Policy = NewsroomServiceCollectionExtensions.AdminPolicy), Route("admin/users")]
public sealed class UsersController(UserAdminService users) : Controller
{
    [HttpGet("")]
    public async Task<IActionResult> Index(string? q, int page = 1, CancellationToken ct = default)
    {
        var (rows, total) = await users.SearchAsync(q, page, ct);
        return View(new UsersViewModel(rows, total, Math.Max(1, page), UserAdminService.PageSize, q, TempData["Message"] as string) { UndoLockUserId = TempData["UndoLock"]?.ToString() });
    }

    [HttpPost("{id}/roles")]
    public async Task<IActionResult> Roles(string id, string[] roles, string? q, int page = 1, CancellationToken ct = default) =>
        Done(await users.SetRolesAsync(id, roles ?? [], User, ct), "Roles changed.", q, page);

    [HttpPost("{id}/lock")]
    public async Task<IActionResult> Lock(string id, bool locked, string? q, int page = 1, CancellationToken ct = default)
    {
        var error = await users.SetLockedAsync(id, locked, User, ct);
        if (error is null && locked)
        {
            // The message offers to undo: one press unlocks the account again.
            TempData["UndoLock"] = id; // read back with ToString(): TempData gives a GUID-shaped string back as a Guid
        }
        return Done(error, locked ? "User locked: they cannot sign in until unlocked." : "User unlocked.", q, page);
    }

    [HttpPost("{id}/delete")]
    public async Task<IActionResult> Delete(string id, string? q, int page = 1, CancellationToken ct = default) =>
        Done(await users.DeleteAsync(id, User, ct), "User deleted: personal data removed, comments kept anonymously.", q, page);

    /// <summary>ASVS 7.4.5: ends every session of the user (browsers and app refresh tokens) without locking them.</summary>
    [HttpPost("{id}/sign-out")]
    public async Task<IActionResult> SignOutEverywhere(string id, string? q, int page = 1, CancellationToken ct = default) =>
        Done(await users.EndSessionsAsync(id, User, ct), "User signed out everywhere: they must sign in again.", q, page);

    private RedirectToActionResult Done(string? error, string success, string? q, int page)
    {
        TempData["Message"] = error ?? success;
        return RedirectToAction(nameof(Index), new { q, page });
    }
}
