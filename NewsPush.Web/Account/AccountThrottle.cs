using Microsoft.Extensions.Options;
using NewsPush.Web.Infrastructure.Redis;
using NewsPush.Web.Reader;

namespace NewsPush.Web.Account;

/// <summary>
/// Limits the account forms (and the apps' login) by the client's address AND by the e-mail address they name, whatever
/// cookie or token comes with the request: fixed windows from <see cref="RateLimitOptions"/>, and after
/// <see cref="AccountOptions.FreeFailedSignIns"/> failed sign-ins a wait that doubles with each failure (1 s, 2 s, 4 s …
/// up to <see cref="AccountOptions.MaxSignInDelaySeconds"/>) instead of a lockout that anyone could keep on for someone
/// else. Counters are <see cref="RateCounters"/> (Redis when configured: one limit for every node), on the site's clock.
/// </summary>
public sealed class AccountThrottle(IOptions<RateLimitOptions> limits, IOptions<AccountOptions> accounts, RateCounters counters, TimeProvider clock)
{
    /// <summary>Log in, the sign-in code, reset and change password (RateLimits:Login).</summary>
    public const string SignIn = "signin";

    /// <summary>Register, resend confirmation and forgot password together (RateLimits:Register).</summary>
    public const string Register = "register";

    /// <summary>Failures older than this no longer count.</summary>
    public static readonly TimeSpan ForgetFailuresAfter = TimeSpan.FromMinutes(15);

    /// <summary>The client's address as the forwarded-headers middleware left it (the real client behind a known proxy).</summary>
    public static string AddressOf(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    private static string AccountKey(string? email) => "acct:" + (email ?? "").Trim().ToUpperInvariant();

    /// <summary>Counts one post; null when it may go ahead, else how long until it may.</summary>
    public async Task<TimeSpan?> RefuseAsync(HttpContext http, string form, string? email)
    {
        var rule = form == Register ? limits.Value.Register : limits.Value.Login;
        var address = "ip:" + AddressOf(http);
        var wait = Max(await CountAsync(form + "|" + address, rule), await CountAsync(form + "|" + AccountKey(email), rule));
        if (form == SignIn)
        {
            wait = Max(wait, Max(await DelayAsync(address), await DelayAsync(AccountKey(email))));
        }
        return wait;
    }

    /// <summary>A wrong password or code: the account and the address wait longer before their next try.</summary>
    public async Task FailedAsync(HttpContext http, string? email)
    {
        await counters.FailAsync("ip:" + AddressOf(http), ForgetFailuresAfter);
        await counters.FailAsync(AccountKey(email), ForgetFailuresAfter);
    }

    /// <summary>A successful sign-in clears the account's delay (not the address's: one right password must not unlock guessing others).</summary>
    public Task SucceededAsync(string? email) => counters.ClearFailuresAsync(AccountKey(email)).AsTask();

    private async Task<TimeSpan?> CountAsync(string key, RateLimitRule rule)
    {
        var (count, ends) = await counters.HitAsync("account|" + key, TimeSpan.FromSeconds(rule.WindowSeconds));
        return count <= rule.PermitLimit ? null : ends - clock.GetUtcNow();
    }

    private async Task<TimeSpan?> DelayAsync(string key)
    {
        if (await counters.FailuresAsync(key, ForgetFailuresAfter) is not { } f || f.Count < accounts.Value.FreeFailedSignIns)
        {
            return null;
        }
        var wait = f.Last + DelayAfter(f.Count) - clock.GetUtcNow();
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

}
