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
    /// <summary>
    /// Prefix of every key and channel the site writes (<c>Redis:KeyPrefix</c>, "newspush:" by default): sites that share
    /// one Redis keep apart by it; the nodes of one site must use the same.
    /// </summary>
    public string Prefix { get; } = configuration["Redis:KeyPrefix"] is { Length: > 0 } prefix ? prefix : "newspush:";

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
        // Commands keep the client's 5 s timeouts: while Redis is unreachable they fail at once (no backlog), and a
        // slow answer under load must not split a limit into per-node counts.
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
