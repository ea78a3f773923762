using System.ComponentModel.DataAnnotations;

namespace NewsPush.Web.Interactions;

/// <summary>The "Interactions" section: how much of one reader's activity is kept as training signal.</summary>
public sealed class InteractionOptions
{
    public const string SectionName = "Interactions";

    /// <summary>
    /// Interactions stored per reader per UTC day (impressions, clicks, dwell, ratings, …); the rest of that day's are
    /// dropped when written. A heavy human reader sees a few thousand list items a day; a script replaying beacons is cut off here.
    /// </summary>
    [Range(1, 1_000_000)]
    public int DailyCapPerReader { get; set; } = 5000;
}
