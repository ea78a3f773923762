using NewsPush.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Web.Areas.Editor.Models;
using NewsPush.Web.Media;
using NewsPush.Web.Newsroom;
using NewsPush.Web.Reader;

namespace NewsPush.Web.Areas.Editor.Controllers;

[Area("Editor"), Authorize(Policy = NewsroomServiceCollectionExtensions.EditorPolicy), Route("editor/articles")]
public sealed class ArticlesController(ArticleService articles, PublishingService publishing, NewsPushDbContext db, IAuthorizationService authorization,
    FeatureImages featureImages, ReaderCache readerCache, AuditLog audit, IOptions<NewsroomOptions> newsroom, MarkdownRenderer markdown) : Controller
{
    [HttpGet("")]
    public async Task<IActionResult> Index(ArticleStatus? status, int? columnId, string? authorId, string? q, int page = 1, CancellationToken ct = default)
    {
        var query = new ArticleListQuery(status, columnId, authorId, q, page)
        {
            DraftsOnlyOf = User.IsInRole(Roles.Admin) ? null : User.UserId(),
        };
        var (rows, total) = await articles.ListAsync(query, ct);
        var authors = await db.Articles.AsNoTracking().Where(a => a.AuthorId != null).Select(a => new { a.AuthorId, a.Author!.DisplayName }).Distinct()
            .OrderBy(a => a.DisplayName).ToListAsync(ct);
        return View(new ArticleListViewModel(rows, total, Math.Max(1, page), ArticleService.PageSize, status, columnId, authorId, q,
            await ColumnOptionsAsync(ct), authors.Select(a => new Option(a.AuthorId!, a.DisplayName)).ToList()) { Newsroom = newsroom.Value });
    }

    [HttpGet("new")]
    public async Task<IActionResult> Create(CancellationToken ct) =>
        View("Edit", new ArticleEditViewModel { Columns = await ColumnOptionsAsync(ct), Newsroom = newsroom.Value });

    [HttpPost("new")]
    public async Task<IActionResult> Create([Bind(Prefix = "Form")] ArticleFormModel form, string? preview, CancellationToken ct)
    {
        if (preview is not null || !ModelState.IsValid || await articles.ValidateAsync(form.ToInput(), ct) is { } error && Invalid(error))
        {
            return View("Edit", new ArticleEditViewModel { Form = form, Columns = await ColumnOptionsAsync(ct), Newsroom = newsroom.Value, PreviewHtml = preview is null ? null : markdown.RenderArticle(form.BodyMarkdown ?? "") });
        }
        var id = await articles.CreateAsync(form.ToInput(), User, ct);
        TempData["Message"] = "Draft saved.";
        return RedirectToAction(nameof(Edit), new { id });
    }

    [HttpGet("{id:int}")]
    public async Task<IActionResult> Edit(int id, CancellationToken ct)
    {
        var article = await articles.FindAsync(id, ct);
        if (article is null)
        {
            return NotFound();
        }
        if (!await CanEditAsync(article))
        {
            return Forbid();
        }
        var form = new ArticleFormModel
        {
            Title = article.Title, Summary = article.Summary, BodyMarkdown = article.BodyMarkdown, ColumnId = article.ColumnId,
            Tags = string.Join(", ", article.Tags.Select(t => t.Tag!.Name)), Language = article.Language, Slug = article.Slug,
        };
        return View(await EditModelAsync(article, form, null, TempData["Message"] as string, ct));
    }

    [HttpPost("{id:int}")]
    public async Task<IActionResult> Edit(int id, [Bind(Prefix = "Form")] ArticleFormModel form, string? preview, CancellationToken ct)
    {
        var article = await articles.FindAsync(id, ct);
        if (article is null)
        {
            return NotFound();
        }
        if (!await CanEditAsync(article))
        {
            return Forbid();
        }
        if (preview is not null || !ModelState.IsValid
            || await articles.ValidateAsync(form.ToInput(), ct, id) is { } error && Invalid(error)
            || await articles.UpdateAsync(id, form.ToInput(), User, ct) is { } updateError && Invalid(updateError))
        {
            return View(await EditModelAsync(article, form, preview is null ? null : markdown.RenderArticle(form.BodyMarkdown ?? ""), null, ct));
        }
        TempData["Message"] = "Saved.";
        return RedirectToAction(nameof(Edit), new { id });
    }

    /// <summary>The live preview beside the editor: the body rendered as publishing renders it.</summary>
    [HttpPost("preview"), ValidateAntiForgeryToken, RequestSizeLimit(1_000_000)]
    public IActionResult Preview([FromForm(Name = "markdown")] string? body) => Json(new { html = markdown.RenderArticle(body ?? "") });

    /// <summary>Uploads (or keeps) the feature image and saves its alt text; <paramref name="remove"/> takes the picture off the article.</summary>
    [HttpPost("{id:int}/image"), MediaUploadLimit]
    public async Task<IActionResult> Image(int id, IFormFile? file, string? alt, string? remove, CancellationToken ct)
    {
        var article = await articles.FindAsync(id, ct);
        if (article is null)
        {
            return NotFound();
        }
        if (!await CanEditAsync(article))
        {
            return Forbid();
        }
        if (remove is not null)
        {
            await featureImages.RemoveAsync(id, ct);
            audit.Add(User, "article.image-removed", nameof(Article), id.ToString(), article.Title);
            await db.SaveChangesAsync(ct);
            await readerCache.InvalidateAsync(ct);
            TempData["Message"] = "Feature image removed.";
            return RedirectToAction(nameof(Edit), new { id });
        }
        if (await featureImages.SetAsync(id, file, alt, User.UserId(), ct) is { } error)
        {
            ModelState.AddModelError("alt", error);
            var form = new ArticleFormModel
            {
                Title = article.Title, Summary = article.Summary, BodyMarkdown = article.BodyMarkdown, ColumnId = article.ColumnId,
                Tags = string.Join(", ", article.Tags.Select(t => t.Tag!.Name)), Language = article.Language, Slug = article.Slug,
            };
            var model = await EditModelAsync(article, form, null, null, ct);
            model.ImageAlt = alt;
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return View(nameof(Edit), model);
        }
        audit.Add(User, file is null ? "article.image-described" : "article.image-set", nameof(Article), id.ToString(), article.Title);
        await db.SaveChangesAsync(ct);
        await readerCache.InvalidateAsync(ct);
        TempData["Message"] = file is null ? "Alt text saved." : "Feature image saved.";
        return RedirectToAction(nameof(Edit), new { id });
    }

    /// <summary>One workflow step; <paramref name="scheduledAt"/> is the newsroom's wall-clock time (the form names the zone).</summary>
    [HttpPost("{id:int}/transition")]
    public async Task<IActionResult> Transition(int id, WorkflowAction action, DateTime? scheduledAt, CancellationToken ct)
    {
        if (!Enum.IsDefined(action))
        {
            return BadRequest();
        }
        var article = await articles.FindAsync(id, ct);
        if (article is null)
        {
            return NotFound();
        }
        if (!await CanEditAsync(article))
        {
            return Forbid();
        }
        var at = scheduledAt is { } s ? TimeZones.ToUtc(s, newsroom.Value.Zone) : (DateTime?)null;
        var error = await publishing.TransitionAsync(id, action, at, User, ct);
        if (error == "The article does not exist.")
        {
            return NotFound();
        }
        TempData["Message"] = error ?? $"Done: {ArticleWorkflow.Label(action)}.";
        return RedirectToAction(nameof(Edit), new { id });
    }

    private async Task<bool> CanEditAsync(Article article) =>
        (await authorization.AuthorizeAsync(User, article, ArticleOperations.Edit)).Succeeded;

    private bool Invalid(string error)
    {
        ModelState.AddModelError("", error);
        return true;
    }

    private async Task<ArticleEditViewModel> EditModelAsync(Article article, ArticleFormModel form, string? preview, string? message, CancellationToken ct) => new()
    {
        Image = await featureImages.FindAsync(article.FeatureImageId, ct), ImageAlt = article.FeatureImageAlt, MaxUploadMegabytes = featureImages.MaxUploadMegabytes,
        Id = article.Id, Form = form, Status = article.Status, Slug = article.Slug, ScheduledAt = article.ScheduledAt, PublishedAt = article.PublishedAt,
        Columns = await ColumnOptionsAsync(ct), Actions = ArticleWorkflow.ActionsFrom(article.Status), PreviewHtml = preview, Message = message,
        Newsroom = newsroom.Value,
    };

    private async Task<IReadOnlyList<Option>> ColumnOptionsAsync(CancellationToken ct) =>
        (await db.Columns.AsNoTracking().OrderBy(c => c.SortOrder).Select(c => new { c.Id, c.Name, c.IsHidden }).ToListAsync(ct))
            .Select(c => new Option(c.Id.ToString(), c.IsHidden ? $"{c.Name} (hidden)" : c.Name)).ToList();
}
