using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Web.Media;
using NewsPush.Web.Recommendations;

namespace NewsPush.Web.Reader;

/// <summary>Read side of the reader site: projections straight from the DbContext, no tracking.</summary>
public sealed class ArticleQueries(NewsPushDbContext db, IMemoryCache cache, MarkdownRenderer markdown, IArticleRecommender recommender, ReaderFeedCache feeds,
    CommentService comments, ReaderCache readerCache, ReaderStateCache states, IOptions<ReaderOptions> options, TimeProvider clock)
{
    /// <summary>The whole article page for one reader; the form is kept when redisplaying a rejected comment.</summary>
    public async Task<ArticlePageViewModel?> PageAsync(string slug, string? userId, CommentFormModel? form, CancellationToken ct)
    {
        var article = await ArticleAsync(slug, ct);
        if (article is null)
        {
            return null;
        }
        var (average, count) = await RatingAsync(article.Id, ct);
        var (threads, commentCount) = await comments.ThreadsAsync(article.Id, userId, ct);
        var reader = await ReaderStateAsync(userId, article, ct);
        return new ArticlePageViewModel(article, average, count, threads, commentCount, reader, form ?? new CommentFormModel());
    }

    private IQueryable<Article> Published => db.Articles.AsNoTracking().PubliclyVisible(clock.GetUtcNow().UtcDateTime);

    private static IQueryable<ArticleListItem> ToItems(IQueryable<Article> q) =>
        q.Select(a => new ArticleListItem(a.Id, a.Slug, a.Title, a.Summary, a.Column!.Name, a.Column.Slug, a.PublishedAt, null)
        {
            Image = a.FeatureImage == null ? null
                : new ImageRef(a.FeatureImage.Key, a.FeatureImage.Width, a.FeatureImage.Height, a.FeatureImage.VariantWidths, a.FeatureImageAlt ?? ""),
            AuthorId = a.AuthorId,
            AuthorName = a.Author == null ? null : a.Author.DisplayName,
        });

    public int PageSize => options.Value.PageSize;

    public async Task<FrontPageViewModel> FrontPageAsync(string? userId, CancellationToken ct)
    {
        var forYou = userId is null ? await ForYouCardsAsync(null, ct) : await feeds.GetAsync("home", userId, c => ForYouCardsAsync(userId, c), ct);

        var shared = await cache.GetOrCreateAsync("front-page", async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(20);
            entry.AddExpirationToken(readerCache.Token);
            var latest = await ToItems(Published.OrderByDescending(a => a.PublishedAt).Take(8)).ToListAsync(ct);
            var since = clock.GetUtcNow().UtcDateTime.AddDays(-7);
            var popular = await ToItems(Published.Where(a => a.PublishedAt >= since).OrderByDescending(a => a.ViewCount).ThenByDescending(a => a.PublishedAt).Take(6)).ToListAsync(ct);
            // One query for every column's latest five of the last month, grouped in memory (no query per column).
            var month = clock.GetUtcNow().UtcDateTime.AddDays(-30);
            var newer = db.Articles.PubliclyVisible(clock.GetUtcNow().UtcDateTime);
            var recent = await ToItems(Published.Where(a => a.PublishedAt >= month && newer.Count(b => b.ColumnId == a.ColumnId && b.PublishedAt > a.PublishedAt) < 5))
                .ToListAsync(ct);
            var columns = await db.Columns.AsNoTracking().Where(c => !c.IsHidden).OrderBy(c => c.SortOrder).Select(c => new { c.Name, c.Slug }).ToListAsync(ct);
            var sections = columns.Select(c => new ColumnSectionViewModel(c.Name, c.Slug, recent.Where(r => r.ColumnSlug == c.Slug)
                .OrderByDescending(r => r.PublishedAt).ToList())).ToList();
            return (latest, popular, sections);
        });
        return new FrontPageViewModel(forYou, userId is not null, shared.latest, shared.popular, shared.sections);
    }

    private async Task<IReadOnlyList<ArticleListItem>> ForYouCardsAsync(string? userId, CancellationToken ct)
    {
        var recommendations = await recommender.RecommendAsync(userId, 6, ct);
        var ids = recommendations.Select(r => r.ArticleId).ToList();
        var cards = await ToItems(Published.Where(a => ids.Contains(a.Id))).ToDictionaryAsync(a => a.Id, ct);
        return recommendations.Where(r => cards.ContainsKey(r.ArticleId)).Select(r => cards[r.ArticleId] with { Reason = r.Reason }).ToList();
    }

    public async Task<(string Name, string Slug, string Description, int Id)?> ColumnAsync(string slug, CancellationToken ct)
    {
        var c = await db.Columns.AsNoTracking().Where(c => c.Slug == slug && !c.IsHidden)
            .Select(c => new { c.Name, c.Slug, c.Description, c.Id }).FirstOrDefaultAsync(ct);
        return c is null ? null : (c.Name, c.Slug, c.Description, c.Id);
    }

    public async Task<(IReadOnlyList<ArticleListItem> Items, int PageCount)> ColumnArticlesAsync(int columnId, int page, CancellationToken ct)
    {
        var key = $"column:{columnId}:{page}";
        return await cache.GetOrCreateAsync(key, async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(15);
            entry.AddExpirationToken(readerCache.Token);
            var q = Published.Where(a => a.ColumnId == columnId);
            var total = await q.CountAsync(ct);
            var items = await ToItems(q.OrderByDescending(a => a.PublishedAt).ThenByDescending(a => a.Id).Skip((page - 1) * PageSize).Take(PageSize)).ToListAsync(ct);
            return ((IReadOnlyList<ArticleListItem>)items, Math.Max(1, (total + PageSize - 1) / PageSize));
        });
    }

    public async Task<(IReadOnlyList<ArticleListItem> Items, int PageCount)> TagArticlesAsync(int tagId, int page, CancellationToken ct)
    {
        var q = Published.Where(a => a.Tags.Any(t => t.TagId == tagId));
        var total = await q.CountAsync(ct);
        var items = await ToItems(q.OrderByDescending(a => a.PublishedAt).ThenByDescending(a => a.Id).Skip((page - 1) * PageSize).Take(PageSize)).ToListAsync(ct);
        return (items, Math.Max(1, (total + PageSize - 1) / PageSize));
    }

    /// <summary>The rendered article, cached briefly: rendering Markdown and finding related articles is the costly part.</summary>
    public async Task<ArticleContent?> ArticleAsync(string slug, CancellationToken ct)
    {
        if (cache.TryGetValue("article:" + slug, out ArticleContent? cached))
        {
            return cached;
        }
        var a = await Published.Where(a => a.Slug == slug).Select(a => new
        {
            a.Id, a.Slug, a.Title, a.Summary, a.BodyMarkdown, a.Language, ColumnName = a.Column!.Name, ColumnSlug = a.Column.Slug, a.ColumnId,
            a.PublishedAt, a.UpdatedAt, AuthorName = a.Author == null ? null : a.Author.DisplayName, a.AuthorId,
            Image = a.FeatureImage == null ? null
                : new ImageRef(a.FeatureImage.Key, a.FeatureImage.Width, a.FeatureImage.Height, a.FeatureImage.VariantWidths, a.FeatureImageAlt ?? ""),
            Tags = a.Tags.Select(t => new TagLink(t.TagId, t.Tag!.Name, t.Tag.Slug)).ToList(),
        }).FirstOrDefaultAsync(ct);
        if (a is null)
        {
            return null;
        }
        var tagIds = a.Tags.Select(t => t.Id).ToList();
        var related = await ToItems(Published.Where(r => r.Id != a.Id && (r.Tags.Any(t => tagIds.Contains(t.TagId)) || r.ColumnId == a.ColumnId))
                .OrderByDescending(r => r.Tags.Count(t => tagIds.Contains(t.TagId))).ThenByDescending(r => r.PublishedAt).Take(4))
            .ToListAsync(ct);
        var content = new ArticleContent(a.Id, a.Slug, a.Title, a.Summary, markdown.RenderArticle(a.BodyMarkdown), a.Language, a.ColumnName, a.ColumnSlug,
            a.ColumnId, a.PublishedAt, a.UpdatedAt, MarkdownRenderer.ReadingMinutes(a.BodyMarkdown), a.AuthorName, a.Tags, related)
        {
            AuthorId = a.AuthorId,
            Image = a.Image,
        };
        cache.Set("article:" + slug, content, new MemoryCacheEntryOptions
        {
            AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(Math.Max(1, options.Value.ArticleCacheSeconds)),
            ExpirationTokens = { readerCache.Token },
        });
        return content;
    }

    public async Task<(double? Average, int Count)> RatingAsync(int articleId, CancellationToken ct)
    {
        var r = await cache.GetOrCreateAsync(ReaderCache.RatingKey(articleId), async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(60);
            entry.AddExpirationToken(readerCache.Token);
            return await db.Articles.AsNoTracking().Where(a => a.Id == articleId).Select(a => new { a.RatingSum, a.RatingCount }).FirstAsync(ct);
        });
        return (r!.RatingCount == 0 ? null : (double)r.RatingSum / r.RatingCount, r.RatingCount);
    }

    public async Task<ReaderState> ReaderStateAsync(string? userId, ArticleContent article, CancellationToken ct)
    {
        if (userId is null)
        {
            return new ReaderState(false, null, false, false, new HashSet<int>());
        }
        var state = await states.GetAsync(db, userId, ct);
        return new ReaderState(true, state.Ratings.TryGetValue(article.Id, out var stars) ? stars : null, state.Bookmarks.Contains(article.Id),
            state.FollowedColumns.Contains(article.ColumnId), article.Tags.Select(t => t.Id).Where(state.FollowedTags.Contains).ToHashSet());
    }

    /// <summary>An author's published articles, newest first; null when nobody by that id has published anything (or past the last page).</summary>
    public async Task<AuthorPageViewModel?> AuthorAsync(string id, int page, CancellationToken ct)
    {
        var name = await db.Users.AsNoTracking().Where(u => u.Id == id && u.DeletedAt == null).Select(u => u.DisplayName).FirstOrDefaultAsync(ct);
        var q = Published.Where(a => a.AuthorId == id);
        var total = name is null ? 0 : await q.CountAsync(ct);
        if (total == 0)
        {
            return null;
        }
        var pages = Math.Max(1, (total + PageSize - 1) / PageSize);
        if (page > pages)
        {
            return null;
        }
        var items = await ToItems(q.OrderByDescending(a => a.PublishedAt).ThenByDescending(a => a.Id).Skip((page - 1) * PageSize).Take(PageSize)).ToListAsync(ct);
        return new AuthorPageViewModel(id, name!, total, items, new Infrastructure.PagerViewModel(page, pages, $"/authors/{Uri.EscapeDataString(id)}"));
    }

    /// <summary>The visible columns in menu order (the search page's filter), kept as the column menu is; a saved column drops it.</summary>
    public async Task<IReadOnlyList<TagLink>> ColumnLinksAsync(CancellationToken ct) =>
        (await cache.GetOrCreateAsync("column-links", async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(30);
            entry.AddExpirationToken(readerCache.Token);
            return await db.Columns.AsNoTracking().Where(c => !c.IsHidden).OrderBy(c => c.SortOrder).Select(c => new TagLink(c.Id, c.Name, c.Slug)).ToListAsync(ct);
        }))!;

    public async Task<IReadOnlyList<ArticleListItem>> ListByIdsAsync(IReadOnlyList<int> ids, CancellationToken ct)
    {
        var items = await ToItems(Published.Where(a => ids.Contains(a.Id))).ToDictionaryAsync(a => a.Id, ct);
        return ids.Where(items.ContainsKey).Select(id => items[id]).ToList();
    }

    public async Task<IReadOnlyList<ArticleListItem>> LatestForColumnAsync(int columnId, int count, CancellationToken ct) =>
        await ToItems(Published.Where(a => a.ColumnId == columnId).OrderByDescending(a => a.PublishedAt).Take(count)).ToListAsync(ct);
}
