using NewsPush.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using NewsPush.Data;
using NewsPush.Data.Entities;

namespace NewsPush.Web.Recommendations;

public sealed record ForYouItemViewModel(int Id, string Slug, string Title, string Summary, string ColumnName, DateTime? PublishedAt, string Reason);

public sealed record ForYouViewModel(IReadOnlyList<ForYouItemViewModel> Items, bool SignedIn)
{
    /// <summary>The story just set aside, which the message offers to bring back.</summary>
    public (int Id, string Title)? Dismissed { get; init; }
}

/// <summary>The personalized "For you" feed; each item says why it is there.</summary>
public sealed class ForYouController(IArticleRecommender recommender, ReaderFeedCache feeds, NewsPushDbContext db, TimeProvider clock) : Controller
{
    private const int PageSize = 20;

    [HttpGet("/for-you")]
    public async Task<IActionResult> Index(CancellationToken ct)
    {
        var userId = User.UserId();
        var items = userId is null ? await ItemsAsync(null, ct) : await feeds.GetAsync("for-you", userId, c => ItemsAsync(userId, c), ct);
        (int, string)? undo = TempData["NotInterested"] is { } last && int.TryParse(last.ToString(), out var lastId)
            && await db.Articles.AsNoTracking().Where(a => a.Id == lastId).Select(a => a.Title).FirstOrDefaultAsync(ct) is { } lastTitle ? (lastId, lastTitle) : null;
        return View("~/Views/ForYou/Index.cshtml", new ForYouViewModel(items, userId is not null) { Dismissed = undo });
    }

    private async Task<IReadOnlyList<ForYouItemViewModel>> ItemsAsync(string? userId, CancellationToken ct)
    {
        // Stories the reader set aside never come back; ask for a few more so the page stays full.
        var dismissed = userId is null ? [] : await db.Interactions.AsNoTracking()
            .Where(i => i.UserId == userId && i.Type == InteractionType.NotInterested).Select(i => i.ArticleId).ToListAsync(ct);
        var recommendations = (await recommender.RecommendAsync(userId, PageSize + Math.Min(dismissed.Count, PageSize), ct))
            .Where(r => !dismissed.Contains(r.ArticleId)).Take(PageSize).ToList();
        var ids = recommendations.Select(r => r.ArticleId).ToList();
        // The recommender may serve from a snapshot a few minutes old: what was taken back since is left out here.
        var articles = await db.Articles.AsNoTracking().PubliclyVisible(clock.GetUtcNow().UtcDateTime).Where(a => ids.Contains(a.Id))
            .Select(a => new { a.Id, a.Slug, a.Title, a.Summary, ColumnName = a.Column!.Name, a.PublishedAt })
            .ToDictionaryAsync(a => a.Id, ct);
        return recommendations.Where(r => articles.ContainsKey(r.ArticleId)).Select(r =>
        {
            var a = articles[r.ArticleId];
            return new ForYouItemViewModel(a.Id, a.Slug, a.Title, a.Summary, a.ColumnName, a.PublishedAt, r.Reason);
        }).ToList();
    }

    /// <summary>
    /// "Not interested": the story leaves the reader's feed for good and the model learns from it (a negative example
    /// at the next training). Stored at once, not queued like impressions: the reader is owed it, and may undo it.
    /// </summary>
    [HttpPost("/for-you/not-interested"), Authorize, ValidateAntiForgeryToken]
    public async Task<IActionResult> NotInterested(int articleId, CancellationToken ct)
    {
        var userId = User.UserId()!;
        if (!await db.Articles.AnyAsync(a => a.Id == articleId, ct))
        {
            return NotFound();
        }
        if (!await db.Interactions.AnyAsync(i => i.UserId == userId && i.ArticleId == articleId && i.Type == InteractionType.NotInterested, ct))
        {
            db.Interactions.Add(new Interaction
            {
                UserId = userId, ArticleId = articleId, Type = InteractionType.NotInterested, Value = 1, Source = "for-you", OccurredAt = clock.GetUtcNow().UtcDateTime,
            });
            await db.SaveChangesAsync(ct);
        }
        feeds.Evict(userId);
        TempData["NotInterested"] = articleId;
        return Redirect("/for-you");
    }

    /// <summary>Undoes "not interested": the story may be recommended again.</summary>
    [HttpPost("/for-you/not-interested/undo"), Authorize, ValidateAntiForgeryToken]
    public async Task<IActionResult> Undo(int articleId, CancellationToken ct)
    {
        var userId = User.UserId()!;
        await db.Interactions.Where(i => i.UserId == userId && i.ArticleId == articleId && i.Type == InteractionType.NotInterested).ExecuteDeleteAsync(ct);
        feeds.Evict(userId);
        return Redirect("/for-you");
    }
}
