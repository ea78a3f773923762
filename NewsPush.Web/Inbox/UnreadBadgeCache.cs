using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using NewsPush.Web.Infrastructure.Realtime;
using NewsPush.Web.Infrastructure.Redis;

namespace NewsPush.Web.Inbox;

/// <summary>
/// The unread count each signed-in page draws into its badge, kept per reader for
/// <see cref="RealtimeOptions.BadgeCacheSeconds"/>. Every inbox change tells <see cref="ReaderNotifier"/>, which drops the
/// reader's count here (or everyone's, for a broadcast), and tells the other nodes to do the same, so a page after a
/// change shows the new count whichever node serves it.
/// The badge's live updates and the API ask the database, never this cache.
/// </summary>
public sealed class UnreadBadgeCache
{
    private readonly IMemoryCache cache;
    private readonly IOptions<RealtimeOptions> options;
    private long generation;

    private sealed record Cached(int Count, long Generation);

    private sealed class Evicted;

    private const string Topic = "unread-badge";
    private const string Everyone = "*";

    private readonly NodeMessages nodes;

    public UnreadBadgeCache(IMemoryCache cache, ReaderNotifier notifier, NodeMessages nodes, IOptions<RealtimeOptions> options)
    {
        this.cache = cache;
        this.options = options;
        this.nodes = nodes;
        notifier.Changed += OnChanged;
        // An inbox change on another node (a delivery, a read there): its count here is stale too.
        nodes.Subscribe(Topic, userId => Drop(userId == Everyone ? null : userId));
    }

    private static string Key(string userId) => "unread-badge:" + userId;

    public async Task<int> GetAsync(string userId, Func<CancellationToken, Task<int>> count, CancellationToken ct)
    {
        var seconds = options.Value.BadgeCacheSeconds;
        if (seconds == 0)
        {
            return await count(ct);
        }
        var key = Key(userId);
        var gen = Volatile.Read(ref generation);
        cache.TryGetValue(key, out var before);
        if (before is Cached c && c.Generation == gen)
        {
            return c.Count;
        }
        var fresh = await count(ct);
        cache.TryGetValue(key, out var after);
        // Kept only if no change came while counting.
        if (ReferenceEquals(before, after) && Volatile.Read(ref generation) == gen)
        {
            cache.Set(key, new Cached(fresh, gen), TimeSpan.FromSeconds(seconds));
        }
        return fresh;
    }

    private void OnChanged(string? userId)
    {
        Drop(userId);
        nodes.Publish(Topic, userId ?? Everyone);
    }

    private void Drop(string? userId)
    {
        if (userId is null)
        {
            Interlocked.Increment(ref generation);
        }
        else
        {
            cache.Set(Key(userId), new Evicted(), TimeSpan.FromSeconds(Math.Max(1, options.Value.BadgeCacheSeconds)));
        }
    }
}
