using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using NewsPush.Web.Infrastructure;

namespace NewsPush.Web.Reader;

/// <summary>
/// The limit of the register, resend-confirmation and forgot-password forms (<see cref="RateLimitOptions.Register"/>,
/// one window per IP address or user), checked by the actions themselves rather than the rate-limiting middleware: a
/// refused form is shown again with what was typed and the real wait, where the middleware could only answer a bare 429
/// (and its fixed-window limiter does not tell when its window ends).
/// </summary>
public sealed class FormRateLimiter(IOptions<RateLimitOptions> options, TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, Window> windows = new();

    /// <summary>Counts one post; null when it is allowed, else how long until the window lets the next one through.</summary>
    public TimeSpan? RefuseRegister(HttpContext context)
    {
        var rule = options.Value.Register;
        var key = context.User.Identity?.IsAuthenticated == true && context.User.UserId() is { } userId
            ? "user:" + userId
            : "ip:" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
        var now = clock.GetUtcNow();
        var length = TimeSpan.FromSeconds(rule.WindowSeconds);
        var window = windows.AddOrUpdate(key,
            _ => new Window(now, 1),
            (_, w) => now - w.Start >= length ? new Window(now, 1) : w with { Count = w.Count + 1 });
        if (windows.Count > 10_000)
        {
            // Forget windows that have ended, so one address after another cannot grow the table for ever.
            foreach (var (k, w) in windows)
            {
                if (now - w.Start >= length)
                {
                    windows.TryRemove(k, out _);
                }
            }
        }
        return window.Count <= rule.PermitLimit ? null : window.Start + length - now;
    }

    /// <summary>"try again in 58 minutes", "in 1 minute", "in 40 seconds".</summary>
    public static string TryAgainIn(TimeSpan wait)
    {
        if (wait.TotalSeconds < 60)
        {
            return $"try again in {Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds))} seconds";
        }
        var minutes = (int)Math.Ceiling(wait.TotalMinutes);
        return minutes == 1 ? "try again in 1 minute" : $"try again in {minutes} minutes";
    }

    private sealed record Window(DateTimeOffset Start, int Count);
}
