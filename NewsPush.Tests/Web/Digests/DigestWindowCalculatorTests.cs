using NewsPush.Data.Entities;
using NewsPush.Web.Digests;

namespace NewsPush.Tests.Web.Digests;

public sealed class DigestWindowCalculatorTests
{
    private static readonly TimeSpan CatchUp = TimeSpan.FromHours(6);

    private static DigestTiming Daily(string zone, int hour, int minute = 0, TimeOnly? quietStart = null, TimeOnly? quietEnd = null) =>
        new(DigestFrequency.Daily, new TimeOnly(hour, minute), DayOfWeek.Monday, zone, quietStart, quietEnd);

    private static DateTime Utc(int y, int mo, int d, int h, int mi = 0) => new(y, mo, d, h, mi, 0, DateTimeKind.Utc);

    [Fact]
    public void DueAtTheReadersLocalTimeNotAtUtc()
    {
        // 08:00 in Shanghai (UTC+8) is 00:00 UTC.
        var timing = Daily("Asia/Shanghai", 8);
        Assert.Null(DigestWindowCalculator.Due(timing, Utc(2026, 11, 24, 23, 59), CatchUp));
        var due = DigestWindowCalculator.Due(timing, Utc(2026, 11, 25, 0, 1), CatchUp);
        Assert.Equal(new DigestWindow("daily:2026-11-25", Utc(2026, 11, 25, 0)), due);
    }

    [Fact]
    public void WindowKeyIsTheLocalDateEvenWhenUtcIsStillYesterday()
    {
        // 07:00 in Auckland (UTC+13 in November) is 18:00 UTC the day before.
        var due = DigestWindowCalculator.Due(Daily("Pacific/Auckland", 7), Utc(2026, 11, 24, 18, 30), CatchUp);
        Assert.Equal("daily:2026-11-25", due?.Key);
        // Honolulu (UTC−10): 20:00 local on the 24th is 06:00 UTC on the 25th.
        var west = DigestWindowCalculator.Due(Daily("Pacific/Honolulu", 20), Utc(2026, 11, 25, 6, 5), CatchUp);
        Assert.Equal("daily:2026-11-24", west?.Key);
    }

    [Fact]
    public void SpringForwardGapDeliversRightAfterTheJump()
    {
        // Paris, 29 March 2026: 02:00 → 03:00. A reader who wants 02:30 gets it at 03:30 CEST = 01:30 UTC.
        var timing = Daily("Europe/Paris", 2, 30);
        Assert.Null(DigestWindowCalculator.Due(timing, Utc(2026, 3, 29, 1, 29), CatchUp));
        var due = DigestWindowCalculator.Due(timing, Utc(2026, 3, 29, 1, 31), CatchUp);
        Assert.Equal(new DigestWindow("daily:2026-03-29", Utc(2026, 3, 29, 1, 30)), due);
    }

    [Fact]
    public void FallBackRepeatedHourDeliversOnceAtTheFirstOccurrence()
    {
        // New York, 1 November 2026: 02:00 EDT → 01:00 EST, so 01:30 happens twice (05:30 and 06:30 UTC).
        var timing = Daily("America/New_York", 1, 30);
        var first = DigestWindowCalculator.Due(timing, Utc(2026, 11, 1, 5, 31), CatchUp);
        Assert.Equal(new DigestWindow("daily:2026-11-01", Utc(2026, 11, 1, 5, 30)), first);
        // During the second 01:30 the window is the same one, so the unique key stops a second digest.
        var second = DigestWindowCalculator.Due(timing, Utc(2026, 11, 1, 6, 31), CatchUp);
        Assert.Equal(first?.Key, second?.Key);
    }

    [Fact]
    public void DstChangeShiftsTheUtcInstantButNotTheLocalTime()
    {
        var timing = Daily("Europe/London", 8);
        // Before the change (BST, UTC+1) 08:00 is 07:00 UTC; after it (GMT) 08:00 is 08:00 UTC.
        Assert.Equal(Utc(2026, 10, 24, 7), DigestWindowCalculator.Due(timing, Utc(2026, 10, 24, 7, 1), CatchUp)?.DueAtUtc);
        Assert.Null(DigestWindowCalculator.Due(timing, Utc(2026, 10, 25, 7, 30), CatchUp));
        Assert.Equal(new DigestWindow("daily:2026-10-25", Utc(2026, 10, 25, 8)), DigestWindowCalculator.Due(timing, Utc(2026, 10, 25, 8, 1), CatchUp));
    }

    [Fact]
    public void HalfHourAndQuarterHourZonesWork()
    {
        Assert.Equal(Utc(2026, 11, 25, 2, 30), DigestWindowCalculator.Due(Daily("Asia/Kolkata", 8), Utc(2026, 11, 25, 3), CatchUp)?.DueAtUtc);
        Assert.Equal(Utc(2026, 11, 25, 2, 15), DigestWindowCalculator.Due(Daily("Asia/Kathmandu", 8), Utc(2026, 11, 25, 3), CatchUp)?.DueAtUtc);
    }

    [Fact]
    public void MissedWindowIsCaughtUpOnlyWithinTheCatchUpPeriod()
    {
        var timing = Daily("UTC", 8);
        Assert.Equal("daily:2026-11-25", DigestWindowCalculator.Due(timing, Utc(2026, 11, 25, 13, 59), CatchUp)?.Key);
        Assert.Null(DigestWindowCalculator.Due(timing, Utc(2026, 11, 25, 14, 1), CatchUp));
    }

    [Fact]
    public void WeeklyWindowIsTheChosenLocalWeekday()
    {
        var timing = new DigestTiming(DigestFrequency.Weekly, new TimeOnly(9, 0), DayOfWeek.Monday, "Asia/Tokyo", null, null);
        // Monday 23 November 2026, 09:00 in Tokyo = 00:00 UTC.
        Assert.Equal(new DigestWindow("weekly:2026-11-23", Utc(2026, 11, 23, 0)), DigestWindowCalculator.Due(timing, Utc(2026, 11, 23, 0, 10), CatchUp));
        Assert.Null(DigestWindowCalculator.Due(timing, Utc(2026, 11, 24, 0, 10), CatchUp));
    }

    [Fact]
    public void OffUnknownZoneAndInvalidIdsAreNeverDue()
    {
        Assert.Null(DigestWindowCalculator.Due(Daily("UTC", 8) with { Frequency = DigestFrequency.Off }, Utc(2026, 11, 25, 8, 1), CatchUp));
        Assert.Null(DigestWindowCalculator.Due(Daily("Mars/Olympus_Mons", 8), Utc(2026, 11, 25, 8, 1), CatchUp));
        Assert.False(NewsPush.Web.Infrastructure.TimeZones.TryFind("", out _));
        Assert.False(NewsPush.Web.Infrastructure.TimeZones.TryFind("Europe", out _));
    }

    [Fact]
    public void TimeInQuietHoursIsDeliveredWhenTheyEnd()
    {
        // Wants 23:00, quiet 22:00–07:00: delivered 07:00 next morning, still the window of the 24th.
        var timing = Daily("Europe/Berlin", 23, 0, new TimeOnly(22, 0), new TimeOnly(7, 0));
        Assert.Null(DigestWindowCalculator.Due(timing, Utc(2026, 11, 24, 22, 30), CatchUp));
        var due = DigestWindowCalculator.Due(timing, Utc(2026, 11, 25, 6, 1), CatchUp);
        Assert.Equal(new DigestWindow("daily:2026-11-24", Utc(2026, 11, 25, 6)), due);
    }
}

public sealed class AudiencePlannerRulesTests
{
    [Theory]
    [InlineData("23:00", "22:00", "07:00", true)]
    [InlineData("03:00", "22:00", "07:00", true)]
    [InlineData("07:00", "22:00", "07:00", false)]
    [InlineData("21:59", "22:00", "07:00", false)]
    [InlineData("13:00", "12:00", "14:00", true)]
    [InlineData("14:00", "12:00", "14:00", false)]
    public void QuietHoursMayWrapMidnight(string time, string start, string end, bool quiet) =>
        Assert.Equal(quiet, NewsPush.Web.Push.AudiencePlanner.IsQuiet(TimeOnly.Parse(time, System.Globalization.CultureInfo.InvariantCulture), TimeOnly.Parse(start, System.Globalization.CultureInfo.InvariantCulture), TimeOnly.Parse(end, System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void NoQuietHoursWhenUnset() => Assert.False(NewsPush.Web.Push.AudiencePlanner.IsQuiet(new TimeOnly(3, 0), null, new TimeOnly(7, 0)));

    [Theory]
    [InlineData(2, 0, 14, 2)]
    [InlineData(2, 13, 14, 1)]
    [InlineData(2, 14, 14, 0)]
    [InlineData(2, 20, 14, 0)]
    [InlineData(1, 0, 0, 0)]
    public void WeeklyCapLimitsTheChannels(int wanted, int sent, int cap, int allowed) =>
        Assert.Equal(allowed, NewsPush.Web.Push.AudiencePlanner.AllowedChannels(wanted, sent, cap));
}
