using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace NewsPush.Web.Reader;

/// <summary>
/// Fixed windows per reader and per IP address for <c>POST /beacon</c> (<see cref="BeaconOptions"/>), counted by the
/// action before it reads the body. In memory, per node: a reader spread over N nodes gets N windows.
/// </summary>
public sealed class BeaconLimiter(IOptions<BeaconOptions> options, TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, Window> windows = new(StringComparer.Ordinal);

    /// <summary>Counts one beacon; null when it may pass, else how long until the window that refused it ends.</summary>
    public TimeSpan? Refuse(string userId, string? address)
    {
        var o = options.Value;
        var now = clock.GetUtcNow();
        // Both windows count every beacon, so a refused reader still uses up their address's allowance (and the other way round).
        var byUser = Count("user:" + userId, o.PerUser, now);
        var byAddress = Count("ip:" + (address ?? "unknown"), o.PerAddress, now);
        Prune(now, TimeSpan.FromSeconds(Math.Max(o.PerUser.WindowSeconds, o.PerAddress.WindowSeconds)));
        return (byUser, byAddress) switch
        {
            (null, null) => null,
            ({ } a, { } b) => a > b ? a : b,
            ({ } a, null) => a,
            (null, { } b) => b,
        };
    }

    private TimeSpan? Count(string key, RateLimitRule rule, DateTimeOffset now)
    {
        var length = TimeSpan.FromSeconds(rule.WindowSeconds);
        var window = windows.AddOrUpdate(key,
            _ => new Window(now, 1, length),
            (_, w) => now - w.Start >= length ? new Window(now, 1, length) : w with { Count = w.Count + 1 });
        return window.Count <= rule.PermitLimit ? null : window.Start + length - now;
    }

    private void Prune(DateTimeOffset now, TimeSpan longest)
    {
        if (windows.Count <= 50_000)
        {
            return;
        }
        // Forget windows that have ended, so one address after another cannot grow the table for ever.
        foreach (var (key, w) in windows)
        {
            if (now - w.Start >= w.Length || now - w.Start >= longest)
            {
                windows.TryRemove(key, out _);
            }
        }
    }

    private sealed record Window(DateTimeOffset Start, int Count, TimeSpan Length);
}
