using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Web.Areas.Editor.Models;
using NewsPush.Web.Campaigns;
using NewsPush.Web.Infrastructure;
using NewsPush.Web.Newsroom;

namespace NewsPush.Web.Areas.Editor.Controllers;

/// <summary>The editor's breaking-news pages: the list, the composer (a draft), the review page and the live progress.</summary>
[Area("Editor"), Authorize(Policy = NewsroomServiceCollectionExtensions.EditorPolicy), Route("editor/pushes"), AutoValidateAntiforgeryToken]
public sealed class PushesController(CampaignWorkflow workflow, CampaignPreview preview, CampaignSender sender, NewsPushDbContext db, TimeProvider clock) : Controller
{
    public const int PageSize = 25;

    [HttpGet("")]
    public async Task<IActionResult> Index(CampaignStatus? status, string? article, int page = 1, CancellationToken ct = default)
    {
        page = Math.Max(1, page);
        var me = User.RequiredUserId();
        var query = db.PushCampaigns.AsNoTracking();
        if (status is { } s)
        {
            query = query.Where(c => c.Status == s);
        }
        var total = await query.CountAsync(ct);
        var rows = await query.OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.Id).Skip((page - 1) * PageSize).Take(PageSize)
            .Select(c => new { c.Id, c.Status, c.Title, c.ArticleId, ArticleTitle = c.Article!.Title, c.CreatedById, c.IsCritical, c.ScheduledAt, c.NextRunAt, c.Cron, c.SentAt, c.CancelledAt, c.CreatedAt })
            .ToListAsync(ct);
        var names = await NamesAsync(rows.Select(r => r.CreatedById), ct);
        var list = rows.Select(r =>
        {
            var (when, label) = r.Status switch
            {
                CampaignStatus.Sent => (r.SentAt, "sent"),
                CampaignStatus.Cancelled => (r.CancelledAt, "cancelled"),
                _ when r.Cron is not null => (r.NextRunAt, "next run"),
                _ when r.ScheduledAt is not null => (r.ScheduledAt, "scheduled"),
                _ => (r.CreatedAt, "created"),
            };
            return new PushListRow(r.Id, r.Status, r.Title, r.ArticleId, r.ArticleTitle, r.CreatedById is null ? null : names.GetValueOrDefault(r.CreatedById),
                r.CreatedById == me, r.IsCritical, when, label);
        }).ToList();
        var matches = new List<Option>();
        if (!string.IsNullOrWhiteSpace(article))
        {
            var text = article.Trim();
            matches = (await db.Articles.AsNoTracking().Where(a => a.Status == ArticleStatus.Published && EF.Functions.Like(a.Title, "%" + text + "%"))
                .OrderByDescending(a => a.PublishedAt).Take(10).Select(a => new { a.Id, a.Title }).ToListAsync(ct))
                .Select(a => new Option(a.Id.ToString(CultureInfo.InvariantCulture), a.Title)).ToList();
        }
        return View(new PushListViewModel(list, total, page, PageSize, status, article, matches, workflow.NewsroomZone, TempData["Message"] as string));
    }

    /// <summary>"Push this story": a draft from a published article, then the composer.</summary>
    [HttpPost("")]
    public async Task<IActionResult> Create(int articleId, CancellationToken ct)
    {
        var (campaign, error) = await workflow.CreateDraftAsync(articleId, User, ct);
        if (campaign is null)
        {
            TempData["Message"] = error;
            return RedirectToAction(nameof(Index));
        }
        TempData["Message"] = "A draft push from the story: edit it, then send it for review.";
        return RedirectToAction(nameof(Show), new { id = campaign.Id });
    }

    [HttpGet("{id:long}")]
    public async Task<IActionResult> Show(long id, CancellationToken ct)
    {
        var c = await db.PushCampaigns.AsNoTracking().SingleOrDefaultAsync(x => x.Id == id, ct);
        return c is null ? NotFound() : View(c.Status == CampaignStatus.Draft ? "Compose" : "Detail", await PageAsync(c, null, TempData["Message"] as string, ct));
    }

    /// <summary>Saves the draft; with <paramref name="submit"/> it then goes to review.</summary>
    [HttpPost("{id:long}")]
    public async Task<IActionResult> Save(long id, PushFormModel form, string? submit, CancellationToken ct)
    {
        var c = await db.PushCampaigns.AsNoTracking().SingleOrDefaultAsync(x => x.Id == id, ct);
        if (c is null)
        {
            return NotFound();
        }
        var errors = await workflow.UpdateAsync(id, form.ToForm(), User, ct);
        if (errors.Count == 0 && submit is not null && await workflow.SubmitAsync(id, User, ct) is { } refused)
        {
            errors[""] = refused;
        }
        if (errors.Count == 0)
        {
            TempData["Message"] = submit is null ? "Saved." : "Sent for review: another editor or an admin approves it.";
            return RedirectToAction(nameof(Show), new { id });
        }
        foreach (var (key, message) in errors)
        {
            ModelState.AddModelError(key, message);
        }
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return View(c.Status == CampaignStatus.Draft ? "Compose" : "Detail", await PageAsync(c, form, null, ct));
    }

    [HttpPost("{id:long}/submit")]
    public Task<IActionResult> Submit(long id, CancellationToken ct) => StepAsync(id, workflow.SubmitAsync(id, User, ct), "Sent for review.");

    [HttpPost("{id:long}/approve")]
    public Task<IActionResult> Approve(long id, CancellationToken ct) => StepAsync(id, workflow.ApproveAsync(id, User, ct), "Approved.");

    [HttpPost("{id:long}/send-back")]
    public Task<IActionResult> SendBack(long id, string? note, CancellationToken ct) =>
        StepAsync(id, workflow.SendBackAsync(id, note, User, ct), "Sent back to draft.");

    [HttpPost("{id:long}/send-now")]
    public Task<IActionResult> SendNow(long id, string? reason, CancellationToken ct) =>
        StepAsync(id, workflow.SendCriticalAloneAsync(id, reason, User, ct), "Sending now, without a second approval.");

    [HttpPost("{id:long}/cancel")]
    public Task<IActionResult> Cancel(long id, CancellationToken ct) =>
        StepAsync(id, workflow.CancelAsync(id, User, ct), "Cancelled: nothing more goes out, and the push has left readers' inboxes; notifications already shown stay shown.");

    /// <summary>The audience as the fan-out would plan it now: of the saved push, or of the composer's values given in the query.</summary>
    [HttpGet("{id:long}/audience")]
    public async Task<IActionResult> Audience(long id, [FromQuery] PushFormModel form, CancellationToken ct)
    {
        var c = await db.PushCampaigns.AsNoTracking().SingleOrDefaultAsync(x => x.Id == id, ct);
        if (c is null)
        {
            return NotFound();
        }
        var fromQuery = Request.Query.ContainsKey(nameof(PushFormModel.Segment));
        var filter = fromQuery ? form.ToFilter() : AudienceFilter.Of(c);
        return Json(await preview.PreviewAsync(filter, c.ArticleId, fromQuery ? form.IsCritical : c.IsCritical, clock.GetUtcNow().UtcDateTime, ct));
    }

    /// <summary>The next runs of a Quartz cron schedule in the newsroom's zone (the composer asks as the editor types).</summary>
    [HttpGet("next-runs")]
    public IActionResult NextRuns(string? cron)
    {
        var runs = string.IsNullOrWhiteSpace(cron) ? [] : workflow.NextRuns(cron, clock.GetUtcNow().UtcDateTime, 5);
        return Json(new
        {
            valid = runs.Count > 0, zone = workflow.NewsroomZone.Id,
            runs = runs.Select(r => r.ToString("ddd yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)).ToList(),
        });
    }

    [HttpGet("{id:long}/progress")]
    public async Task<IActionResult> Progress(long id, CancellationToken ct) =>
        await sender.ProgressAsync(id, ct) is { } progress ? Json(progress) : NotFound();

    private async Task<IActionResult> StepAsync(long id, Task<string?> step, string done)
    {
        var error = await step;
        if (error == "No such push.")
        {
            return NotFound();
        }
        TempData["Message"] = error ?? done;
        return RedirectToAction(nameof(Show), new { id });
    }

    private async Task<PushPageViewModel> PageAsync(PushCampaign c, PushFormModel? posted, string? message, CancellationToken ct)
    {
        var zone = workflow.NewsroomZone;
        var article = await db.Articles.AsNoTracking().Where(a => a.Id == c.ArticleId).Select(a => new { a.Title, a.Slug, Column = a.Column!.Name }).SingleAsync(ct);
        var names = await NamesAsync([c.CreatedById, c.ApprovedById, c.CancelledById], ct);
        var form = posted ?? PushFormModel.Of(c, zone);
        var now = clock.GetUtcNow().UtcDateTime;
        var live = c.Status is CampaignStatus.Sending or CampaignStatus.Sent or CampaignStatus.Cancelled;
        return new PushPageViewModel
        {
            Campaign = c, Form = form, ArticleTitle = article.Title, ArticleSlug = article.Slug, ColumnName = article.Column,
            AuthorName = Name(names, c.CreatedById), ApproverName = Name(names, c.ApprovedById), CancelledByName = Name(names, c.CancelledById),
            WrittenByViewer = c.CreatedById == User.RequiredUserId(), ViewerIsAdmin = User.IsInRole(Roles.Admin),
            Columns = (await db.Columns.AsNoTracking().OrderBy(x => x.SortOrder).Select(x => new { x.Id, x.Name }).ToListAsync(ct))
                .Select(x => new Option(x.Id.ToString(CultureInfo.InvariantCulture), x.Name)).ToList(),
            Tags = (await db.Tags.AsNoTracking().OrderBy(x => x.Name).Select(x => new { x.Id, x.Name }).ToListAsync(ct))
                .Select(x => new Option(x.Id.ToString(CultureInfo.InvariantCulture), x.Name)).ToList(),
            Languages = (await db.Articles.AsNoTracking().Select(a => a.Language).Distinct().ToListAsync(ct))
                .Select(CampaignWorkflow.LanguageCode).OfType<string>().Distinct().Order(StringComparer.Ordinal).ToList(),
            NextRuns = form.When == "recurring" && !string.IsNullOrWhiteSpace(form.Cron) ? workflow.NextRuns(form.Cron, now, 5) : [],
            Audience = live ? null : await preview.PreviewAsync(AudienceFilter.Of(c), c.ArticleId, c.IsCritical, now, ct),
            Progress = live ? await sender.ProgressAsync(c.Id, ct) : null,
            Zone = zone, Message = message,
        };
    }

    private async Task<Dictionary<string, string>> NamesAsync(IEnumerable<string?> ids, CancellationToken ct)
    {
        var wanted = ids.OfType<string>().Distinct().ToList();
        return wanted.Count == 0 ? [] : await db.Users.AsNoTracking().Where(u => wanted.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
    }

    private static string? Name(Dictionary<string, string> names, string? id) => id is null ? null : names.GetValueOrDefault(id, "(a removed user)");
}
