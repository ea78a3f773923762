using Microsoft.EntityFrameworkCore;
using NewsPush.Data;
using NewsPush.Data.Entities;

namespace NewsPush.Web.Recommendations;

/// <summary>
/// Fallback used when no trained model exists: popular-and-fresh articles, preferring the reader's
/// followed columns, never what they already read.
/// </summary>
public sealed class PopularFreshRecommender(NewsPushDbContext db, TimeProvider clock) : IArticleRecommender
{
    private const int CandidateDays = 14;

    public async Task<IReadOnlyList<Recommendation>> RecommendAsync(string? userId, int count, CancellationToken ct)
    {
        var result = await RecommendManyAsync(userId is null ? [] : [userId], count, ct);
        return userId is null ? await RankAsync(null, count, ct) : result[userId];
    }

    public async Task<IReadOnlyDictionary<string, IReadOnlyList<Recommendation>>> RecommendManyAsync(
        IReadOnlyCollection<string> userIds, int count, CancellationToken ct)
    {
        var result = new Dictionary<string, IReadOnlyList<Recommendation>>();
        foreach (var userId in userIds)
        {
            result[userId] = await RankAsync(userId, count, ct);
        }
        return result;
    }

    private async Task<IReadOnlyList<Recommendation>> RankAsync(string? userId, int count, CancellationToken ct)
    {
        var since = clock.GetUtcNow().UtcDateTime.AddDays(-CandidateDays);
        var candidates = await db.Articles.AsNoTracking()
            .Where(a => a.Status == ArticleStatus.Published && a.PublishedAt >= since && !a.Column!.IsHidden)
            .Select(a => new { a.Id, a.ColumnId, ColumnName = a.Column!.Name, a.ViewCount, a.PublishedAt })
            .ToListAsync(ct);
        HashSet<int> read = [];
        HashSet<int> followed = [];
        if (userId is not null)
        {
            read = (await db.ArticleReads.Where(r => r.UserId == userId).Select(r => r.ArticleId).ToListAsync(ct)).ToHashSet();
            followed = (await db.Follows.Where(f => f.UserId == userId && f.Kind == FollowKind.Column).Select(f => f.TargetId).ToListAsync(ct)).ToHashSet();
        }
        var now = clock.GetUtcNow().UtcDateTime;
        return candidates
            .Where(a => !read.Contains(a.Id))
            .Select(a =>
            {
                var ageHours = Math.Max(1, (now - a.PublishedAt!.Value).TotalHours);
                var score = Math.Log(2 + a.ViewCount) / Math.Pow(ageHours / 24 + 1, 0.8) * (followed.Contains(a.ColumnId) ? 2 : 1);
                var reason = followed.Contains(a.ColumnId) ? $"you follow {a.ColumnName}" : $"popular in {a.ColumnName}";
                return new Recommendation(a.Id, score, reason);
            })
            .OrderByDescending(r => r.Score)
            .Take(count)
            .ToList();
    }
}
