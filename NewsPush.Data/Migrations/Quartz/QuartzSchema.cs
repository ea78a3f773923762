using System.Reflection;

namespace NewsPush.Data.Migrations.Quartz;

/// <summary>
/// The Quartz.NET job-store schema (QRTZ_* tables) per provider, as Quartz 4.7.3 ships it. The migrations
/// own the schema so that Quartz only validates it at start-up and every node of a cluster sees one schema.
/// </summary>
public static class QuartzSchema
{
    public const string TablePrefix = "QRTZ_";

    /// <summary>Tables in an order that drops children before parents.</summary>
    private static readonly string[] Tables =
    [
        "FIRED_TRIGGERS", "PAUSED_TRIGGER_GRPS", "PAUSED_JOB_GRPS", "SCHEDULER_STATE", "LOCKS",
        "SIMPLE_TRIGGERS", "SIMPROP_TRIGGERS", "CRON_TRIGGERS", "BLOB_TRIGGERS", "TRIGGERS", "JOB_DETAILS",
        "CALENDARS", "EXECUTION_HISTORY", "MISFIRE_HISTORY", "JOB_STATUS",
    ];

    /// <summary>The CREATE statements for <paramref name="dialect"/> ("sqlite", "postgres" or "sqlServer").</summary>
    public static IReadOnlyList<string> CreateStatements(string dialect)
    {
        var name = $"NewsPush.Data.Migrations.Quartz.quartz_{dialect}.sql";
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"Embedded Quartz schema {name} is missing.");
        using var reader = new StreamReader(stream);
        var script = reader.ReadToEnd().Replace("{0}", TablePrefix, StringComparison.Ordinal).Replace("{1}", TablePrefix, StringComparison.Ordinal);
        return script.Replace("\r\n", "\n", StringComparison.Ordinal).Split("\n--;;\n")
            .Where(s => s.Split('\n').Any(line => line.Trim().Length > 0 && !line.TrimStart().StartsWith("--", StringComparison.Ordinal)))
            .Select(s => s.Trim())
            .ToList();
    }

    public static IEnumerable<string> DropStatements() => Tables.Select(t => $"DROP TABLE IF EXISTS {TablePrefix}{t}");
}
