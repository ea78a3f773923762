using System.Collections.Concurrent;
using System.Globalization;
using StackExchange.Redis;

namespace NewsPush.Web.Infrastructure.Redis;

/// <summary>
/// The counters behind every rate limit and sign-in delay: fixed windows (a window starts with its first hit) and runs of
/// failures, on the site's clock. In Redis when it is configured, so a limit holds across nodes (each counter is one
/// hash, changed by one script: atomic, whichever node asks); in this node's memory otherwise — and, while Redis does
/// not answer, in memory too (a limit then holds per node until it is back, rather than refusing or failing requests).
/// </summary>
public sealed partial class RateCounters(RedisConnection redis, TimeProvider clock, ILogger<RateCounters> logger)
{
    private const string HitScript = """
        local s = redis.call('HGET', KEYS[1], 's')
        if (not s) or (tonumber(ARGV[1]) - tonumber(s) >= tonumber(ARGV[2])) then
          redis.call('HSET', KEYS[1], 's', ARGV[1], 'c', 1)
          redis.call('PEXPIRE', KEYS[1], ARGV[3])
          return {1, ARGV[1]}
        end
        return {redis.call('HINCRBY', KEYS[1], 'c', 1), s}
        """;

    private const string FailScript = """
        local l = redis.call('HGET', KEYS[1], 'l')
        local n = 1
        if l and (tonumber(ARGV[1]) - tonumber(l) < tonumber(ARGV[2])) then
          n = redis.call('HINCRBY', KEYS[1], 'n', 1)
        else
          redis.call('HSET', KEYS[1], 'n', 1)
        end
        redis.call('HSET', KEYS[1], 'l', ARGV[1])
        redis.call('PEXPIRE', KEYS[1], ARGV[3])
        return n
        """;

    private readonly ConcurrentDictionary<string, Window> windows = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Failures> failures = new(StringComparer.Ordinal);

    private readonly record struct Window(DateTimeOffset Start, long Count, TimeSpan Length);

    private readonly record struct Failures(int Count, DateTimeOffset Last, TimeSpan ForgetAfter);

    /// <summary>Whether the counters are shared by every node (Redis configured and answering at the last call).</summary>
    public bool IsShared => redis.Multiplexer is { IsConnected: true };

    /// <summary>Counts one hit of <paramref name="key"/>; its count in the current window and when that window ends.</summary>
    public async ValueTask<(long Count, DateTimeOffset WindowEnds)> HitAsync(string key, TimeSpan window)
    {
        var now = clock.GetUtcNow();
        if (Database() is { } db)
        {
            try
            {
                var result = (RedisResult[])(await db.ScriptEvaluateAsync(HitScript, [Key("w:", key)], [Ms(now), (long)window.TotalMilliseconds, Ttl(window)]))!;
                var start = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse((string)result[1]!, CultureInfo.InvariantCulture));
                return ((long)result[0], start + window);
            }
            catch (Exception ex) when (IsOutage(ex))
            {
                Warn(ex);
            }
        }
        var w = windows.AddOrUpdate(key, _ => new Window(now, 1, window), (_, w) => now - w.Start >= window ? new Window(now, 1, window) : w with { Count = w.Count + 1 });
        Prune(now);
        return (w.Count, w.Start + window);
    }

    /// <summary>Counts one failure of <paramref name="key"/>: the run goes on if the last was less than <paramref name="forgetAfter"/> ago.</summary>
    public async ValueTask<int> FailAsync(string key, TimeSpan forgetAfter)
    {
        var now = clock.GetUtcNow();
        if (Database() is { } db)
        {
            try
            {
                return (int)await db.ScriptEvaluateAsync(FailScript, [Key("f:", key)], [Ms(now), (long)forgetAfter.TotalMilliseconds, Ttl(forgetAfter)]);
            }
            catch (Exception ex) when (IsOutage(ex))
            {
                Warn(ex);
            }
        }
        var f = failures.AddOrUpdate(key, _ => new Failures(1, now, forgetAfter),
            (_, f) => new Failures(now - f.Last >= forgetAfter ? 1 : f.Count + 1, now, forgetAfter));
        Prune(now);
        return f.Count;
    }

    /// <summary>The current run of failures of <paramref name="key"/> (count and last), or null when there is none.</summary>
    public async ValueTask<(int Count, DateTimeOffset Last)?> FailuresAsync(string key, TimeSpan forgetAfter)
    {
        var now = clock.GetUtcNow();
        if (Database() is { } db)
        {
            try
            {
                var values = await db.HashGetAsync(Key("f:", key), ["n", "l"]);
                if (values[0].IsNull || values[1].IsNull)
                {
                    return null;
                }
                var last = DateTimeOffset.FromUnixTimeMilliseconds((long)values[1]);
                return now - last >= forgetAfter ? null : ((int)values[0], last);
            }
            catch (Exception ex) when (IsOutage(ex))
            {
                Warn(ex);
            }
        }
        return failures.TryGetValue(key, out var f) && now - f.Last < forgetAfter ? (f.Count, f.Last) : null;
    }

    /// <summary>Ends the run of failures of <paramref name="key"/>.</summary>
    public async ValueTask ClearFailuresAsync(string key)
    {
        failures.TryRemove(key, out _);
        if (Database() is { } db)
        {
            try
            {
                await db.KeyDeleteAsync(Key("f:", key));
            }
            catch (Exception ex) when (IsOutage(ex))
            {
                Warn(ex);
            }
        }
    }

    private long warnedAt = long.MinValue;

    private void Warn(Exception ex)
    {
        // Once a minute at most: while Redis is down every request would say it.
        var now = Environment.TickCount64;
        var last = Interlocked.Read(ref warnedAt);
        if (now - last >= 60_000 && Interlocked.CompareExchange(ref warnedAt, now, last) == last)
        {
            LogFallback(logger, ex.Message);
        }
    }

    private IDatabase? Database() => redis.Multiplexer?.GetDatabase();

    private RedisKey Key(string kind, string key) => redis.Prefix + "rate:" + kind + key;

    private static long Ms(DateTimeOffset t) => t.ToUnixTimeMilliseconds();

    /// <summary>Redis forgets a counter some time after it can matter (in real time: only to keep memory bounded).</summary>
    private static long Ttl(TimeSpan length) => (long)(length + length + TimeSpan.FromMinutes(1)).TotalMilliseconds;

    private static bool IsOutage(Exception ex) => ex is RedisException or TimeoutException;

    private void Prune(DateTimeOffset now)
    {
        // Forget what has ended, so one address after another cannot grow the tables for ever.
        if (windows.Count > 10_000)
        {
            foreach (var (k, w) in windows)
            {
                if (now - w.Start >= w.Length)
                {
                    windows.TryRemove(k, out _);
                }
            }
        }
        if (failures.Count > 10_000)
        {
            foreach (var (k, f) in failures)
            {
                if (now - f.Last >= f.ForgetAfter)
                {
                    failures.TryRemove(k, out _);
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shared rate counters unavailable ({Reason}); counting in this node's memory")]
    private static partial void LogFallback(ILogger logger, string reason);
}
