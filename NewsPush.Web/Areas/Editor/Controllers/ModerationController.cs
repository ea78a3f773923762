using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NewsPush.Web.Areas.Editor.Models;
using NewsPush.Web.Newsroom;

namespace NewsPush.Web.Areas.Editor.Controllers;

[Area("Editor"), Authorize(Policy = NewsroomServiceCollectionExtensions.EditorPolicy), Route("editor/moderation")]
public sealed class ModerationController(ModerationService moderation) : Controller
{
    [HttpGet("")]
    public async Task<IActionResult> Index(CancellationToken ct) => View(new ModerationViewModel(await moderation.QueueAsync(ct), TempData["Message"] as string));

    [HttpPost("comments/{id:long}")]
    public async Task<IActionResult> Moderate(long id, ModerationAction action, CancellationToken ct)
    {
        if (!Enum.IsDefined(action))
        {
            return BadRequest();
        }
        TempData["Message"] = await moderation.ModerateAsync(id, action, User, ct) ?? $"Comment {action.ToString().ToLowerInvariant()}d.";
        return RedirectToAction(nameof(Index));
    }

    [HttpPost("users/{userId}/commenting")]
    public async Task<IActionResult> Commenting(string userId, bool blocked, CancellationToken ct)
    {
        TempData["Message"] = await moderation.SetCommentingBlockedAsync(userId, blocked, User, ct) ?? (blocked ? "The user can no longer comment." : "The user can comment again.");
        return RedirectToAction(nameof(Index));
    }
}
