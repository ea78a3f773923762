using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Web.Recommendations;
using NewsPush.Web.Interactions;

namespace NewsPush.Web.Reader;

/// <summary>What a reader does to articles: ratings, bookmarks, follows, reading history and interaction events.</summary>
public sealed class ReaderActivityService(NewsPushDbContext db, InteractionRecorder recorder, ReaderCache readerCache, ReadingHistory history,
    ReaderStateCache states, ReaderFeedCache feeds, IServiceProvider services, TimeProvider clock)
{
    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    /// <summary>
    /// An article was opened: history and click event noted, both written in batches off the request path (views are
    /// counted by <see cref="ArticleViewCountingMiddleware"/>).
    /// </summary>
    public void RecordOpen(string? userId, int articleId, string? source)
    {
        if (userId is null)
        {
            return;
        }
        var now = Now;
        history.Opened(userId, articleId, now);
        recorder.Record(userId, articleId, InteractionType.Click, 1, Clean(source), now);
    }

    public void RecordDwell(string userId, int articleId, double seconds)
    {
        seconds = Math.Clamp(seconds, 0, 3600);
        history.Dwelled(userId, articleId, seconds, Now);
        recorder.Record(userId, articleId, InteractionType.Dwell, seconds, "article", Now);
    }

    public void RecordImpressions(string userId, IEnumerable<int> articleIds, string? source)
    {
        var now = Now;
        var position = 0;
        foreach (var id in articleIds.Distinct().Take(50))
        {
            recorder.Record(userId, id, InteractionType.Impression, position++, Clean(source), now);
        }
    }

    public async Task<bool> RateAsync(string userId, int articleId, int stars, CancellationToken ct)
    {
        var slug = stars is < 1 or > 5 ? null : await db.Articles.PubliclyVisible(Now).Where(a => a.Id == articleId).Select(a => a.Slug).FirstOrDefaultAsync(ct);
        if (slug is null)
        {
            return false;
        }
        var existing = await db.Ratings.FirstOrDefaultAsync(r => r.UserId == userId && r.ArticleId == articleId, ct);
        var delta = stars - (existing?.Stars ?? 0);
        if (existing is null)
        {
            db.Ratings.Add(new Rating { UserId = userId, ArticleId = articleId, Stars = stars, CreatedAt = Now });
        }
        else
        {
            existing.Stars = stars;
        }
        await db.SaveChangesAsync(ct);
        await db.Articles.Where(a => a.Id == articleId).ExecuteUpdateAsync(s => s
            .SetProperty(a => a.RatingSum, a => a.RatingSum + delta)
            .SetProperty(a => a.RatingCount, a => a.RatingCount + (existing == null ? 1 : 0)), ct);
        states.Evict(userId);
        feeds.Evict(userId);
        recorder.Record(userId, articleId, InteractionType.Rating, stars, "article", Now);
        await readerCache.RatingChangedAsync(articleId, slug, ct);
        return true;
    }

    /// <summary>Adds or removes the bookmark; returns whether the article is now bookmarked.</summary>
    public async Task<bool> ToggleBookmarkAsync(string userId, int articleId, CancellationToken ct)
    {
        var removed = await db.Bookmarks.Where(b => b.UserId == userId && b.ArticleId == articleId).ExecuteDeleteAsync(ct);
        states.Evict(userId);
        if (removed > 0)
        {
            return false;
        }
        db.Bookmarks.Add(new Bookmark { UserId = userId, ArticleId = articleId, CreatedAt = Now });
        await db.SaveChangesAsync(ct);
        states.Evict(userId);
        recorder.Record(userId, articleId, InteractionType.Bookmark, 1, "article", Now);
        return true;
    }

    public async Task<bool> TargetExistsAsync(FollowKind kind, int targetId, CancellationToken ct) => kind switch
    {
        FollowKind.Column => await db.Columns.AnyAsync(c => c.Id == targetId && !c.IsHidden, ct),
        FollowKind.Tag => await db.Tags.AnyAsync(t => t.Id == targetId, ct),
        _ => false,
    };

    public async Task FollowAsync(string userId, FollowKind kind, int targetId, bool declaredInterest, CancellationToken ct)
    {
        if (await db.Follows.AnyAsync(f => f.UserId == userId && f.Kind == kind && f.TargetId == targetId, ct))
        {
            return;
        }
        db.Follows.Add(new Follow { UserId = userId, Kind = kind, TargetId = targetId, IsDeclaredInterest = declaredInterest, CreatedAt = Now });
        try
        {
            await db.SaveChangesAsync(ct);
            states.Evict(userId);
            feeds.Evict(userId);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            return;
        }
        // The recommender learns follows per article; an article of the column/tag stands in for it.
        var visible = db.Articles.PubliclyVisible(Now);
        var articleId = await (kind == FollowKind.Column ? visible.Where(a => a.ColumnId == targetId) : visible.Where(a => a.Tags.Any(t => t.TagId == targetId)))
            .OrderByDescending(a => a.PublishedAt).Select(a => (int?)a.Id).FirstOrDefaultAsync(ct);
        if (articleId is { } id)
        {
            recorder.Record(userId, id, InteractionType.Follow, kind == FollowKind.Column ? 1 : 2, kind == FollowKind.Column ? "column" : "tag", Now);
        }
    }

    public async Task UnfollowAsync(string userId, FollowKind kind, int targetId, CancellationToken ct)
    {
        await db.Follows.Where(f => f.UserId == userId && f.Kind == kind && f.TargetId == targetId).ExecuteDeleteAsync(ct);
        states.Evict(userId);
        feeds.Evict(userId);
    }

    public async Task<FollowState> FollowStateAsync(string? userId, FollowKind kind, int targetId, CancellationToken ct) =>
        new(targetId, userId is not null && (await states.GetAsync(db, userId, ct)).Follows(kind, targetId), userId is not null);

    /// <summary>Replaces the declared interests with the picked columns and tags (followed ones stay).</summary>
    public async Task SetInterestsAsync(string userId, IReadOnlyCollection<int> columnIds, IReadOnlyCollection<int> tagIds, CancellationToken ct)
    {
        var validColumns = await db.Columns.Where(c => columnIds.Contains(c.Id) && !c.IsHidden).Select(c => c.Id).ToListAsync(ct);
        var validTags = await db.Tags.Where(t => tagIds.Contains(t.Id)).Select(t => t.Id).ToListAsync(ct);
        await db.Follows.Where(f => f.UserId == userId && f.IsDeclaredInterest
            && !((f.Kind == FollowKind.Column && validColumns.Contains(f.TargetId)) || (f.Kind == FollowKind.Tag && validTags.Contains(f.TargetId)))).ExecuteDeleteAsync(ct);
        states.Evict(userId);
        feeds.Evict(userId);
        foreach (var id in validColumns)
        {
            await FollowAsync(userId, FollowKind.Column, id, true, ct);
        }
        foreach (var id in validTags)
        {
            await FollowAsync(userId, FollowKind.Tag, id, true, ct);
        }
        await db.Users.Where(u => u.Id == userId && u.OnboardedAt == null).ExecuteUpdateAsync(s => s.SetProperty(u => u.OnboardedAt, Now), ct);
    }

    public async Task<OnboardingViewModel> OnboardingAsync(string userId, string? error, CancellationToken ct)
    {
        var followed = await db.Follows.AsNoTracking().Where(f => f.UserId == userId).Select(f => new { f.Kind, f.TargetId }).ToListAsync(ct);
        var columns = await db.Columns.AsNoTracking().Where(c => !c.IsHidden).OrderBy(c => c.SortOrder).Select(c => new { c.Id, c.Name }).ToListAsync(ct);
        // The most used tags are the useful choices.
        var tags = await db.Tags.AsNoTracking().OrderByDescending(t => t.Articles.Count).ThenBy(t => t.Name).Take(24).Select(t => new { t.Id, t.Name }).ToListAsync(ct);
        return new OnboardingViewModel(
            columns.Select(c => new InterestOption(c.Id, c.Name, followed.Any(f => f.Kind == FollowKind.Column && f.TargetId == c.Id))).ToList(),
            tags.Select(t => new InterestOption(t.Id, t.Name, followed.Any(f => f.Kind == FollowKind.Tag && f.TargetId == t.Id))).ToList(),
            error);
    }

    public async Task<FollowsViewModel> FollowsAsync(string userId, string? feedUrl, CancellationToken ct)
    {
        var follows = await db.Follows.AsNoTracking().Where(f => f.UserId == userId).OrderBy(f => f.Kind).ThenBy(f => f.CreatedAt)
            .Select(f => new { f.Kind, f.TargetId, f.IsDeclaredInterest }).ToListAsync(ct);
        var columnIds = follows.Where(f => f.Kind == FollowKind.Column).Select(f => f.TargetId).ToList();
        var tagIds = follows.Where(f => f.Kind == FollowKind.Tag).Select(f => f.TargetId).ToList();
        var columns = await db.Columns.AsNoTracking().Where(c => columnIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id, c => (c.Name, c.Slug), ct);
        var tags = await db.Tags.AsNoTracking().Where(t => tagIds.Contains(t.Id)).ToDictionaryAsync(t => t.Id, t => (t.Name, t.Slug), ct);
        var items = follows.Select(f => f.Kind == FollowKind.Column
                ? columns.TryGetValue(f.TargetId, out var c) ? new FollowItem("Column", f.TargetId, c.Name, "/column/" + c.Slug, f.IsDeclaredInterest) : null
                : tags.TryGetValue(f.TargetId, out var t) ? new FollowItem("Tag", f.TargetId, t.Name, "/tag/" + t.Slug, f.IsDeclaredInterest) : null)
            .OfType<FollowItem>().ToList();
        return new FollowsViewModel(items, feedUrl);
    }

    public async Task<(IReadOnlyList<HistoryItem> Items, int PageCount)> HistoryAsync(string userId, int page, int pageSize, CancellationToken ct)
    {
        // The reads noted in memory first, so the page shows the article just read.
        await history.FlushAsync(services, ct);
        // Only what the reader may still open: an article taken back since is left out (its title may be a draft's now).
        var visible = db.Articles.PubliclyVisible(Now);
        var q = db.ArticleReads.AsNoTracking().Where(r => r.UserId == userId && visible.Any(a => a.Id == r.ArticleId));
        var total = await q.CountAsync(ct);
        var items = await q.OrderByDescending(r => r.LastReadAt).Skip((page - 1) * pageSize).Take(pageSize)
            .Select(r => new HistoryItem(new ArticleListItem(r.ArticleId, r.Article!.Slug, r.Article.Title, r.Article.Summary, r.Article.Column!.Name, r.Article.Column.Slug, r.Article.PublishedAt, null), r.LastReadAt, r.ReadCount))
            .ToListAsync(ct);
        return (items, Math.Max(1, (total + pageSize - 1) / pageSize));
    }

    public async Task<(IReadOnlyList<ArticleListItem> Items, int PageCount)> BookmarksAsync(string userId, int page, int pageSize, CancellationToken ct)
    {
        var visible = db.Articles.PubliclyVisible(Now);
        var q = db.Bookmarks.AsNoTracking().Where(b => b.UserId == userId && visible.Any(a => a.Id == b.ArticleId));
        var total = await q.CountAsync(ct);
        var items = await q.OrderByDescending(b => b.CreatedAt).Skip((page - 1) * pageSize).Take(pageSize)
            .Select(b => new ArticleListItem(b.ArticleId, b.Article!.Slug, b.Article.Title, b.Article.Summary, b.Article.Column!.Name, b.Article.Column.Slug, b.Article.PublishedAt, null))
            .ToListAsync(ct);
        return (items, Math.Max(1, (total + pageSize - 1) / pageSize));
    }

    private static string? Clean(string? source) =>
        source is null ? null : new string(source.Where(char.IsLetterOrDigit).Take(20).ToArray()).ToLowerInvariant();
}

/// <summary>
/// Counts article views in memory and adds them to Article.ViewCount every few seconds, so that a busy
/// article page does not write to the database on every request.
/// </summary>
public sealed class ViewCounter
{
    private ConcurrentDictionary<string, int> counts = new(StringComparer.Ordinal);

    public void Increment(string slug) => counts.AddOrUpdate(slug, 1, (_, n) => n + 1);

    private readonly SemaphoreSlim flushing = new(1, 1);

    /// <summary>Writes the counts so far; a caller that arrives during a flush waits for it, so afterwards everything counted is stored.</summary>
    public async Task FlushAsync(IServiceProvider services, CancellationToken ct)
    {
        await flushing.WaitAsync(ct);
        try
        {
            var batch = Interlocked.Exchange(ref counts, new ConcurrentDictionary<string, int>(StringComparer.Ordinal));
            if (batch.IsEmpty)
            {
                return;
            }
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<NewsPushDbContext>();
            foreach (var (slug, n) in batch)
            {
                await db.Articles.Where(a => a.Slug == slug).ExecuteUpdateAsync(s => s.SetProperty(a => a.ViewCount, a => a.ViewCount + n), ct);
            }
        }
        finally
        {
            flushing.Release();
        }
    }
}

public sealed class ViewCountWriter(ViewCounter counter, IServiceProvider services, ILogger<ViewCountWriter> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(5));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await counter.FlushAsync(services, stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogError(ex, "Writing view counts failed");
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        await counter.FlushAsync(services, CancellationToken.None);
    }
}
