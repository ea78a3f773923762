using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Html;
using Microsoft.Extensions.Caching.Memory;
using NewsPush.Data;

namespace NewsPush.Web.Infrastructure;

/// <summary>
/// Times on reader pages as the reader reads them: in the zone of a signed-in reader's preferences, in UTC for everyone
/// else (the anonymous pages are cached and shared), always with the zone's name. One lookup per request.
/// </summary>
public sealed class ReaderTime(NewsPushDbContext db, IHttpContextAccessor http, ReaderZoneCache zones, TimeProvider clock)
{
    private TimeZoneInfo? zone;

    /// <summary>The reader's zone; after the first call of a request, without awaiting anything.</summary>
    public ValueTask<TimeZoneInfo> ZoneAsync() => zone is { } known ? ValueTask.FromResult(known) : new ValueTask<TimeZoneInfo>(LoadZoneAsync());

    private async Task<TimeZoneInfo> LoadZoneAsync()
    {
        var context = http.HttpContext;
        var userId = context?.User.UserId();
        return zone = userId is null ? TimeZoneInfo.Utc : await zones.GetAsync(db, userId, context!.RequestAborted);
    }

    /// <summary>e.g. "2025-06-02 20:00 Asia/Shanghai" or "2025-06-02 12:00 UTC".</summary>
    public async ValueTask<string> FormatAsync(DateTime utc) => Format(utc, await ZoneAsync());

    /// <summary>
    /// "just now", "5 min ago", "2 h ago", "yesterday 18:30", "3 days ago", then the date ("2 Jun" this year, "2 Jun 2024"
    /// before); calendar days and clock times are the reader's zone's.
    /// </summary>
    public async ValueTask<string> RelativeAsync(DateTime utc) => Relative(utc, await ZoneAsync());

    /// <summary><c>&lt;time datetime="…" title="2025-06-02 20:00 Asia/Shanghai"&gt;2 h ago&lt;/time&gt;</c>: relative, with the absolute time on hover.</summary>
    public async ValueTask<IHtmlContent> RelativeTagAsync(DateTime utc)
    {
        // A page shows dozens of these: one zone look-up a request, then no await and one string each.
        var z = await ZoneAsync();
        utc = DateTime.SpecifyKind(utc, DateTimeKind.Utc);
        return new HtmlString($"<time datetime=\"{utc.ToString("o", CultureInfo.InvariantCulture)}\" title=\"{WebUtility.HtmlEncode(Format(utc, z))}\">{WebUtility.HtmlEncode(Relative(utc, z))}</time>");
    }

    private static string Format(DateTime utc, TimeZoneInfo z)
    {
        var local = TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), z);
        return string.Create(CultureInfo.InvariantCulture, $"{local:yyyy-MM-dd HH:mm} {z.Id}");
    }

    private string Relative(DateTime utc, TimeZoneInfo z)
    {
        var nowUtc = clock.GetUtcNow().UtcDateTime;
        utc = DateTime.SpecifyKind(utc, DateTimeKind.Utc);
        var ago = nowUtc - utc;
        var local = TimeZoneInfo.ConvertTimeFromUtc(utc, z);
        var today = TimeZoneInfo.ConvertTimeFromUtc(nowUtc, z).Date;
        var c = CultureInfo.InvariantCulture;
        if (ago < TimeSpan.Zero)
        {
            return local.ToString(local.Year == today.Year ? "d MMM HH:mm" : "d MMM yyyy HH:mm", c);
        }
        if (ago < TimeSpan.FromMinutes(1))
        {
            return "just now";
        }
        if (ago < TimeSpan.FromHours(1))
        {
            return $"{(int)ago.TotalMinutes} min ago";
        }
        if (ago < TimeSpan.FromHours(12) || local.Date == today)
        {
            return $"{(int)ago.TotalHours} h ago";
        }
        if (local.Date == today.AddDays(-1))
        {
            return "yesterday " + local.ToString("HH:mm", c);
        }
        var days = (today - local.Date).Days;
        if (days < 7)
        {
            return $"{days} days ago";
        }
        return local.ToString(local.Year == today.Year ? "d MMM" : "d MMM yyyy", c);
    }
}

/// <summary>
/// Each signed-in reader's zone, kept in memory for a minute so that a page's times need no query; saving preferences
/// drops it (<see cref="Evict"/>), so the next page is in the new zone.
/// </summary>
public sealed class ReaderZoneCache
{
    private const string Topic = "reader-zone";
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);

    private readonly IMemoryCache cache;
    private readonly Redis.NodeMessages nodes;

    public ReaderZoneCache(IMemoryCache cache, Redis.NodeMessages nodes)
    {
        this.cache = cache;
        this.nodes = nodes;
        nodes.Subscribe(Topic, userId => cache.Remove(Key(userId)));
    }

    private static string Key(string userId) => "reader-zone:" + userId;

    public async Task<TimeZoneInfo> GetAsync(NewsPushDbContext db, string userId, CancellationToken ct)
    {
        if (cache.TryGetValue(Key(userId), out TimeZoneInfo? zone) && zone is not null)
        {
            return zone;
        }
        zone = await db.TimeZoneOfAsync(userId, ct);
        cache.Set(Key(userId), zone, Lifetime);
        return zone;
    }

    /// <summary>The reader saved another zone: dropped here and on every other node.</summary>
    public void Evict(string userId)
    {
        cache.Remove(Key(userId));
        nodes.Publish(Topic, userId);
    }
}
