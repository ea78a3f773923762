using System.ComponentModel.DataAnnotations;

namespace NewsPush.Web.Campaigns;

/// <summary>The "Campaigns" section: breaking-news pushes.</summary>
public sealed class CampaignOptions
{
    public const string SectionName = "Campaigns";

    /// <summary>The zone editors schedule pushes in (IANA id).</summary>
    [Required]
    public string NewsroomTimeZone { get; set; } = "UTC";

    /// <summary>The Quartz job that starts due pushes, makes recurring runs and continues fan-outs; off in tests, which run it themselves.</summary>
    public bool SchedulingEnabled { get; set; } = true;

    [Range(1, 3600)]
    public int PollSeconds { get; set; } = 5;

    /// <summary>Readers planned and queued per transaction of the fan-out.</summary>
    [Range(100, 100_000)]
    public int FanoutBatchSize { get; set; } = 2000;

    /// <summary>
    /// Readers the composer's preview plans one by one (cap, quiet hours, endpoints); a larger audience's figures per
    /// channel are estimated from them, its totals and inbox readers counted exactly.
    /// </summary>
    [Range(100, 1_000_000)]
    public int PreviewSampleSize { get; set; } = 5_000;

    /// <summary>Ranges of reader ids the preview counts side by side, each on its own connection; 0: one per core.</summary>
    [Range(0, 16)]
    public int PreviewCountParallelism { get; set; }

    /// <summary>
    /// Readers the composer's preview of a predicted audience scores (the first in id order, a fair sample): a larger
    /// audience's figures are estimated from their scores. The fan-out always scores every reader.
    /// </summary>
    [Range(100, 1_000_000)]
    public int PreviewScoreSampleSize { get; set; } = 5_000;

    /// <summary>Days a push stays in readers' inboxes (its inbox part is one broadcast for the whole audience).</summary>
    [Range(1, 3650)]
    public int InboxDays { get; set; } = 30;

    /// <summary>Deliveries of a push not sent within this are Expired (a breaking story is stale after it).</summary>
    [Range(0.1, 72)]
    public double DeliverByHours { get; set; } = 6;
}
