using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace NewsPush.Data;

/// <summary>
/// Lets SQLite read the database file through a memory map (<c>PRAGMA mmap_size</c>) on every connection it opens:
/// queries that touch most of a large table — a push's audience counted over a million readers — then read pages
/// from the map instead of one system call per page through SQLite's small page cache (2.75 s → 1.36 s for that
/// count in sqlite3). It only reserves address space; the operating system's file cache holds the pages either way.
/// </summary>
internal sealed class SqliteMemoryMap : DbConnectionInterceptor
{
    /// <summary>Address space per connection for the map: 2 GiB (SQLite's default limit caps larger values).</summary>
    public const long Bytes = 2L * 1024 * 1024 * 1024;

    public static readonly SqliteMemoryMap Instance = new();

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = Command(connection);
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = Command(connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static DbCommand Command(DbConnection connection)
    {
        var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA mmap_size={Bytes};";
        return command;
    }
}
