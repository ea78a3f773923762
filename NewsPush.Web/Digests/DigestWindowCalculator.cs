using NewsPush.Web.Infrastructure;
using NewsPush.Data.Entities;

namespace NewsPush.Web.Digests;

/// <summary>The window a digest belongs to and the UTC instant it is due.</summary>
public readonly record struct DigestWindow(string Key, DateTime DueAtUtc);

/// <summary>What the calculator needs of a reader's preferences.</summary>
public readonly record struct DigestTiming(
    DigestFrequency Frequency, TimeOnly LocalTime, DayOfWeek DayOfWeek, string TimeZoneId, TimeOnly? QuietStart, TimeOnly? QuietEnd);

/// <summary>
/// Pure time-zone logic: when is a reader's digest due? Windows are keyed by the reader's local date
/// ("daily:2026-11-25", "weekly:2026-11-23"), so a digest is sent once per local day or week whatever the
/// offset does. A local time skipped by a DST jump is delivered right after the jump; a local time that
/// happens twice is delivered at its first occurrence. A time inside quiet hours is moved to their end.
/// </summary>
public static class DigestWindowCalculator
{
    /// <summary>
    /// The most recent window whose due instant is at or before <paramref name="nowUtc"/> and not older than
    /// <paramref name="catchUp"/> (a run that was down for a while still delivers; a new reader is not sent
    /// a week-old window). Null when nothing is due or the time zone is unknown.
    /// </summary>
    public static DigestWindow? Due(DigestTiming timing, DateTime nowUtc, TimeSpan catchUp)
    {
        if (timing.Frequency == DigestFrequency.Off || !TimeZones.TryFind(timing.TimeZoneId, out var zone))
        {
            return null;
        }
        var localToday = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(nowUtc, zone));
        // Quiet hours can push a window's due time past midnight, so look back further than a day.
        var lookBackDays = timing.Frequency == DigestFrequency.Daily ? 2 : 8;
        for (var back = 0; back <= lookBackDays; back++)
        {
            var date = localToday.AddDays(-back);
            if (timing.Frequency == DigestFrequency.Weekly && date.DayOfWeek != timing.DayOfWeek)
            {
                continue;
            }
            var due = DueAtUtc(date, timing, zone);
            if (due > nowUtc)
            {
                continue;
            }
            return nowUtc - due <= catchUp ? new DigestWindow(WindowKey(timing.Frequency, date), due) : null;
        }
        return null;
    }

    public static string WindowKey(DigestFrequency frequency, DateOnly localDate) =>
        $"{(frequency == DigestFrequency.Weekly ? "weekly" : "daily")}:{localDate:yyyy-MM-dd}";

    /// <summary>The UTC instant of the reader's wanted local time on <paramref name="localDate"/>, after quiet hours.</summary>
    public static DateTime DueAtUtc(DateOnly localDate, DigestTiming timing, TimeZoneInfo zone)
    {
        var local = localDate.ToDateTime(timing.LocalTime);
        local = Push.AudiencePlanner.AfterQuietHours(local, timing.QuietStart, timing.QuietEnd);
        return ToUtc(local, zone);
    }

    /// <summary>Local wall-clock time to UTC (see <see cref="TimeZones.ToUtc"/>).</summary>
    public static DateTime ToUtc(DateTime local, TimeZoneInfo zone) => TimeZones.ToUtc(local, zone);
}
