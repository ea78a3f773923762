using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Web.Infrastructure;

namespace NewsPush.Web.Recommendations;

/// <summary>
/// Fallback used when no trained model exists: popular-and-fresh articles, preferring the reader's
/// followed columns, never what they already read.
/// </summary>
public sealed class PopularFreshRecommender(NewsPushDbContext db, IMemoryCache memory, ContentChanges changes, IOptions<RecommenderOptions> options, TimeProvider clock) : IArticleRecommender
{
    /// <summary>How long one reader's page reuses the candidates (scored by views and age) before reading them again.</summary>
    private static readonly TimeSpan CandidatesFor = TimeSpan.FromSeconds(30);

    private sealed record CachedCandidates(List<Candidate> Candidates, DateTime At);

    /// <summary>
    /// One reader's list (a page): the candidates are shared by every page for <see cref="CandidatesFor"/> on the site's
    /// clock, and dropped when content is saved; the reader's reads and follows are their own. Digests
    /// (<see cref="RecommendManyAsync"/>) always read fresh candidates, once per batch.
    /// </summary>
    public async Task<IReadOnlyList<Recommendation>> RecommendAsync(string? userId, int count, CancellationToken ct)
    {
        var candidates = await CachedCandidatesAsync(ct);
        return userId is null ? Rank(candidates, [], [], count) : (await RankForAsync(candidates, [userId], count, ct))[userId];
    }

    private async Task<List<Candidate>> CachedCandidatesAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (memory.TryGetValue(CandidatesKey, out CachedCandidates? cached) && cached is not null && (now - cached.At).Duration() < CandidatesFor)
        {
            return cached.Candidates;
        }
        var token = changes.Token;
        var fresh = await CandidatesAsync(ct);
        memory.Set(CandidatesKey, new CachedCandidates(fresh, now), new MemoryCacheEntryOptions().AddExpirationToken(token).SetAbsoluteExpiration(CandidatesFor));
        return fresh;
    }

    private const string CandidatesKey = "fallback-candidates";

    /// <summary>One query for the candidates and one each for the readers' reads and follows, whatever the batch size.</summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<Recommendation>>> RecommendManyAsync(
        IReadOnlyCollection<string> userIds, int count, CancellationToken ct) =>
        await RankForAsync(await CandidatesAsync(ct), userIds, count, ct);

    private async Task<IReadOnlyDictionary<string, IReadOnlyList<Recommendation>>> RankForAsync(
        List<Candidate> candidates, IReadOnlyCollection<string> userIds, int count, CancellationToken ct)
    {
        var ids = userIds.ToList();
        var reads = (await db.ArticleReads.AsNoTracking().Where(r => ids.Contains(r.UserId)).Select(r => new { r.UserId, r.ArticleId }).ToListAsync(ct))
            .ToLookup(r => r.UserId, r => r.ArticleId);
        var follows = (await db.Follows.AsNoTracking().Where(f => ids.Contains(f.UserId) && f.Kind == FollowKind.Column).Select(f => new { f.UserId, f.TargetId }).ToListAsync(ct))
            .ToLookup(f => f.UserId, f => f.TargetId);
        var result = new Dictionary<string, IReadOnlyList<Recommendation>>(ids.Count);
        foreach (var userId in ids)
        {
            result[userId] = Rank(candidates, reads[userId].ToHashSet(), follows[userId].ToHashSet(), count);
        }
        return result;
    }

    private async Task<List<Candidate>> CandidatesAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var since = now.AddDays(-options.Value.CandidateDays);
        var articles = await db.Articles.AsNoTracking()
            .PubliclyVisible(now).Where(a => a.PublishedAt >= since)
            .Select(a => new { a.Id, a.ColumnId, ColumnName = a.Column!.Name, a.ViewCount, a.PublishedAt })
            .ToListAsync(ct);
        return articles.ConvertAll(a =>
        {
            var ageHours = Math.Max(1, (now - a.PublishedAt!.Value).TotalHours);
            return new Candidate(a.Id, a.ColumnId, a.ColumnName, Math.Log(2 + a.ViewCount) / Math.Pow(ageHours / 24 + 1, 0.8));
        });
    }

    private static List<Recommendation> Rank(List<Candidate> candidates, HashSet<int> read, HashSet<int> followed, int count) =>
        candidates
            .Where(a => !read.Contains(a.Id))
            .Select(a => followed.Contains(a.ColumnId)
                ? new Recommendation(a.Id, a.Score * 2, $"you follow {a.ColumnName}")
                : new Recommendation(a.Id, a.Score, $"popular in {a.ColumnName}"))
            .OrderByDescending(r => r.Score)
            .Take(count)
            .ToList();

    private sealed record Candidate(int Id, int ColumnId, string ColumnName, double Score);
}
