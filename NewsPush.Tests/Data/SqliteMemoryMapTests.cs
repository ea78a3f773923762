using Microsoft.EntityFrameworkCore;
using NewsPush.Data;
using NewsPush.Tests.Infrastructure;

namespace NewsPush.Tests.Data;

/// <summary>
/// The memory map is set once per native SQLite connection, not before every query: every query still finds it,
/// however many times the pool hands the connection out, and a long write pass that turns it off gives it back.
/// </summary>
public sealed class SqliteMemoryMapTests(SqliteFactory factory) : IClassFixture<SqliteFactory>
{
    /// <summary>
    /// The map every query gets: NewsPush.Data's SqliteMemoryMap asks for 2 GiB, which SQLite caps at 2 GiB − 64 KiB
    /// (SQLITE_MAX_MMAP_SIZE); without the setting SQLite maps nothing.
    /// </summary>
    private static void AssertMapped(long map) => Assert.InRange(map, 2L * 1024 * 1024 * 1024 - 64 * 1024, 2L * 1024 * 1024 * 1024);

    private Task<long> MapAsync() =>
        factory.WithDbAsync(async db => (await db.Database.SqlQueryRaw<long>("PRAGMA mmap_size").ToListAsync()).Single());

    [Fact]
    public async Task EveryQueryReadsThroughTheMapOnAPooledConnectionAndAfterAWritePass()
    {
        _ = factory.Server;
        for (var i = 0; i < 5; i++)
        {
            AssertMapped(await MapAsync());
        }

        await factory.WithDbAsync(async db =>
        {
            await using var pass = await SqliteWritePass.OpenAsync(db, CancellationToken.None);
            Assert.Equal(0, (await db.Database.SqlQueryRaw<long>("PRAGMA mmap_size").ToListAsync()).Single());
        });

        for (var i = 0; i < 5; i++)
        {
            AssertMapped(await MapAsync());
        }
    }
}
