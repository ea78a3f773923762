namespace NewsPush.Data.Entities;

/// <summary>
/// A reader's push preferences. Every account has one row from registration on; the property initializers are
/// the defaults a new reader gets (inbox and e-mail, daily at 07:00 in their zone, 14 pushes a week).
/// </summary>
public class ReaderPreferences
{
    /// <summary>The defaults' time of day; the migration that gave existing readers a row used it too.</summary>
    public static readonly TimeOnly DefaultDigestTime = new(7, 0);

    /// <summary>The row a new account starts with; <paramref name="timeZoneId"/> must already be a known IANA id.</summary>
    public static ReaderPreferences ForNewReader(string userId, string timeZoneId, DateTime now, DateTime? joinedAt = null) =>
        new() { UserId = userId, TimeZoneId = timeZoneId, UpdatedAt = now, JoinedAt = joinedAt ?? now };

    public string UserId { get; set; } = "";

    /// <summary>
    /// When the reader's account was made (its <see cref="ApplicationUser.CreatedAt"/>, copied here): a push reaches the
    /// readers who had joined when it started, and the audience rule reads it from this row without joining the accounts.
    /// </summary>
    public DateTime JoinedAt { get; set; }
    public ApplicationUser? User { get; set; }
    public bool InboxEnabled { get; set; } = true;
    public bool EmailEnabled { get; set; } = true;
    public bool WebPushEnabled { get; set; }
    /// <summary>Kept equal to "has a webhook of their own that is switched on" (Slack or generic), for the producers' cheap filter.</summary>
    public bool WebhookEnabled { get; set; }
    /// <summary>Kept equal to "has an app install (phone or tablet) that takes pushes", for the producers' cheap filter.</summary>
    public bool AppPushEnabled { get; set; }
    public DigestFrequency DigestFrequency { get; set; } = DigestFrequency.Daily;
    /// <summary>Local time of day the digest is wanted, in <see cref="TimeZoneId"/>.</summary>
    public TimeOnly DigestLocalTime { get; set; } = DefaultDigestTime;
    /// <summary>For weekly digests.</summary>
    public DayOfWeek DigestDayOfWeek { get; set; } = DayOfWeek.Monday;
    /// <summary>
    /// The language the reader reads news in, a primary BCP 47 subtag ("en", "zh"), chosen in the preferences or, until
    /// they choose, taken from the first app install that reports a locale; null: not known (language filters keep them).
    /// </summary>
    public string? Language { get; set; }
    /// <summary>IANA time zone id, e.g. "Europe/Paris", "Asia/Shanghai".</summary>
    public string TimeZoneId { get; set; } = "UTC";
    public TimeOnly? QuietHoursStart { get; set; }
    public TimeOnly? QuietHoursEnd { get; set; }
    /// <summary>At most this many pushes per rolling week, all channels together.</summary>
    public int WeeklyPushCap { get; set; } = 14;
    /// <summary>Set by one-click unsubscribe; nothing bypasses it, not even critical pushes.</summary>
    public DateTime? EmailUnsubscribedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    /// <summary>Columns the reader wants pushes about; empty means all.</summary>
    public List<ReaderTopic> Topics { get; set; } = [];
}

public class ReaderTopic
{
    public string UserId { get; set; } = "";
    public int ColumnId { get; set; }
    public Column? Column { get; set; }
}
