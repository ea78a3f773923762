using System.ComponentModel.DataAnnotations;
using NewsPush.Data;

namespace NewsPush.Web.Jobs;

/// <summary>The "Jobs" section: the Quartz scheduler.</summary>
public sealed class JobsOptions
{
    public const string SectionName = "Jobs";

    /// <summary>Quartz's SCHED_NAME: every node of a cluster must use the same one.</summary>
    [Required, MaxLength(120)]
    public string SchedulerName { get; set; } = "NewsPush";

    /// <summary>Clustered mode; empty means on for PostgreSQL and SQL Server, off for SQLite (one node).</summary>
    public bool? Clustered { get; set; }

    /// <summary>How long the scheduler sleeps when nothing is due (new triggers wake it earlier).</summary>
    [Range(1, 300)]
    public int IdleWaitSeconds { get; set; } = 10;

    /// <summary>How late a trigger may fire before its misfire instruction applies.</summary>
    [Range(1, 3600)]
    public int MisfireThresholdSeconds { get; set; } = 60;

    public bool IsClustered(DatabaseProvider provider) => Clustered ?? provider != DatabaseProvider.Sqlite;
}
