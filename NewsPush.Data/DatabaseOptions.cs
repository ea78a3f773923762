using System.ComponentModel.DataAnnotations;

namespace NewsPush.Data;

public enum DatabaseProvider { Sqlite, PostgreSql, SqlServer }

/// <summary>The "Database" section of configuration.</summary>
public sealed class DatabaseOptions
{
    public const string SectionName = "Database";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>Connection string; for SQLite, empty means "newspush.db" in <see cref="DataFolder"/>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Folder for the SQLite file and other local state (relative to the content root).</summary>
    [Required]
    public string DataFolder { get; set; } = "App_Data";

    /// <summary>Apply pending migrations at start-up.</summary>
    public bool MigrateOnStartup { get; set; } = true;
}
