using System.Collections.Concurrent;
using Microsoft.AspNetCore.OutputCaching;

namespace NewsPush.Web.Infrastructure.Redis;

/// <summary>
/// The output-cache store shared by every node (Redis), made harmless when Redis is down: a read is a miss (the page
/// is rendered), a write is skipped, and an eviction that failed is retried before the next read, so a page evicted
/// during an outage is not served once Redis is back.
/// </summary>
public sealed partial class ResilientOutputCacheStore(IOutputCacheStore inner, ILogger<ResilientOutputCacheStore> logger) : IOutputCacheStore, IDisposable
{
    /// <summary>Stops the inner store's background work (its expiry sweep) before the shared connection goes away.</summary>
    public void Dispose() => (inner as IDisposable)?.Dispose();

    private readonly ConcurrentDictionary<string, byte> pendingEvictions = new(StringComparer.Ordinal);

    public async ValueTask<byte[]?> GetAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            if (!pendingEvictions.IsEmpty)
            {
                foreach (var tag in pendingEvictions.Keys)
                {
                    await inner.EvictByTagAsync(tag, cancellationToken);
                    pendingEvictions.TryRemove(tag, out _);
                }
            }
            return await inner.GetAsync(key, cancellationToken);
        }
        catch (Exception ex) when (IsOutage(ex))
        {
            LogFailed(logger, "read", ex.Message);
            return null;
        }
    }

    public async ValueTask SetAsync(string key, byte[] value, string[]? tags, TimeSpan validFor, CancellationToken cancellationToken)
    {
        if (!pendingEvictions.IsEmpty)
        {
            return; // not until the evictions owed have gone through
        }
        try
        {
            await inner.SetAsync(key, value, tags, validFor, cancellationToken);
        }
        catch (Exception ex) when (IsOutage(ex))
        {
            LogFailed(logger, "write", ex.Message);
        }
    }

    public async ValueTask EvictByTagAsync(string tag, CancellationToken cancellationToken)
    {
        try
        {
            await inner.EvictByTagAsync(tag, cancellationToken);
        }
        catch (Exception ex) when (IsOutage(ex))
        {
            pendingEvictions.TryAdd(tag, 0);
            LogFailed(logger, "eviction (retried before the next read)", ex.Message);
        }
    }

    private static bool IsOutage(Exception ex) => ex is StackExchange.Redis.RedisException or TimeoutException or ObjectDisposedException;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shared output cache {Operation} failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, string operation, string reason);
}
