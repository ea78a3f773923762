using System.ComponentModel.DataAnnotations;
using NewsPush.Recommender.Ranking;

namespace NewsPush.Web.Recommendations;

/// <summary>The "Recommender" section of appsettings.json.</summary>
public sealed class RecommenderOptions
{
    public const string SectionName = "Recommender";

    /// <summary>Where model versions are stored, relative to Database:DataFolder unless absolute.</summary>
    [Required]
    public string ModelFolder { get; set; } = "models";

    /// <summary>Quartz cron of scheduled retraining (default: every day at 03:30 UTC).</summary>
    [Required]
    public string RetrainCron { get; set; } = "0 30 3 * * ?";

    public bool RetrainEnabled { get; set; } = true;

    public TrainerKind Trainer { get; set; } = TrainerKind.LightGbmBinary;

    /// <summary>Articles published this recently are candidates.</summary>
    [Range(1, 365)]
    public int CandidateDays { get; set; } = 14;

    /// <summary>Interactions and reads this recent feed training and reader profiles.</summary>
    [Range(1, 3650)]
    public int HistoryDays { get; set; } = 90;

    /// <summary>Training is skipped with fewer impressions than this.</summary>
    [Range(1, int.MaxValue)]
    public int MinimumImpressions { get; set; } = 50;

    /// <summary>How long the article snapshot (vectors, popularity) is reused before it is rebuilt.</summary>
    [Range(1, 1440)]
    public int SnapshotMinutes { get; set; } = 5;

    /// <summary>Clicks count towards an impression this long after it was shown.</summary>
    [Range(1, 1440)]
    public int ClickWindowMinutes { get; set; } = 30;

    /// <summary>Training reads at most this many of one reader's newest impressions and clicks, so one account cannot outweigh the rest.</summary>
    [Range(1, int.MaxValue)]
    public int MaxInteractionsPerReader { get; set; } = 20_000;

    /// <summary>
    /// How long a signed-in reader's personalized lists (the front page's "For you", the /for-you feed) are kept in
    /// memory (<see cref="ReaderFeedCache"/>); the reader's own changes, content changes and a new model drop them at once.
    /// 0 ranks on every page.
    /// </summary>
    [Range(0, 600)]
    public int PageCacheSeconds { get; set; } = 60;

}
