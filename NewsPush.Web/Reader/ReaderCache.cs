using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Primitives;
using NewsPush.Web.Infrastructure;
using NewsPush.Web.Infrastructure.Redis;

namespace NewsPush.Web.Reader;

/// <summary>
/// Expiry of cached reader pages. When an article, column or comment is saved, every cached list, article and anonymous
/// page is dropped at once (<see cref="InvalidateAsync"/>), so a publish or correction shows immediately — on every node:
/// the output cache is shared in Redis when configured, and <see cref="NodeMessages"/> tells the other nodes to drop
/// their in-memory copies. A rating changes one article's figures only: <see cref="RatingChangedAsync"/>
/// drops that article's rating and its anonymous page, so readers rating (which any signed-in reader may do on every
/// request) never empty the caches everyone else is served from.
/// </summary>
public sealed class ReaderCache
{
    private const string PagesTopic = "reader-pages";
    private const string RatingTopic = "reader-rating";

    private readonly IOutputCacheStore outputCache;
    private readonly IMemoryCache memory;
    private readonly NodeMessages nodes;
    private readonly ContentChanges changes;
    private readonly ILogger<ReaderCache> logger;

    public ReaderCache(IOutputCacheStore outputCache, IMemoryCache memory, ContentChanges changes, NodeMessages nodes, ILogger<ReaderCache> logger)
    {
        this.changes = changes;
        this.outputCache = outputCache;
        this.memory = memory;
        this.nodes = nodes;
        this.logger = logger;
        // Another node saved an article or a rating: its rendered copies here are stale too (the output cache, when
        // shared in Redis, was evicted by that node).
        nodes.Subscribe(PagesTopic, _ => ExpireMemory());
        nodes.Subscribe(RatingTopic, id => memory.Remove(RatingKey(int.Parse(id, System.Globalization.CultureInfo.InvariantCulture))));
    }

    /// <summary>Output-cache policy and tag of anonymous reader pages.</summary>
    public const string Policy = "reader";

    public IChangeToken Token => changes.Token;

    /// <summary>The memory-cache key of an article's rating figures (<see cref="ArticleQueries.RatingAsync"/>).</summary>
    public static string RatingKey(int articleId) => "rating:" + articleId;

    /// <summary>The output-cache tag of an article's anonymous page (added by <see cref="ArticlePageTagPolicy"/>).</summary>
    public static string ArticleTag(string slug) => "article:" + slug;

    /// <summary>Drops every cached reader list, article and anonymous page.</summary>
    public async Task InvalidateAsync(CancellationToken ct)
    {
        ExpireMemory();
        nodes.Publish(PagesTopic, "");
        await outputCache.EvictByTagAsync(Policy, ct);
    }

    /// <summary>
    /// <see cref="InvalidateAsync"/> for callers that cannot await (EF's synchronous SaveChanges): the in-memory entries
    /// go at once, the anonymous pages as soon as the store has evicted them, without blocking this thread on it.
    /// </summary>
    public void Invalidate()
    {
        ExpireMemory();
        nodes.Publish(PagesTopic, "");
        var eviction = outputCache.EvictByTagAsync(Policy, CancellationToken.None);
        if (!eviction.IsCompletedSuccessfully)
        {
            _ = ObserveAsync(eviction);
        }
    }

    /// <summary>A rating was saved: that article's rating figures and anonymous page only.</summary>
    public async Task RatingChangedAsync(int articleId, string slug, CancellationToken ct)
    {
        memory.Remove(RatingKey(articleId));
        nodes.Publish(RatingTopic, articleId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await outputCache.EvictByTagAsync(ArticleTag(slug), ct);
    }

    private void ExpireMemory()
    {
        changes.Signal();
    }

    private async Task ObserveAsync(ValueTask eviction)
    {
        try
        {
            await eviction;
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Evicting cached reader pages failed; they expire within their lifetime");
        }
    }
}

/// <summary>Tags an article page's output-cache entry with <see cref="ReaderCache.ArticleTag"/>, so one article's page can be dropped alone.</summary>
public sealed class ArticlePageTagPolicy : IOutputCachePolicy
{
    public ValueTask CacheRequestAsync(OutputCacheContext context, CancellationToken cancellation)
    {
        if (context.HttpContext.Request.RouteValues.TryGetValue("slug", out var slug) && slug is string s
            && context.HttpContext.Request.Path.StartsWithSegments("/article", StringComparison.Ordinal))
        {
            context.Tags.Add(ReaderCache.ArticleTag(s));
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask ServeFromCacheAsync(OutputCacheContext context, CancellationToken cancellation) => ValueTask.CompletedTask;

    public ValueTask ServeResponseAsync(OutputCacheContext context, CancellationToken cancellation) => ValueTask.CompletedTask;
}

/// <summary>
/// Counts article views for every successful GET of an article page, including those served from the
/// output cache (which never reach the controller).
/// </summary>
public sealed class ArticleViewCountingMiddleware(RequestDelegate next, ViewCounter counter)
{
    public async Task InvokeAsync(HttpContext context)
    {
        await next(context);
        var path = context.Request.Path.Value;
        if (context.Response.StatusCode == StatusCodes.Status200OK && HttpMethods.IsGet(context.Request.Method)
            && path is not null && path.StartsWith("/article/", StringComparison.Ordinal) && path.IndexOf('/', 9) < 0 && path.Length < 220)
        {
            counter.Increment(path[9..]);
        }
    }
}
