using Microsoft.AspNetCore.OutputCaching;
using Microsoft.AspNetCore.OutputCaching.StackExchangeRedis;
using StackExchange.Redis;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace NewsPush.Web.Infrastructure.Redis;

public static class RedisServiceCollectionExtensions
{
    /// <summary>
    /// What several web nodes share through Redis when <c>Redis:ConnectionString</c> is set: the output cache (so an
    /// eviction on one node is an eviction everywhere), the messages that drop other nodes' memory caches, and (through
    /// <see cref="RateCounters"/>) the rate limits. Without it everything stays in this node's memory, as one node needs.
    /// Call after the features that add the output cache.
    /// </summary>
    public static IServiceCollection AddSharedRedis(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton<RedisConnection>();
        services.TryAddSingleton<NodeMessages>();
        services.TryAddSingleton<RateCounters>();
        if (string.IsNullOrWhiteSpace(configuration["Redis:ConnectionString"]))
        {
            return services;
        }
        services.AddStackExchangeRedisOutputCache(_ => { });
        services.AddOptions<RedisOutputCacheOptions>().Configure<RedisConnection>((o, redis) =>
        {
            o.InstanceName = redis.Prefix + "output:";
            o.ConnectionMultiplexerFactory = () => Task.FromResult<IConnectionMultiplexer>(redis.Multiplexer!);
        });
        // The Redis store, wrapped so an outage is a cache miss and not an error page.
        var redisStore = services.Last(d => d.ServiceType == typeof(IOutputCacheStore));
        services.Remove(redisStore);
        services.AddSingleton<IOutputCacheStore>(sp =>
        {
            var inner = redisStore.ImplementationFactory is { } factory ? (IOutputCacheStore)factory(sp)
                : redisStore.ImplementationInstance is IOutputCacheStore instance ? instance
                : (IOutputCacheStore)ActivatorUtilities.CreateInstance(sp, redisStore.ImplementationType!);
            return new ResilientOutputCacheStore(inner, sp.GetRequiredService<ILogger<ResilientOutputCacheStore>>());
        });
        return services;
    }
}
