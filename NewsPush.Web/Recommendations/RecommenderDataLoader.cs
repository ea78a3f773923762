using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Recommender;
using NewsPush.Recommender.Evaluation;
using NewsPush.Recommender.Features;

namespace NewsPush.Web.Recommendations;

/// <summary>
/// The EF side of the recommender: loads articles, impressions, reading history and follows from
/// <see cref="NewsPushDbContext"/> into the recommender's plain records.
/// </summary>
public sealed class RecommenderDataLoader(NewsPushDbContext db, IOptions<RecommenderOptions> options, TimeProvider clock)
{
    private RecommenderOptions O => options.Value;

    /// <summary>Published articles since <paramref name="since"/> (history and candidates).</summary>
    public async Task<List<ArticleInfo>> LoadArticlesAsync(DateTime since, CancellationToken ct)
    {
        var rows = await db.Articles.AsNoTracking()
            .Where(a => a.Status == ArticleStatus.Published && a.PublishedAt != null && a.PublishedAt >= since)
            .Select(a => new
            {
                a.Id, a.Title, a.Summary, a.BodyMarkdown, a.ColumnId, ColumnName = a.Column!.Name, a.PublishedAt,
                Tags = a.Tags.Select(t => t.Tag!.Slug).ToList(),
            })
            .ToListAsync(ct);
        return rows.Select(a => new ArticleInfo(a.Id, a.Title, a.Summary, a.BodyMarkdown, a.ColumnId, a.ColumnName, a.Tags, a.PublishedAt!.Value)).ToList();
    }

    /// <summary>Fresh, published, visible articles: the candidate pool.</summary>
    public async Task<List<int>> LoadCandidateIdsAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var since = now.AddDays(-O.CandidateDays);
        return await db.Articles.AsNoTracking()
            .PubliclyVisible(now).Where(a => a.PublishedAt >= since)
            .Select(a => a.Id).ToListAsync(ct);
    }

    /// <summary>
    /// Decayed clicks and impressions per article as of now, the site-wide click-through rate, each
    /// column's click age and the co-clicks (each click with the reader's previous clicks), replayed
    /// from the interaction log.
    /// </summary>
    public async Task<ArticleStats> LoadStatsAsync(ArticleIndex index, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var since = now.AddDays(-7);
        var behaviour = new BehaviourTracker(index, Evaluator.PopularityHalfLife);
        var recentClicks = new Dictionary<string, List<int>>();
        await foreach (var e in db.Interactions.AsNoTracking()
            .Where(i => i.OccurredAt >= since && (i.Type == InteractionType.Impression || i.Type == InteractionType.Click || i.Type == InteractionType.DigestClick))
            .OrderBy(i => i.OccurredAt).Select(i => new { i.UserId, i.ArticleId, i.Type, i.OccurredAt }).AsAsyncEnumerable().WithCancellation(ct))
        {
            if (index.TryGetIndex(e.ArticleId, out var a))
            {
                if (e.Type == InteractionType.Impression)
                {
                    behaviour.AddImpression(a, e.OccurredAt, false);
                }
                else
                {
                    behaviour.AddClick(a, e.OccurredAt);
                    AddCoClick(behaviour.CoClicks, recentClicks, e.UserId, a);
                }
            }
        }
        return behaviour.Snapshot(now);
    }

    private static void AddCoClick(CoClickTable table, Dictionary<string, List<int>> recentClicks, string userId, int article)
    {
        if (!recentClicks.TryGetValue(userId, out var recent))
        {
            recentClicks[userId] = recent = new List<int>(CoClickTable.Window + 1);
        }
        if (recent.Contains(article))
        {
            return;
        }
        table.AddClick(article, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(recent));
        recent.Insert(0, article);
        if (recent.Count > CoClickTable.Window)
        {
            recent.RemoveAt(recent.Count - 1);
        }
    }

    /// <summary>Follows and declared interests of the given readers (tags by slug).</summary>
    public async Task<Dictionary<string, ReaderInterests>> LoadInterestsAsync(IReadOnlyCollection<string>? userIds, CancellationToken ct)
    {
        var query = db.Follows.AsNoTracking();
        if (userIds is not null)
        {
            query = query.Where(f => userIds.Contains(f.UserId));
        }
        var follows = await query.Select(f => new { f.UserId, f.Kind, f.TargetId, f.IsDeclaredInterest }).ToListAsync(ct);
        var tagIds = follows.Where(f => f.Kind == FollowKind.Tag).Select(f => f.TargetId).Distinct().ToList();
        var tagSlugs = await db.Tags.AsNoTracking().Where(t => tagIds.Contains(t.Id)).ToDictionaryAsync(t => t.Id, t => t.Slug, ct);
        return follows.GroupBy(f => f.UserId).ToDictionary(g => g.Key, g => new ReaderInterests(
            g.Where(f => f.Kind == FollowKind.Column && !f.IsDeclaredInterest).Select(f => f.TargetId).ToList(),
            g.Where(f => f.Kind == FollowKind.Tag && !f.IsDeclaredInterest && tagSlugs.ContainsKey(f.TargetId)).Select(f => tagSlugs[f.TargetId]).ToList(),
            g.Where(f => f.Kind == FollowKind.Column && f.IsDeclaredInterest).Select(f => f.TargetId).ToList(),
            g.Where(f => f.Kind == FollowKind.Tag && f.IsDeclaredInterest && tagSlugs.ContainsKey(f.TargetId)).Select(f => tagSlugs[f.TargetId]).ToList()));
    }

    /// <summary>Reading history (oldest first) and interests of each reader, for serving.</summary>
    public async Task<Dictionary<string, ReaderProfile>> LoadProfilesAsync(IReadOnlyCollection<string> userIds, CancellationToken ct)
    {
        var since = clock.GetUtcNow().UtcDateTime.AddDays(-O.HistoryDays);
        var result = new Dictionary<string, ReaderProfile>();
        foreach (var chunk in userIds.Distinct().Chunk(500))
        {
            var reads = await db.ArticleReads.AsNoTracking()
                .Where(r => chunk.Contains(r.UserId))
                .Select(r => new { r.UserId, r.ArticleId, r.LastReadAt }).ToListAsync(ct);
            var clicks = await db.Interactions.AsNoTracking()
                .Where(i => chunk.Contains(i.UserId) && i.OccurredAt >= since && (i.Type == InteractionType.Click || i.Type == InteractionType.DigestClick))
                .Select(i => new { i.UserId, i.ArticleId, LastReadAt = i.OccurredAt }).ToListAsync(ct);
            var shown = await db.Interactions.AsNoTracking()
                .Where(i => chunk.Contains(i.UserId) && i.OccurredAt >= since && i.Type == InteractionType.Impression)
                .GroupBy(i => i.UserId).Select(g => new { UserId = g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.UserId, x => x.Count, ct);
            var clickCounts = clicks.GroupBy(c => c.UserId).ToDictionary(g => g.Key, g => g.Count());
            var interests = await LoadInterestsAsync(chunk, ct);
            var history = reads.Concat(clicks).GroupBy(r => r.UserId).ToDictionary(g => g.Key,
                g => (IReadOnlyList<int>)g.GroupBy(r => r.ArticleId).Select(a => (Id: a.Key, At: a.Max(x => x.LastReadAt))).OrderBy(a => a.At).Select(a => a.Id).ToList());
            foreach (var userId in chunk)
            {
                result[userId] = new ReaderProfile(userId, history.GetValueOrDefault(userId) ?? [], interests.GetValueOrDefault(userId) ?? ReaderInterests.None,
                    new ReaderActivity(shown.GetValueOrDefault(userId), clickCounts.GetValueOrDefault(userId)));
            }
        }
        return result;
    }

    /// <summary>
    /// Impressions for training: impression events of one reader with the same source and time form
    /// one list; an item counts as clicked when the reader clicked it within the click window. The
    /// history of each impression is what the reader read or clicked before it. "Not interested" is a
    /// negative label: the story counts as not clicked in the reader's lists up to then (even if clicked),
    /// and one the reader dismissed without a logged impression becomes a list of its own, not clicked.
    /// </summary>
    public async Task<RecommenderDataset> LoadDatasetAsync(CancellationToken ct)
    {
        var since = clock.GetUtcNow().UtcDateTime.AddDays(-O.HistoryDays);
        var articles = await LoadArticlesAsync(since.AddDays(-O.CandidateDays), ct);
        var perReader = O.MaxInteractionsPerReader;
        var signals = db.Interactions.AsNoTracking()
            .Where(i => i.OccurredAt >= since && (i.Type == InteractionType.Impression || i.Type == InteractionType.Click || i.Type == InteractionType.DigestClick || i.Type == InteractionType.NotInterested));
        // Each reader's newest MaxInteractionsPerReader only (ROW_NUMBER per reader in SQL): one account cannot outweigh the rest.
        var events = await signals.Select(i => i.UserId).Distinct()
            .SelectMany(userId => signals.Where(i => i.UserId == userId).OrderByDescending(i => i.OccurredAt).ThenByDescending(i => i.Id).Take(perReader))
            .Select(i => new { i.UserId, i.ArticleId, i.Type, i.Source, i.OccurredAt, i.Value })
            .ToListAsync(ct);
        var reads = await db.ArticleReads.AsNoTracking().Where(r => r.FirstReadAt >= since)
            .Select(r => new { r.UserId, r.ArticleId, r.FirstReadAt }).ToListAsync(ct);

        var window = TimeSpan.FromMinutes(O.ClickWindowMinutes);
        var clicks = events.Where(e => e.Type is InteractionType.Click or InteractionType.DigestClick)
            .GroupBy(e => (e.UserId, e.ArticleId)).ToDictionary(g => g.Key, g => g.Select(e => e.OccurredAt).Order().ToList());
        var dismissed = events.Where(e => e.Type == InteractionType.NotInterested)
            .GroupBy(e => (e.UserId, e.ArticleId)).ToDictionary(g => g.Key, g => g.Max(e => e.OccurredAt));
        var historyByUser = events.Where(e => e.Type is InteractionType.Click or InteractionType.DigestClick).Select(e => (e.UserId, e.ArticleId, At: e.OccurredAt))
            .Concat(reads.Select(r => (r.UserId, r.ArticleId, At: r.FirstReadAt)))
            .GroupBy(e => e.UserId).ToDictionary(g => g.Key, g => g.OrderBy(e => e.At).ToList());

        var impressions = new List<ImpressionRecord>();
        foreach (var g in events.Where(e => e.Type == InteractionType.Impression).GroupBy(e => (e.UserId, e.Source, e.OccurredAt)))
        {
            var at = g.Key.OccurredAt;
            var items = g.OrderBy(e => e.Value).DistinctBy(e => e.ArticleId).Select(e => new ImpressionItem(e.ArticleId,
                !(dismissed.TryGetValue((e.UserId, e.ArticleId), out var dismissedAt) && at <= dismissedAt)
                && clicks.TryGetValue((e.UserId, e.ArticleId), out var times) && times.Any(t => t >= at && t <= at + window))).ToList();
            var history = historyByUser.TryGetValue(g.Key.UserId, out var h)
                ? h.Where(x => x.At < at).Select(x => x.ArticleId).Distinct().ToList()
                : [];
            impressions.Add(new ImpressionRecord($"{g.Key.UserId}@{at:O}", g.Key.UserId, at, history, items));
        }
        var shown = events.Where(e => e.Type == InteractionType.Impression).GroupBy(e => (e.UserId, e.ArticleId)).ToDictionary(g => g.Key, g => g.Min(e => e.OccurredAt));
        foreach (var ((userId, articleId), at) in dismissed)
        {
            if (shown.TryGetValue((userId, articleId), out var first) && first <= at)
            {
                continue;
            }
            var history = historyByUser.TryGetValue(userId, out var h) ? h.Where(x => x.At < at).Select(x => x.ArticleId).Distinct().ToList() : [];
            impressions.Add(new ImpressionRecord($"{userId}@{at:O}/not-interested", userId, at, history, [new ImpressionItem(articleId, false)]));
        }
        var interests = await LoadInterestsAsync(null, ct);
        return new RecommenderDataset(articles, impressions.OrderBy(i => i.Time).ToList(), interests);
    }
}
