using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.EntityFrameworkCore;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Web.Infrastructure;

namespace NewsPush.Web.Webhooks;

public sealed record RobotsViewModel(IReadOnlyList<RobotRow> Robots, DateTime Now, TimeZoneInfo Zone, string? Message, string? NewSecret);

public sealed record RobotEditViewModel(long? Id, RobotForm Form, IReadOnlyList<SelectListItem> Columns, string? UrlHint, string? SecretHint, string DefaultTimeZoneId);

/// <summary>The newsroom's chat robots, for editors and admins (every action authorized here, on the server).</summary>
[Authorize(Roles = Roles.Editor + "," + Roles.Admin), Route("newsroom/robots")]
public sealed class RobotsController(RobotAdmin robots, RobotFanout fanout, NewsPushDbContext db, TimeProvider clock) : Controller
{
    [HttpGet("")]
    public async Task<IActionResult> Index(CancellationToken ct)
    {
        var zone = await db.TimeZoneOfAsync(User.RequiredUserId(), ct);
        return View(new RobotsViewModel(await robots.ListAsync(ct), clock.GetUtcNow().UtcDateTime, zone, TempData["Message"] as string, TempData["NewSecret"] as string));
    }

    [HttpGet("new")]
    public async Task<IActionResult> New(CancellationToken ct) => View("Edit", await EditModelAsync(null, new RobotForm(), ct));

    [HttpPost("new"), ValidateAntiForgeryToken]
    public Task<IActionResult> Create(RobotForm form, CancellationToken ct) => SaveAsync(null, form, ct);

    [HttpGet("{id:long}/edit")]
    public async Task<IActionResult> Edit(long id, CancellationToken ct)
    {
        var form = await robots.FormAsync(id, ct);
        return form is null ? NotFound() : View(await EditModelAsync(id, form, ct));
    }

    [HttpPost("{id:long}/edit"), ValidateAntiForgeryToken]
    public Task<IActionResult> Update(long id, RobotForm form, CancellationToken ct) => SaveAsync(id, form, ct);

    [HttpPost("{id:long}/delete"), ValidateAntiForgeryToken]
    public async Task<IActionResult> Delete(long id, CancellationToken ct)
    {
        if (!await robots.DeleteAsync(id, User, ct))
        {
            return NotFound();
        }
        TempData["Message"] = "The robot was removed. Messages still waiting for it will not be sent.";
        return RedirectToAction(nameof(Index));
    }

    [HttpPost("{id:long}/test"), ValidateAntiForgeryToken]
    public async Task<IActionResult> Test(long id, CancellationToken ct)
    {
        var queued = await robots.TestAsync(id, User, ct);
        if (queued == false)
        {
            return NotFound();
        }
        TempData["Message"] = queued is null
            ? $"A test was sent to this robot a moment ago; wait {RobotAdmin.TestInterval.TotalSeconds:0} seconds between tests."
            : "A test message is on its way; its result shows here under \"Last delivery\" or \"Last error\" in a moment.";
        return RedirectToAction(nameof(Index));
    }

    [HttpPost("{id:long}/resume"), ValidateAntiForgeryToken]
    public async Task<IActionResult> Resume(long id, CancellationToken ct)
    {
        if (!await robots.ResumeAsync(id, User, ct))
        {
            return NotFound();
        }
        TempData["Message"] = "The robot is on again; what waited for it is being sent.";
        return RedirectToAction(nameof(Index));
    }

    /// <summary>The article page's "Send to chat robots": the story as breaking news to the robots of its column.</summary>
    [HttpPost("breaking/{articleId:int}"), ValidateAntiForgeryToken]
    public async Task<IActionResult> Breaking(int articleId, CancellationToken ct)
    {
        var result = await fanout.SendStoryAsync(articleId, User, ct);
        if (result.Refused == "The article does not exist.")
        {
            return NotFound();
        }
        TempData["Message"] = result.Message;
        return Redirect($"/editor/articles/{articleId}");
    }

    private async Task<IActionResult> SaveAsync(long? id, RobotForm form, CancellationToken ct)
    {
        {
            // The service's checks run even when the form's own rules failed, so every error shows at once.
            var saved = await robots.SaveAsync(id, form, User, ct, checkOnly: !ModelState.IsValid);
            var (outcome, savedId, errors) = saved;
            if (outcome == RobotSaveOutcome.NotFound)
            {
                return NotFound();
            }
            if (outcome == RobotSaveOutcome.Saved)
            {
                TempData["Message"] = id is null ? $"\"{form.Name.Trim()}\" was added. Send a test to check it." : $"\"{form.Name.Trim()}\" was saved.";
                if (saved.NewSecret is { } secret)
                {
                    TempData["NewSecret"] = secret;
                }
                return RedirectToAction(nameof(Index));
            }
            foreach (var (key, message) in errors.Where(e => ModelState[e.Key]?.Errors.Count is null or 0))
            {
                ModelState.AddModelError(key, message);
            }
            id ??= savedId == 0 ? null : savedId;
        }
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return View("Edit", await EditModelAsync(id, form, ct));
    }

    private async Task<RobotEditViewModel> EditModelAsync(long? id, RobotForm form, CancellationToken ct)
    {
        var hints = id is { } existing
            ? await db.WebhookEndpoints.AsNoTracking().Where(w => w.Id == existing).Select(w => new { w.UrlHint, w.SecretHint }).SingleOrDefaultAsync(ct)
            : null;
        var columns = await db.Columns.AsNoTracking().OrderBy(c => c.SortOrder).ThenBy(c => c.Name)
            .Select(c => new SelectListItem(c.Name, c.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), form.BreakingColumns.Contains(c.Id))).ToListAsync(ct);
        return new RobotEditViewModel(id, form, columns, hints?.UrlHint, hints?.SecretHint, (await db.TimeZoneOfAsync(User.RequiredUserId(), ct)).Id);
    }
}
