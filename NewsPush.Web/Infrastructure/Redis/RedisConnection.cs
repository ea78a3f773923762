using StackExchange.Redis;

namespace NewsPush.Web.Infrastructure.Redis;

/// <summary>
/// The one connection to Redis that the site's own features share (SignalR's backplane keeps its own): the output-cache
/// store, the rate-limit counters and the cache-invalidation messages between nodes. Only when
/// <c>Redis:ConnectionString</c> is set; one node (the default) needs none. Connects lazily and never blocks start-up on
/// Redis: while it is unreachable, commands fail at once (no backlog) and every feature falls back to this node's memory.
/// </summary>
public sealed class RedisConnection(IConfiguration configuration, ILogger<RedisConnection> logger) : IDisposable
{
    /// <summary>Prefix of every key and channel the site writes.</summary>
    public const string Prefix = "newspush:";

    private readonly Lazy<ConnectionMultiplexer?> multiplexer = new(() => Connect(configuration["Redis:ConnectionString"], logger));

    public bool IsConfigured { get; } = !string.IsNullOrWhiteSpace(configuration["Redis:ConnectionString"]);

    /// <summary>The shared multiplexer; null when Redis is not configured.</summary>
    public ConnectionMultiplexer? Multiplexer => IsConfigured ? multiplexer.Value : null;

    private static ConnectionMultiplexer? Connect(string? connectionString, ILogger logger)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return null;
        }
        var options = ConfigurationOptions.Parse(connectionString);
        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ConnectTimeout = Math.Min(options.ConnectTimeout, 2000);
        options.SyncTimeout = Math.Min(options.SyncTimeout, 1000);
        options.AsyncTimeout = Math.Min(options.AsyncTimeout, 1000);
        options.ClientName = "newspush-" + Environment.MachineName;
        var connection = ConnectionMultiplexer.Connect(options);
        connection.ConnectionFailed += (_, e) => logger.LogWarning("Redis connection failed ({Failure}); caches and limits use this node's memory until it is back", e.FailureType);
        connection.ConnectionRestored += (_, _) => logger.LogInformation("Redis connection restored");
        return connection;
    }

    public void Dispose()
    {
        if (multiplexer.IsValueCreated)
        {
            multiplexer.Value?.Dispose();
        }
    }
}
