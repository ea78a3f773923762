using Microsoft.EntityFrameworkCore;

namespace NewsPush.Data;

/// <summary>
/// Holds a context's connection open for one long write pass (a digest run over a million readers): one connection
/// instead of an open and a <c>PRAGMA mmap_size</c> per query. On SQLite the pass reads every page of the tables it
/// walks once, so the memory map only grows the process's resident set by what it touched (up to 2 GiB); the pass
/// reads through a page cache of <see cref="CacheKiB"/> instead, enough for the pages its index inserts keep
/// dirty between commits, and commits without their own sync (<c>synchronous=NORMAL</c>, safe under WAL). The settings
/// go back to the defaults when the pass ends.
/// </summary>
public sealed class SqliteWritePass : IAsyncDisposable
{
    /// <summary>SQLite's page cache for the pass: 64 MiB (the default is 2 MiB), as in <see cref="Settings"/>.</summary>
    public const int CacheKiB = 64 * 1024;

    private const string Settings = "PRAGMA mmap_size=0; PRAGMA cache_size=-65536; PRAGMA wal_autocheckpoint=16384;";
    // The reading side of a pass (the digest runner's reader pages and rankings, one batch ahead of its writer): no map
    // either, and a page cache of 16 MiB — the writer's commits invalidate it anyway.
    private const string ReadSettings = "PRAGMA mmap_size=0; PRAGMA cache_size=-16384;";

    private readonly DbContext db;
    private readonly bool sqlite;

    private SqliteWritePass(DbContext db, bool sqlite)
    {
        this.db = db;
        this.sqlite = sqlite;
    }

    /// <param name="forReads">The pass only reads while another connection writes: no map, a smaller cache, no change to syncs or checkpoints.</param>
    public static async Task<SqliteWritePass> OpenAsync(DbContext db, CancellationToken ct, bool forReads = false)
    {
        await db.Database.OpenConnectionAsync(ct);
        var sqlite = db.Database.IsSqlite();
        if (sqlite && forReads)
        {
            await db.Database.ExecuteSqlRawAsync(ReadSettings, ct);
        }
        else if (sqlite)
        {
            // synchronous=NORMAL under WAL: a commit is not synced by itself but by the next checkpoint, or by any other
            // connection's commit (the default FULL) — which the dispatcher makes before it sends anything of the pass.
            // A power cut may undo the last batches whole, and the next run writes them again (unique keys); never half of one.
            var wal = await db.Database.SqlQueryRaw<string>("PRAGMA journal_mode").ToListAsync(ct) is [var mode] && mode == "wal";
            await db.Database.ExecuteSqlRawAsync(wal ? Settings + " PRAGMA synchronous=NORMAL;" : Settings, ct);
        }
        return new SqliteWritePass(db, sqlite);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (sqlite)
            {
                // A pooled connection keeps its settings, and the map is set once per native connection
                // (SqliteMemoryMap): give it back as every other query finds it.
                await db.Database.ExecuteSqlRawAsync(
                    $"PRAGMA cache_size=-2000; PRAGMA synchronous=FULL; PRAGMA wal_autocheckpoint=1000; PRAGMA mmap_size={SqliteMemoryMap.Bytes};");
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
