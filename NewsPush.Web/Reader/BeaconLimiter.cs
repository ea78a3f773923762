using Microsoft.Extensions.Options;
using NewsPush.Web.Infrastructure.Redis;

namespace NewsPush.Web.Reader;

/// <summary>
/// Fixed windows per reader and per IP address for <c>POST /beacon</c> (<see cref="BeaconOptions"/>), counted by the
/// action before it reads the body, in <see cref="RateCounters"/>: across every node when Redis is configured.
/// </summary>
public sealed class BeaconLimiter(IOptions<BeaconOptions> options, RateCounters counters, TimeProvider clock)
{
    /// <summary>Counts one beacon; null when it may pass, else how long until the window that refused it ends.</summary>
    public async Task<TimeSpan?> RefuseAsync(string userId, string? address)
    {
        var o = options.Value;
        // Both windows count every beacon, so a refused reader still uses up their address's allowance (and the other way round).
        var byUser = await CountAsync("user:" + userId, o.PerUser);
        var byAddress = await CountAsync("ip:" + (address ?? "unknown"), o.PerAddress);
        return (byUser, byAddress) switch
        {
            (null, null) => null,
            ({ } a, { } b) => a > b ? a : b,
            ({ } a, null) => a,
            (null, { } b) => b,
        };
    }

    private async Task<TimeSpan?> CountAsync(string key, RateLimitRule rule)
    {
        var (count, ends) = await counters.HitAsync("beacon|" + key, TimeSpan.FromSeconds(rule.WindowSeconds));
        return count <= rule.PermitLimit ? null : ends - clock.GetUtcNow();
    }
}
