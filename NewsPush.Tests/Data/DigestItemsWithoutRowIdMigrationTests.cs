using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using NewsPush.Data;

namespace NewsPush.Tests.Data;

/// <summary>
/// SQLite's digest items live in their primary key's b-tree (<c>WITHOUT ROWID</c>, migration DigestItemsWithoutRowId):
/// the table and its index as the model describes them, the rows kept when the migration runs either way.
/// </summary>
public sealed class DigestItemsWithoutRowIdMigrationTests : IDisposable
{
    private readonly string file = Path.Combine(Path.GetTempPath(), $"np-rowid-{Guid.NewGuid():N}.db");

    // Foreign keys off: the items below have no digest or article behind them; this test is about the table.
    private SqliteNewsPushDbContext NewContext() =>
        new(new DbContextOptionsBuilder<SqliteNewsPushDbContext>().UseSqlite($"Data Source={file};Pooling=False;Foreign Keys=False").Options);

    public void Dispose()
    {
        File.Delete(file);
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task TheItemsTableHasNoRowIdAndKeepsItsRowsBothWays()
    {
        await using var db = NewContext();
        var all = db.Database.GetMigrations().ToList();
        var before = all[all.FindIndex(m => m.EndsWith("_DigestItemsWithoutRowId", StringComparison.Ordinal)) - 1];
        await db.GetService<IMigrator>().MigrateAsync(before);
        Assert.DoesNotContain("WITHOUT ROWID", await TableSqlAsync(db));
        await db.Database.ExecuteSqlRawAsync("""
            INSERT INTO "DigestItems" ("DigestId", "ArticleId", "Position", "Score", "Reason") VALUES
                (1, 10, 0, 0.9, 'Because you follow Science'), (1, 11, 1, 0.5, 'Popular'), (2, 10, 0, 0.7, 'New in Science')
            """);

        await db.Database.MigrateAsync();

        Assert.EndsWith("WITHOUT ROWID", await TableSqlAsync(db));
        Assert.Equal(["IX_DigestItems_ArticleId"], await db.Database.SqlQueryRaw<string>(
            "SELECT name AS \"Value\" FROM sqlite_master WHERE type = 'index' AND tbl_name = 'DigestItems' AND sql IS NOT NULL").ToListAsync());
        Assert.Equal([(1L, 10, 0, "Because you follow Science"), (1L, 11, 1, "Popular"), (2L, 10, 0, "New in Science")],
            (await db.DigestItems.AsNoTracking().OrderBy(i => i.DigestId).ThenBy(i => i.ArticleId).ToListAsync()).Select(i => (i.DigestId, i.ArticleId, i.Position, i.Reason)));
        // The key still refuses a second copy of an item.
        await Assert.ThrowsAsync<Microsoft.Data.Sqlite.SqliteException>(() => db.Database.ExecuteSqlRawAsync(
            """INSERT INTO "DigestItems" ("DigestId", "ArticleId", "Position", "Score", "Reason") VALUES (1, 10, 5, 0.1, 'again')"""));

        await db.GetService<IMigrator>().MigrateAsync(before);
        Assert.DoesNotContain("WITHOUT ROWID", await TableSqlAsync(db));
        Assert.Equal(3, await db.DigestItems.CountAsync());
    }

    private static async Task<string> TableSqlAsync(NewsPushDbContext db) =>
        (await db.Database.SqlQueryRaw<string>("SELECT sql AS \"Value\" FROM sqlite_master WHERE type = 'table' AND name = 'DigestItems'").ToListAsync()).Single();
}
