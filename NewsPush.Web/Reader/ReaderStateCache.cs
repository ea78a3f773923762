using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Web.Infrastructure.Redis;

namespace NewsPush.Web.Reader;

/// <summary>What one reader has done that their pages show: their ratings, bookmarks and follows.</summary>
public sealed record ReaderSnapshot(IReadOnlyDictionary<int, int> Ratings, IReadOnlySet<int> Bookmarks, IReadOnlySet<int> FollowedColumns, IReadOnlySet<int> FollowedTags)
{
    public bool Follows(FollowKind kind, int targetId) => kind == FollowKind.Column ? FollowedColumns.Contains(targetId) : FollowedTags.Contains(targetId);
}

/// <summary>
/// A signed-in reader's <see cref="ReaderSnapshot"/>, kept in memory for <see cref="ReaderOptions.ReaderStateCacheSeconds"/>
/// so that article, column and tag pages need no query of their own for it. Every change a reader makes goes through
/// <see cref="ReaderActivityService"/>, which calls <see cref="Evict"/> after saving; the next page loads it again.
/// A load that started before an eviction is not kept (the eviction leaves a marker the load compares with). Other nodes
/// drop theirs when told (<see cref="NodeMessages"/>).
/// </summary>
public sealed class ReaderStateCache
{
    private const string Topic = "reader-state";

    private readonly IMemoryCache cache;
    private readonly IOptions<ReaderOptions> options;
    private readonly NodeMessages nodes;

    public ReaderStateCache(IMemoryCache cache, IOptions<ReaderOptions> options, NodeMessages nodes)
    {
        this.cache = cache;
        this.options = options;
        this.nodes = nodes;
        nodes.Subscribe(Topic, EvictHere);
    }

    private sealed class Evicted;

    private static string Key(string userId) => "reader-state:" + userId;

    public async Task<ReaderSnapshot> GetAsync(NewsPushDbContext db, string userId, CancellationToken ct)
    {
        var key = Key(userId);
        cache.TryGetValue(key, out var before);
        if (before is ReaderSnapshot cached)
        {
            return cached;
        }
        var ratings = await db.Ratings.AsNoTracking().Where(r => r.UserId == userId).ToDictionaryAsync(r => r.ArticleId, r => r.Stars, ct);
        var bookmarks = (await db.Bookmarks.AsNoTracking().Where(b => b.UserId == userId).Select(b => b.ArticleId).ToListAsync(ct)).ToHashSet();
        var follows = await db.Follows.AsNoTracking().Where(f => f.UserId == userId).Select(f => new { f.Kind, f.TargetId }).ToListAsync(ct);
        var snapshot = new ReaderSnapshot(ratings, bookmarks,
            follows.Where(f => f.Kind == FollowKind.Column).Select(f => f.TargetId).ToHashSet(),
            follows.Where(f => f.Kind == FollowKind.Tag).Select(f => f.TargetId).ToHashSet());
        var seconds = options.Value.ReaderStateCacheSeconds;
        cache.TryGetValue(key, out var now);
        // Kept only if nothing was evicted while it loaded (the value is still what it was when the load began).
        if (seconds > 0 && ReferenceEquals(now, before))
        {
            cache.Set(key, snapshot, TimeSpan.FromSeconds(seconds));
        }
        return snapshot;
    }

    /// <summary>The reader changed a rating, bookmark or follow: the next page reads the database, on every node.</summary>
    public void Evict(string userId)
    {
        EvictHere(userId);
        nodes.Publish(Topic, userId);
    }

    private void EvictHere(string userId) => cache.Set(Key(userId), new Evicted(), TimeSpan.FromSeconds(Math.Max(1, options.Value.ReaderStateCacheSeconds)));
}
