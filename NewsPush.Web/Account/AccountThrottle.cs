using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using NewsPush.Web.Reader;

namespace NewsPush.Web.Account;

/// <summary>
/// Limits the account forms (and the apps' login) by the client's address AND by the e-mail address they name, whatever
/// cookie or token comes with the request: fixed windows from <see cref="RateLimitOptions"/>, and after
/// <see cref="AccountOptions.FreeFailedSignIns"/> failed sign-ins a wait that doubles with each failure (1 s, 2 s, 4 s …
/// up to <see cref="AccountOptions.MaxSignInDelaySeconds"/>) instead of a lockout that anyone could keep on for someone
/// else. Counters live in this node's memory, on the site's clock.
/// </summary>
public sealed class AccountThrottle(IOptions<RateLimitOptions> limits, IOptions<AccountOptions> accounts, TimeProvider clock)
{
    /// <summary>Log in, the sign-in code, reset and change password (RateLimits:Login).</summary>
    public const string SignIn = "signin";

    /// <summary>Register, resend confirmation and forgot password together (RateLimits:Register).</summary>
    public const string Register = "register";

    /// <summary>Failures older than this no longer count.</summary>
    public static readonly TimeSpan ForgetFailuresAfter = TimeSpan.FromMinutes(15);

    private readonly ConcurrentDictionary<string, Window> windows = new();
    private readonly ConcurrentDictionary<string, Failures> failures = new();

    /// <summary>The client's address as the forwarded-headers middleware left it (the real client behind a known proxy).</summary>
    public static string AddressOf(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    private static string AccountKey(string? email) => "acct:" + (email ?? "").Trim().ToUpperInvariant();

    /// <summary>Counts one post; null when it may go ahead, else how long until it may.</summary>
    public TimeSpan? Refuse(HttpContext http, string form, string? email)
    {
        var rule = form == Register ? limits.Value.Register : limits.Value.Login;
        var now = clock.GetUtcNow();
        var address = "ip:" + AddressOf(http);
        var wait = Max(Count(form + "|" + address, rule, now), Count(form + "|" + AccountKey(email), rule, now));
        if (form == SignIn)
        {
            wait = Max(wait, Max(Delay(address, now), Delay(AccountKey(email), now)));
        }
        return wait;
    }

    /// <summary>A wrong password or code: the account and the address wait longer before their next try.</summary>
    public void Failed(HttpContext http, string? email)
    {
        var now = clock.GetUtcNow();
        foreach (var key in new[] { "ip:" + AddressOf(http), AccountKey(email) })
        {
            failures.AddOrUpdate(key, _ => new Failures(1, now), (_, f) => new Failures(now - f.Last >= ForgetFailuresAfter ? 1 : f.Count + 1, now));
        }
        Forget(now);
    }

    /// <summary>A successful sign-in clears the account's delay (not the address's: one right password must not unlock guessing others).</summary>
    public void Succeeded(string? email) => failures.TryRemove(AccountKey(email), out _);

    private TimeSpan? Count(string key, RateLimitRule rule, DateTimeOffset now)
    {
        var length = TimeSpan.FromSeconds(rule.WindowSeconds);
        var window = windows.AddOrUpdate(key, _ => new Window(now, 1), (_, w) => now - w.Start >= length ? new Window(now, 1) : w with { Count = w.Count + 1 });
        Forget(now);
        return window.Count <= rule.PermitLimit ? null : window.Start + length - now;
    }

    private TimeSpan? Delay(string key, DateTimeOffset now)
    {
        if (!failures.TryGetValue(key, out var f) || f.Count < accounts.Value.FreeFailedSignIns || now - f.Last >= ForgetFailuresAfter)
        {
            return null;
        }
        var wait = f.Last + DelayAfter(f.Count) - now;
        return wait > TimeSpan.Zero ? wait : null;
    }

    /// <summary>The wait after <paramref name="count"/> failures: none up to the free ones, then 1 s, 2 s, 4 s … up to the maximum.</summary>
    public TimeSpan DelayAfter(int count)
    {
        var free = accounts.Value.FreeFailedSignIns;
        if (count < free)
        {
            return TimeSpan.Zero;
        }
        var seconds = Math.Pow(2, Math.Min(30, count - free));
        return TimeSpan.FromSeconds(Math.Min(seconds, accounts.Value.MaxSignInDelaySeconds));
    }

    private void Forget(DateTimeOffset now)
    {
        // Forget what has ended, so one address after another cannot grow the tables for ever.
        if (windows.Count > 10_000)
        {
            var longest = TimeSpan.FromSeconds(Math.Max(limits.Value.Login.WindowSeconds, limits.Value.Register.WindowSeconds));
            foreach (var (k, w) in windows)
            {
                if (now - w.Start >= longest)
                {
                    windows.TryRemove(k, out _);
                }
            }
        }
        if (failures.Count > 10_000)
        {
            foreach (var (k, f) in failures)
            {
                if (now - f.Last >= ForgetFailuresAfter)
                {
                    failures.TryRemove(k, out _);
                }
            }
        }
    }

    private static TimeSpan? Max(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : a > b ? a : b;

    /// <summary>"try again in 58 minutes", "in 1 minute", "in 40 seconds".</summary>
    public static string TryAgainIn(TimeSpan wait)
    {
        if (wait.TotalSeconds < 60)
        {
            var s = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
            return s == 1 ? "try again in 1 second" : $"try again in {s} seconds";
        }
        var minutes = (int)Math.Ceiling(wait.TotalMinutes);
        return minutes == 1 ? "try again in 1 minute" : $"try again in {minutes} minutes";
    }

    private sealed record Window(DateTimeOffset Start, int Count);

    private sealed record Failures(int Count, DateTimeOffset Last);
}
