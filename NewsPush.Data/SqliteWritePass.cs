using Microsoft.EntityFrameworkCore;

namespace NewsPush.Data;

/// <summary>
/// Holds a context's connection open for one long write pass (a digest run over a million readers): one connection
/// instead of an open and a <c>PRAGMA mmap_size</c> per query. On SQLite the pass reads every page of the tables it
/// walks once, so the memory map only grows the process's resident set by what it touched (up to 2 GiB); the pass
/// reads through a page cache of <see cref="CacheKiB"/> instead, enough for the pages its index inserts keep
/// dirty between commits. Both settings go back to the defaults when the pass ends.
/// </summary>
public sealed class SqliteWritePass : IAsyncDisposable
{
    /// <summary>SQLite's page cache for the pass: 64 MiB (the default is 2 MiB).</summary>
    public const int CacheKiB = 64 * 1024;

    private readonly DbContext db;
    private readonly bool sqlite;

    private SqliteWritePass(DbContext db, bool sqlite)
    {
        this.db = db;
        this.sqlite = sqlite;
    }

    public static async Task<SqliteWritePass> OpenAsync(DbContext db, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        var sqlite = db.Database.IsSqlite();
        if (sqlite)
        {
            await db.Database.ExecuteSqlRawAsync($"PRAGMA mmap_size=0; PRAGMA cache_size=-{CacheKiB};", ct);
        }
        return new SqliteWritePass(db, sqlite);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (sqlite)
            {
                // A pooled connection keeps its page cache: give it back at the default size (the map is set on the next open).
                await db.Database.ExecuteSqlRawAsync("PRAGMA cache_size=-2000;");
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
