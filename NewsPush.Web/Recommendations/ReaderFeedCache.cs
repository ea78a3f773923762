using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using NewsPush.Web.Infrastructure;
using NewsPush.Web.Infrastructure.Redis;

namespace NewsPush.Web.Recommendations;

/// <summary>
/// A signed-in reader's personalized lists as their pages show them (the front page's "For you" cards, the /for-you
/// feed), kept in memory for <see cref="RecommenderOptions.PageCacheSeconds"/> so that a reader moving between pages
/// is not ranked again on each one. A list is dropped at once when what it was built from changes:
/// <list type="bullet">
/// <item>the reader's own signals — a follow, a rating, "not interested", reads once they are written — through
/// <see cref="Evict"/>, on every node (<see cref="NodeMessages"/>);</item>
/// <item>the published content (<see cref="ContentChanges"/>), for everyone;</item>
/// <item>the model: a list ranked by another engine (a new version activated, or the five-minute snapshot rebuilt) is
/// not served.</item>
/// </list>
/// A load that started before an eviction is not kept (the eviction replaces the reader's marker, which the load
/// compares with when it ends), so a change made while a page was being ranked is never hidden by that page.
/// Digests do not go through here: they rank fresh, in batches.
/// </summary>
public sealed class ReaderFeedCache
{
    private const string Topic = "reader-feed";

    private readonly IMemoryCache cache;
    private readonly ContentChanges changes;
    private readonly ActiveModel model;
    private readonly IOptions<RecommenderOptions> options;
    private readonly NodeMessages nodes;

    public ReaderFeedCache(IMemoryCache cache, ContentChanges changes, ActiveModel model, IOptions<RecommenderOptions> options, NodeMessages nodes)
    {
        this.cache = cache;
        this.changes = changes;
        this.model = model;
        this.options = options;
        this.nodes = nodes;
        nodes.Subscribe(Topic, ids =>
        {
            foreach (var id in ids.Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                EvictHere(id);
            }
        });
    }

    private sealed record Entry(object Value, object Marker, object? Engine);

    private static string MarkerKey(string userId) => "reader-feed-marker:" + userId;

    private TimeSpan Lifetime => TimeSpan.FromSeconds(options.Value.PageCacheSeconds);

    /// <summary>
    /// The reader's list named <paramref name="kind"/>: the kept one if nothing it depends on changed since, else
    /// <paramref name="load"/>'s.
    /// </summary>
    public async Task<T> GetAsync<T>(string kind, string userId, Func<CancellationToken, Task<T>> load, CancellationToken ct) where T : class
    {
        if (options.Value.PageCacheSeconds == 0)
        {
            return await load(ct);
        }
        var key = "reader-feed:" + kind + ":" + userId;
        var marker = Marker(userId);
        var engine = await model.GetEngineAsync(ct);
        if (cache.TryGetValue(key, out Entry? kept) && kept is not null && ReferenceEquals(kept.Marker, marker) && ReferenceEquals(kept.Engine, engine))
        {
            return (T)kept.Value;
        }
        var token = changes.Token;
        var value = await load(ct);
        // Kept only if the reader changed nothing while it loaded; a content change meanwhile has already fired the
        // token, which expires the entry at once.
        if (cache.TryGetValue(MarkerKey(userId), out var now) && ReferenceEquals(now, marker))
        {
            cache.Set(key, new Entry(value, marker, engine), new MemoryCacheEntryOptions().AddExpirationToken(token).SetAbsoluteExpiration(Lifetime));
        }
        return value;
    }

    /// <summary>Something these readers did changes their lists: the next page ranks again, on every node.</summary>
    public void Evict(IReadOnlyCollection<string> userIds)
    {
        if (userIds.Count == 0)
        {
            return;
        }
        foreach (var userId in userIds)
        {
            EvictHere(userId);
        }
        nodes.Publish(Topic, string.Join(',', userIds));
    }

    public void Evict(string userId) => Evict([userId]);

    private object Marker(string userId) =>
        cache.GetOrCreate(MarkerKey(userId), entry =>
        {
            // Outlives the lists that hold it; if it goes, they no longer match and load again.
            entry.SlidingExpiration = Lifetime * 2;
            return new object();
        })!;

    private void EvictHere(string userId)
    {
        if (options.Value.PageCacheSeconds > 0)
        {
            cache.Set(MarkerKey(userId), new object(), new MemoryCacheEntryOptions { SlidingExpiration = Lifetime * 2 });
        }
    }
}
