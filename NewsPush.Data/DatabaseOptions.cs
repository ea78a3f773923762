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

    /// <summary>Folder for the SQLite file and other local state, the mail pickup and the models (relative to the content root).</summary>
    [Required]
    public string DataFolder { get; set; } = "App_Data";

    /// <summary>The full path of <see cref="DataFolder"/>.</summary>
    public string ResolveDataFolder(string contentRoot) => Path.GetFullPath(Path.Combine(contentRoot, DataFolder));

    /// <summary>The full path of a folder of local state: <paramref name="path"/> itself when absolute, else under <see cref="DataFolder"/>.</summary>
    public string ResolveUnderDataFolder(string contentRoot, string path) => Path.GetFullPath(Path.Combine(ResolveDataFolder(contentRoot), path));

    /// <summary>Apply pending migrations at start-up.</summary>
    public bool MigrateOnStartup { get; set; } = true;
}
