using NewsPush.Web.Infrastructure;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using NewsPush.Data;
using NewsPush.Data.Entities;

namespace NewsPush.Web.Reader;

/// <summary>Column, tag and article pages, and what a reader does on an article (rate, bookmark).</summary>
public sealed class ArticlesController(ArticleQueries queries, ReaderActivityService activity, NewsPushDbContext db) : Controller
{
    private string? UserId => User.UserId();

    [HttpGet("/column/{slug}"), OutputCache(PolicyName = ReaderCache.Policy)]
    public async Task<IActionResult> Column(string slug, int page = 1, CancellationToken ct = default)
    {
        var column = await queries.ColumnAsync(slug, ct);
        if (column is not { } c)
        {
            return NotFound();
        }
        page = Math.Clamp(page, 1, 10_000);
        var (items, pageCount) = await queries.ColumnArticlesAsync(c.Id, page, ct);
        if (page > pageCount)
        {
            return NotFound();
        }
        var follow = await activity.FollowStateAsync(UserId, FollowKind.Column, c.Id, ct);
        return View(new ColumnPageViewModel(c.Name, c.Slug, c.Description, items, new PagerViewModel(page, pageCount, $"/column/{c.Slug}"), follow));
    }

    [HttpGet("/tag/{slug}"), OutputCache(PolicyName = ReaderCache.Policy)]
    public async Task<IActionResult> Tag(string slug, int page = 1, CancellationToken ct = default)
    {
        var tag = await db.Tags.AsNoTracking().Where(t => t.Slug == slug).Select(t => new { t.Id, t.Name, t.Slug }).FirstOrDefaultAsync(ct);
        if (tag is null)
        {
            return NotFound();
        }
        page = Math.Clamp(page, 1, 10_000);
        var (items, pageCount) = await queries.TagArticlesAsync(tag.Id, page, ct);
        if (page > pageCount)
        {
            return NotFound();
        }
        var follow = await activity.FollowStateAsync(UserId, FollowKind.Tag, tag.Id, ct);
        return View(new TagPageViewModel(tag.Name, tag.Slug, items, new PagerViewModel(page, pageCount, $"/tag/{tag.Slug}"), follow));
    }

    [HttpGet("/article/{slug}"), OutputCache(PolicyName = ReaderCache.Policy)]
    public async Task<IActionResult> Article(string slug, string? src, CancellationToken ct)
    {
        var model = await queries.PageAsync(slug, UserId, null, ct);
        if (model is null)
        {
            return NotFound();
        }
        activity.RecordOpen(UserId, model.Article.Id, src ?? "direct");
        return View(model);
    }

    [HttpPost("/article/{slug}/rate"), Authorize]
    public async Task<IActionResult> Rate(string slug, int stars, CancellationToken ct)
    {
        var article = await queries.ArticleAsync(slug, ct);
        if (article is null)
        {
            return NotFound();
        }
        if (!await activity.RateAsync(UserId!, article.Id, stars, ct))
        {
            TempData["Flash"] = "Choose from 1 to 5 stars.";
        }
        return Redirect($"{Slugs.ArticlePath(slug)}#rating");
    }

    [HttpPost("/article/{slug}/bookmark"), Authorize]
    public async Task<IActionResult> Bookmark(string slug, CancellationToken ct)
    {
        var article = await queries.ArticleAsync(slug, ct);
        if (article is null)
        {
            return NotFound();
        }
        var now = await activity.ToggleBookmarkAsync(UserId!, article.Id, ct);
        TempData["Flash"] = now ? "Saved to your bookmarks." : "Removed from your bookmarks.";
        return Redirect(Slugs.ArticlePath(slug));
    }

    [HttpPost("/follow"), Authorize]
    public async Task<IActionResult> Follow(FollowKind kind, int targetId, bool follow, string? returnUrl, CancellationToken ct)
    {
        if (!Enum.IsDefined(kind) || !await activity.TargetExistsAsync(kind, targetId, ct))
        {
            return NotFound();
        }
        if (follow)
        {
            await activity.FollowAsync(UserId!, kind, targetId, false, ct);
        }
        else
        {
            await activity.UnfollowAsync(UserId!, kind, targetId, ct);
        }
        return LocalRedirect(Url.IsLocalUrl(returnUrl) ? returnUrl! : "/me/follows");
    }
}
