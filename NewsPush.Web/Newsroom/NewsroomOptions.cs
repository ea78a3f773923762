using NewsPush.Web.Infrastructure;

namespace NewsPush.Web.Newsroom;

/// <summary>Settings of the newsroom as a whole ("Newsroom" section).</summary>
public sealed class NewsroomOptions
{
    public const string SectionName = "Newsroom";

    /// <summary>
    /// The newsroom's own zone (IANA id): editors schedule articles and pushes in it and the newsroom's lists show
    /// their times in it. Breaking-news pushes use it too unless <c>Campaigns:NewsroomTimeZone</c> says otherwise.
    /// </summary>
    public string TimeZone { get; set; } = "UTC";

    public TimeZoneInfo Zone => TimeZones.TryFind(TimeZone, out var zone) ? zone : TimeZoneInfo.Utc;

    /// <summary>A UTC instant as the newsroom's wall clock shows it.</summary>
    public DateTime Local(DateTime utc) => TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), Zone);
}
