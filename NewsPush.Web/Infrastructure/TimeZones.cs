using Microsoft.EntityFrameworkCore;
using NewsPush.Data;

namespace NewsPush.Web.Infrastructure;

/// <summary>The IANA time zones readers may choose, and the one safe lookup of a stored zone id.</summary>
public static class TimeZones
{
    private static readonly Lazy<IReadOnlyList<string>> Ids = new(() =>
        TimeZoneInfo.GetSystemTimeZones().Select(z => z.Id).Where(id => id.Contains('/', StringComparison.Ordinal) || id == "UTC").Order(StringComparer.Ordinal).ToList());

    private static readonly Lazy<HashSet<string>> Known = new(() => new HashSet<string>(Ids.Value, StringComparer.Ordinal));

    /// <summary>Region/City ids and UTC, sorted.</summary>
    public static IReadOnlyList<string> All => Ids.Value;

    /// <summary>
    /// Finds a zone by IANA id. False (and UTC) for an empty, unknown or malformed id — also for names such as
    /// "Europe" that are folders of the zone database, which the system lookup would fail on with an I/O error.
    /// </summary>
    public static bool TryFind(string? id, out TimeZoneInfo zone)
    {
        zone = TimeZoneInfo.Utc;
        if (string.IsNullOrWhiteSpace(id) || !Known.Value.Contains(id))
        {
            return false;
        }
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(id);
            return true;
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException or IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The zone id if it is one readers may choose, else UTC.</summary>
    public static string OrUtc(string? id) => TryFind(id?.Trim(), out _) ? id!.Trim() : "UTC";

    /// <summary>
    /// The zone a browser reports (<c>Intl.DateTimeFormat().resolvedOptions().timeZone</c>) as one readers may
    /// choose: a listed id as it is; an alias the zone database knows (ICU still says "Asia/Calcutta", "Etc/UTC")
    /// as the listed zone with the same rules; anything else UTC.
    /// </summary>
    public static string FromBrowser(string? id)
    {
        id = id?.Trim();
        if (TryFind(id, out _))
        {
            return id!;
        }
        if (string.IsNullOrEmpty(id) || id.Length > 64 || id.Contains("..", StringComparison.Ordinal))
        {
            return "UTC";
        }
        TimeZoneInfo alias;
        try
        {
            alias = TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException or IOException or UnauthorizedAccessException or System.Security.SecurityException or ArgumentException)
        {
            return "UTC";
        }
        if (alias.BaseUtcOffset == TimeSpan.Zero && alias.HasSameRules(TimeZoneInfo.Utc))
        {
            return "UTC";
        }
        return All.FirstOrDefault(known => TryFind(known, out var zone) && zone.BaseUtcOffset == alias.BaseUtcOffset && zone.HasSameRules(alias)) ?? "UTC";
    }

    /// <summary>The zone a user chose in their preferences (UTC when none or unknown).</summary>
    public static async Task<TimeZoneInfo> TimeZoneOfAsync(this NewsPushDbContext db, string userId, CancellationToken ct)
    {
        TryFind(await db.ReaderPreferences.Where(p => p.UserId == userId).Select(p => p.TimeZoneId).FirstOrDefaultAsync(ct), out var zone);
        return zone;
    }

    /// <summary>Local wall-clock time to UTC: a skipped time moves forward by the gap, a repeated time takes its first occurrence.</summary>
    public static DateTime ToUtc(DateTime local, TimeZoneInfo zone)
    {
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        TimeSpan offset;
        if (zone.IsInvalidTime(local))
        {
            // The offset in force before the jump puts the instant just after it (02:30 → 03:30 in spring).
            offset = zone.GetUtcOffset(local.AddDays(-1));
        }
        else if (zone.IsAmbiguousTime(local))
        {
            offset = zone.GetAmbiguousTimeOffsets(local).Max();
        }
        else
        {
            offset = zone.GetUtcOffset(local);
        }
        return DateTime.SpecifyKind(local - offset, DateTimeKind.Utc);
    }
}
