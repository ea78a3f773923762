using NewsPush.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using NewsPush.Data;
using NewsPush.Data.Entities;

namespace NewsPush.Web.Recommendations;

public sealed record ForYouItemViewModel(int Id, string Slug, string Title, string Summary, string ColumnName, DateTime? PublishedAt, string Reason);

public sealed record ForYouViewModel(IReadOnlyList<ForYouItemViewModel> Items, bool SignedIn);

/// <summary>The personalized "For you" feed; each item says why it is there.</summary>
public sealed class ForYouController(IArticleRecommender recommender, NewsPushDbContext db, TimeProvider clock) : Controller
{
    private const int PageSize = 20;

    [HttpGet("/for-you")]
    public async Task<IActionResult> Index(CancellationToken ct)
    {
        var userId = User.UserId();
        var recommendations = await recommender.RecommendAsync(userId, PageSize, ct);
        var ids = recommendations.Select(r => r.ArticleId).ToList();
        // The recommender may serve from a snapshot a few minutes old: what was taken back since is left out here.
        var articles = await db.Articles.AsNoTracking().PubliclyVisible(clock.GetUtcNow().UtcDateTime).Where(a => ids.Contains(a.Id))
            .Select(a => new { a.Id, a.Slug, a.Title, a.Summary, ColumnName = a.Column!.Name, a.PublishedAt })
            .ToDictionaryAsync(a => a.Id, ct);
        var items = recommendations.Where(r => articles.ContainsKey(r.ArticleId)).Select(r =>
        {
            var a = articles[r.ArticleId];
            return new ForYouItemViewModel(a.Id, a.Slug, a.Title, a.Summary, a.ColumnName, a.PublishedAt, r.Reason);
        }).ToList();
        return View("~/Views/ForYou/Index.cshtml", new ForYouViewModel(items, userId is not null));
    }
}
