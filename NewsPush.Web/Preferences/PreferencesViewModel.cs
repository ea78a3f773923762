using System.ComponentModel.DataAnnotations;
using System.Globalization;
using NewsPush.Data.Entities;

namespace NewsPush.Web.Preferences;

public sealed record ColumnChoice(int Id, string Name);

/// <summary>The preferences form. Times are "HH:mm" strings so a bad value gets a clear message, not a binding error.</summary>
public sealed class PreferencesViewModel : IValidatableObject
{
    [Display(Name = "In-site inbox")]
    public bool InboxEnabled { get; set; } = true;

    [Display(Name = "E-mail")]
    public bool EmailEnabled { get; set; } = true;

    [Display(Name = "Digest")]
    public DigestFrequency DigestFrequency { get; set; } = DigestFrequency.Daily;

    [Required, Display(Name = "Delivery time")]
    public string DigestLocalTime { get; set; } = ReaderPreferences.DefaultDigestTime.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture);

    [Display(Name = "Day (weekly digest)")]
    public DayOfWeek DigestDayOfWeek { get; set; } = DayOfWeek.Monday;

    [Required, StringLength(64), Display(Name = "Time zone")]
    public string TimeZoneId { get; set; } = "UTC";

    /// <summary>A language code ("en", "zh"); empty: not set (pushes filtered by language still reach the reader).</summary>
    [StringLength(16), Display(Name = "Language of the news")]
    public string? Language { get; set; }

    public IReadOnlyList<string> Languages { get; set; } = [];

    [Display(Name = "Quiet hours from")]
    public string? QuietHoursStart { get; set; }

    [Display(Name = "Quiet hours until")]
    public string? QuietHoursEnd { get; set; }

    [Range(0, 500), Display(Name = "At most pushes per week")]
    public int WeeklyPushCap { get; set; } = 14;

    public List<int> Topics { get; set; } = [];

    public DateTime? EmailUnsubscribedAt { get; set; }

    public IReadOnlyList<ColumnChoice> Columns { get; set; } = [];

    public IReadOnlyList<string> TimeZones { get; set; } = [];

    public bool Saved { get; set; }

    public static bool TryParseTime(string? value, out TimeOnly time) =>
        TimeOnly.TryParseExact(value?.Trim(), ["HH:mm", "H:mm", "HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out time);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!TryParseTime(DigestLocalTime, out _))
        {
            yield return new ValidationResult("Enter the delivery time as HH:mm, e.g. 07:30.", [nameof(DigestLocalTime)]);
        }
        var hasStart = !string.IsNullOrWhiteSpace(QuietHoursStart);
        var hasEnd = !string.IsNullOrWhiteSpace(QuietHoursEnd);
        if (hasStart != hasEnd)
        {
            yield return new ValidationResult("Give both ends of the quiet hours, or neither.", [nameof(QuietHoursStart)]);
        }
        else if (hasStart)
        {
            if (!TryParseTime(QuietHoursStart, out var s) || !TryParseTime(QuietHoursEnd, out var e))
            {
                yield return new ValidationResult("Enter quiet hours as HH:mm, e.g. 22:00 and 07:00.", [nameof(QuietHoursStart)]);
            }
            else if (s == e)
            {
                yield return new ValidationResult("Quiet hours must not start and end at the same time.", [nameof(QuietHoursStart)]);
            }
        }
        if (!Infrastructure.TimeZones.TryFind(TimeZoneId, out _))
        {
            yield return new ValidationResult($"\"{TimeZoneId}\" is not a known time zone; use an IANA name such as Europe/Paris or Asia/Shanghai.", [nameof(TimeZoneId)]);
        }
        if (!string.IsNullOrWhiteSpace(Language) && Infrastructure.Languages.Primary(Language) is null)
        {
            yield return new ValidationResult($"\"{Language.Trim()}\" is not a language code; use one such as en or zh, or leave it empty.", [nameof(Language)]);
        }
        if (!Enum.IsDefined(DigestFrequency))
        {
            yield return new ValidationResult("Choose daily, weekly or off.", [nameof(DigestFrequency)]);
        }
        if (!Enum.IsDefined(DigestDayOfWeek))
        {
            yield return new ValidationResult("Choose a day of the week.", [nameof(DigestDayOfWeek)]);
        }
    }
}
