using System.ComponentModel.DataAnnotations;

namespace NewsPush.Web.Analytics;

public sealed class AnalyticsOptions
{
    public const string SectionName = "Analytics";

    /// <summary>Whether the roll-up job is scheduled (tests and benches run it themselves).</summary>
    public bool RollupEnabled { get; set; } = true;

    [Range(5, 3600)]
    public int RollupIntervalSeconds { get; set; } = 60;

    /// <summary>
    /// Rows younger than this are left for the next run: on PostgreSQL and SQL Server ids are taken before commit, so a
    /// slow transaction's lower id may become visible after a higher one; waiting this long lets it land first.
    /// </summary>
    [Range(0, 3600)]
    public int SettleSeconds { get; set; } = 30;

    /// <summary>Rows read per step; each step is one transaction with its watermark.</summary>
    [Range(100, 1_000_000)]
    public int BatchSize { get; set; } = 50_000;
}
