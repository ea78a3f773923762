namespace NewsPush.Web.Digests;

/// <summary>Quiet hours and the weekly cap: the rules that keep pushes from flooding a reader.</summary>
public static class PushPolicy
{
    /// <summary>The rolling period the weekly cap counts over.</summary>
    public static readonly TimeSpan CapPeriod = TimeSpan.FromDays(7);

    /// <summary>True when <paramref name="time"/> lies in [start, end), which may wrap past midnight.</summary>
    public static bool IsQuiet(TimeOnly time, TimeOnly? start, TimeOnly? end)
    {
        if (start is not { } s || end is not { } e || s == e)
        {
            return false;
        }
        return s < e ? time >= s && time < e : time >= s || time < e;
    }

    /// <summary>A local time inside quiet hours moves to their end (the next morning when they wrap).</summary>
    public static DateTime AfterQuietHours(DateTime local, TimeOnly? start, TimeOnly? end)
    {
        var time = TimeOnly.FromDateTime(local);
        if (!IsQuiet(time, start, end))
        {
            return local;
        }
        var endAt = local.Date + end!.Value.ToTimeSpan();
        return endAt > local ? endAt : endAt.AddDays(1);
    }

    /// <summary>
    /// How many channels a push may use given the pushes already sent in the cap period: inbox first, then the
    /// others, as long as the cap allows. Zero means the push is skipped.
    /// </summary>
    public static int AllowedChannels(int wantedChannels, int sentInPeriod, int weeklyCap) =>
        Math.Clamp(weeklyCap - sentInPeriod, 0, wantedChannels);
}
