using System.ComponentModel.DataAnnotations;

namespace NewsPush.Web.Digests;

/// <summary>The "Digest" section: what goes into a digest and how the runner works through readers.</summary>
public sealed class DigestOptions
{
    public const string SectionName = "Digest";

    [Range(1, 50)]
    public int ItemsPerDigest { get; set; } = 8;
    /// <summary>Only articles published within this many days go into a digest.</summary>
    [Range(1, 365)]
    public int FreshnessDays { get; set; } = 3;
    /// <summary>Diversity: at most this many items from one column while others are available.</summary>
    [Range(1, 50)]
    public int MaxPerColumn { get; set; } = 3;
    /// <summary>Articles sent in a digest during this many days are not sent again.</summary>
    [Range(1, 365)]
    public int NotAlreadySentDays { get; set; } = 30;
    /// <summary>A window is still delivered this long after its due time (a run that was down catches up).</summary>
    [Range(1, 72)]
    public int CatchUpHours { get; set; } = 6;
    /// <summary>Readers per transaction and per recommender call.</summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 1000;
    /// <summary>Create the Quartz triggers from the DigestSchedule table at start-up.</summary>
    public bool SchedulingEnabled { get; set; } = true;
}
