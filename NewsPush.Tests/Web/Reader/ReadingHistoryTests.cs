using System.Data.Common;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Tests.Infrastructure;
using NewsPush.Web.Reader;
using static NewsPush.Tests.Web.Reader.ReaderTestData;

namespace NewsPush.Tests.Web.Reader;

/// <summary>
/// Reading history written in batches (<see cref="ReadingHistory"/>): every read counted once, whatever runs at the same
/// time, and a batch the database refuses written later, once.
/// </summary>
public abstract class ReadingHistoryTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : NewsPushFactory
{
    [Fact]
    public async Task ReadsNotedWhileBatchesAreWrittenAreEachCountedOnce()
    {
        var users = new[] { await factory.CreateUserAsync(Unique("hist") + "@test.local"), await factory.CreateUserAsync(Unique("hist") + "@test.local") };
        var (first, _) = await PublishAsync(factory, "Read by many at once", "Body");
        var (second, _) = await PublishAsync(factory, "Read by many at once, too", "Body");
        var history = factory.Services.GetRequiredService<ReadingHistory>();
        // Whole seconds: PostgreSQL keeps microseconds, not .NET's 100 ns ticks.
        var at = DateTime.UnixEpoch.AddSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());

        var readers = Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 500; i++)
            {
                history.Opened(users[(t + i) % 2].Id, i % 2 == 0 ? first : second, at.AddSeconds(i));
            }
        })).ToList();
        var flushing = Task.Run(async () =>
        {
            while (!readers.All(r => r.IsCompleted))
            {
                await history.FlushAsync(factory.Services, default);
            }
        });
        await Task.WhenAll(readers);
        await flushing;
        await history.FlushAsync(factory.Services, default);

        var rows = await factory.WithDbAsync(db => db.ArticleReads.Where(r => r.UserId == users[0].Id || r.UserId == users[1].Id).ToListAsync());
        Assert.Equal(4, rows.Count);
        Assert.Equal(4000, rows.Sum(r => r.ReadCount));
        Assert.All(rows, r => Assert.Equal(1000, r.ReadCount));
        Assert.All(rows, r => Assert.True(r.LastReadAt >= at.AddSeconds(498)));
        Assert.Equal(0, history.PendingCount);
    }

    [Fact]
    public async Task DwellAloneMakesNoRowButAddsToAStoredReadAndKeepsTheLatestTime()
    {
        var user = await factory.CreateUserAsync(Unique("dwell") + "@test.local");
        var (opened, _) = await PublishAsync(factory, "Opened, then read for a while", "Body");
        var (never, _) = await PublishAsync(factory, "Never opened", "Body");
        var history = factory.Services.GetRequiredService<ReadingHistory>();
        var at = DateTime.UnixEpoch.AddSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        history.Opened(user.Id, opened, at);
        history.Dwelled(user.Id, opened, 12.5, at.AddSeconds(5));
        await history.FlushAsync(factory.Services, default);

        history.Dwelled(user.Id, opened, 30, at.AddSeconds(40));
        history.Dwelled(user.Id, opened, 1, at.AddSeconds(-100)); // an old beacon arriving late moves no time back
        history.Dwelled(user.Id, never, 20, at.AddSeconds(40));
        history.Opened(user.Id, opened, at.AddSeconds(60));
        await history.FlushAsync(factory.Services, default);

        var rows = await factory.WithDbAsync(db => db.ArticleReads.Where(r => r.UserId == user.Id).ToListAsync());
        var row = Assert.Single(rows);
        Assert.Equal(opened, row.ArticleId);
        Assert.Equal(2, row.ReadCount);
        Assert.Equal(43.5, row.DwellSeconds, 6);
        Assert.Equal(at, row.FirstReadAt);
        Assert.Equal(at.AddSeconds(60), row.LastReadAt);

        history.Dwelled(user.Id, opened, 2, at.AddSeconds(90));
        await history.FlushAsync(factory.Services, default);
        var later = await factory.WithDbAsync(db => db.ArticleReads.SingleAsync(r => r.UserId == user.Id));
        Assert.Equal(at.AddSeconds(90), later.LastReadAt);
        Assert.Equal(45.5, later.DwellSeconds, 6);
        Assert.Equal(2, later.ReadCount);
    }

    [Fact]
    public async Task ABatchTheDatabaseRefusesIsWrittenWithTheNextOneOnceNotTwice()
    {
        using var site = new RefusingSite(factory.Database);
        var refusing = site.Refusing;
        var user = await site.CreateUserAsync(Unique("down") + "@test.local");
        var (id, slug) = await PublishAsync(site, "Read while the database is down", "Body");
        using var client = await site.CreateLoggedInClientAsync(user.Email!);
        await client.GetStringAsync($"/article/{slug}");
        await client.GetStringAsync($"/article/{slug}");
        var history = site.Services.GetRequiredService<ReadingHistory>();

        refusing.Refuse = 1;
        await Assert.ThrowsAsync<InvalidOperationException>(() => history.FlushAsync(site.Services, default));
        Assert.Equal(1, history.PendingCount);
        await client.GetStringAsync($"/article/{slug}");
        var page = await client.GetStringAsync("/me/history"); // flushes, the database up again

        var read = await site.WithDbAsync(db => db.ArticleReads.SingleAsync(r => r.UserId == user.Id && r.ArticleId == id));
        Assert.Equal(3, read.ReadCount);
        Assert.Contains("Read while the database is down", page);
        Assert.Contains("3 times", page);
        Assert.Equal(0, history.PendingCount);
    }

    [Fact]
    public async Task ReadsOfAReaderDeletedBeforeTheBatchAreLeftOut()
    {
        var gone = await factory.CreateUserAsync(Unique("gone") + "@test.local");
        var stays = await factory.CreateUserAsync(Unique("stay") + "@test.local");
        var (id, _) = await PublishAsync(factory, "Read just before leaving", "Body");
        var history = factory.Services.GetRequiredService<ReadingHistory>();
        history.Opened(gone.Id, id, DateTime.UtcNow);
        history.Opened(stays.Id, id, DateTime.UtcNow);
        await factory.WithDbAsync(db => db.Users.Where(u => u.Id == gone.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.DeletedAt, DateTime.UtcNow)));

        await history.FlushAsync(factory.Services, default);

        var readers = await factory.WithDbAsync(db => db.ArticleReads.Where(r => r.ArticleId == id).Select(r => r.UserId).ToListAsync());
        Assert.Equal([stays.Id], readers);
    }

    /// <summary>A site of its own whose database refuses reading-history writes when told to; only explicit flushes write.</summary>
    private sealed class RefusingSite(TestDatabase database) : NewsPushFactory(database)
    {
        public RefusingReads Refusing { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            Settings["Reader:HistoryFlushMilliseconds"] = "60000";
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(s =>
            {
                s.ConfigureDbContext<SqliteNewsPushDbContext>(o => o.AddInterceptors(Refusing));
                s.ConfigureDbContext<PostgreSqlNewsPushDbContext>(o => o.AddInterceptors(Refusing));
            });
        }
    }

    /// <summary>Refuses the statements that write reading history (the batch's upsert or update), as a database that is down would.</summary>
    private sealed class RefusingReads : DbCommandInterceptor
    {
        public int Refuse;

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            RefuseHistoryWrite(command);
            return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
        }

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            RefuseHistoryWrite(command);
            return base.NonQueryExecutingAsync(command, eventData, result, cancellationToken);
        }

        private void RefuseHistoryWrite(DbCommand command)
        {
            var text = command.CommandText;
            if ((text.Contains("INSERT INTO \"ArticleReads\"", StringComparison.Ordinal) || text.Contains("UPDATE \"ArticleReads\"", StringComparison.Ordinal))
                && Interlocked.Decrement(ref Refuse) >= 0)
            {
                throw new InvalidOperationException("The database is down (injected).");
            }
        }
    }
}

public sealed class SqliteReadingHistoryTests(SqliteFactory factory) : ReadingHistoryTests<SqliteFactory>(factory);

public sealed class PostgreSqlReadingHistoryTests(PostgreSqlFactory factory) : ReadingHistoryTests<PostgreSqlFactory>(factory);
