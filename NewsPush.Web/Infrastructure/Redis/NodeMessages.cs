using System.Collections.Concurrent;
using StackExchange.Redis;

namespace NewsPush.Web.Infrastructure.Redis;

/// <summary>
/// Tells the other web nodes that something this node changed makes their memory caches stale ("the reader's
/// bookmarks changed", "an article was saved"), over one Redis pub/sub channel. Each cache drops its own entry first,
/// then publishes; a node never hears its own messages. Best effort: a message lost while Redis is down leaves the
/// other nodes' entries until they expire (each cache's lifetime bounds it). Without Redis, publishing does nothing.
/// </summary>
public sealed partial class NodeMessages : IDisposable
{
    private readonly RedisConnection redis;
    private readonly ILogger<NodeMessages> logger;
    private readonly ConcurrentDictionary<string, Action<string>[]> handlers = new(StringComparer.Ordinal);
    private readonly RedisChannel channel;
    private readonly object subscribing = new();
    private volatile bool subscribed;

    public NodeMessages(RedisConnection redis, ILogger<NodeMessages> logger)
    {
        this.redis = redis;
        this.logger = logger;
        channel = RedisChannel.Literal(redis.Prefix + "node-messages");
        if (redis.Multiplexer is { } connection)
        {
            // A subscription made while Redis is down is made once it is back; the client restores live ones itself.
            connection.ConnectionRestored += (_, _) => EnsureSubscribed();
        }
    }

    /// <summary>This process's id in the messages it sends.</summary>
    public string NodeId { get; } = Guid.NewGuid().ToString("N");

    /// <summary>Runs <paramref name="handler"/> with the value of every message on <paramref name="topic"/> from another node.</summary>
    public void Subscribe(string topic, Action<string> handler)
    {
        handlers.AddOrUpdate(topic, _ => [handler], (_, list) => [.. list, handler]);
        EnsureSubscribed();
    }

    /// <summary>Tells the other nodes; returns at once (the send is not awaited, a failure is logged).</summary>
    public void Publish(string topic, string value)
    {
        if (redis.Multiplexer is not { } connection)
        {
            return;
        }
        _ = SendAsync(connection, topic + "\n" + NodeId + "\n" + value);
    }

    private async Task SendAsync(ConnectionMultiplexer connection, string message)
    {
        try
        {
            await connection.GetSubscriber().PublishAsync(channel, message);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogPublishFailed(logger, ex.Message);
        }
    }

    private void EnsureSubscribed()
    {
        if (subscribed || redis.Multiplexer is not { } connection)
        {
            return;
        }
        lock (subscribing)
        {
            if (subscribed)
            {
                return;
            }
            try
            {
                connection.GetSubscriber().Subscribe(channel, (_, message) => Receive(message));
                subscribed = true;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                LogSubscribeFailed(logger, ex.Message);
            }
        }
    }

    private void Receive(RedisValue message)
    {
        var parts = ((string?)message ?? "").Split('\n', 3);
        if (parts.Length != 3 || parts[1] == NodeId || !handlers.TryGetValue(parts[0], out var list))
        {
            return;
        }
        foreach (var handler in list)
        {
            try
            {
                handler(parts[2]);
            }
            catch (Exception ex)
            {
                LogHandlerFailed(logger, ex, parts[0]);
            }
        }
    }

    public void Dispose()
    {
        if (subscribed && redis.Multiplexer is { IsConnected: true } connection)
        {
            try
            {
                connection.GetSubscriber().Unsubscribe(channel);
            }
            catch (RedisException)
            {
                // Going away anyway.
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not tell the other nodes to drop a cached entry ({Reason}); theirs expires within its lifetime")]
    private static partial void LogPublishFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not listen to the other nodes' cache messages yet ({Reason}); retried when Redis is back")]
    private static partial void LogSubscribeFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "A cache message handler for {Topic} failed")]
    private static partial void LogHandlerFailed(ILogger logger, Exception ex, string topic);
}
