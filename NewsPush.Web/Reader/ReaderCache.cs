using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.Primitives;

namespace NewsPush.Web.Reader;

/// <summary>
/// Expiry signal for cached reader pages: when an article, column, comment or rating is saved, every cached
/// list, article and anonymous page is dropped at once, so a publish or correction shows immediately
/// (on this node; other nodes within the cache lifetime).
/// </summary>
public sealed class ReaderCache(IOutputCacheStore outputCache)
{
    /// <summary>Output-cache policy and tag of anonymous reader pages.</summary>
    public const string Policy = "reader";

    private CancellationTokenSource source = new();

    public IChangeToken Token => new CancellationChangeToken(Volatile.Read(ref source).Token);

    public void Invalidate()
    {
        var old = Interlocked.Exchange(ref source, new CancellationTokenSource());
        old.Cancel();
        old.Dispose();
        var eviction = outputCache.EvictByTagAsync(Policy, CancellationToken.None);
        if (!eviction.IsCompleted)
        {
            eviction.AsTask().GetAwaiter().GetResult();
        }
    }
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
