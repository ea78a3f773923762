using System.Net;
using SqliteConnection = Microsoft.Data.Sqlite.SqliteConnection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Tests.Infrastructure;
using NewsPush.Tests.Web.Editor;
using NewsPush.Web.Newsroom;
using Quartz;

namespace NewsPush.Tests.Jobs;

/// <summary>The scheduler runs on the persistent store in the site's database; clustered on PostgreSQL.</summary>
public abstract class QuartzStoreTests<TFactory>(TFactory factory, bool clustered) : IClassFixture<TFactory> where TFactory : NewsPushFactory
{
    [Fact]
    public async Task SchedulerUsesThePersistentStoreOfTheSiteDatabase()
    {
        _ = factory.Server;
        var scheduler = await factory.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        // The hosted service starts the scheduler once the application has started, not within Server's start-up.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        var metadata = await scheduler.GetMetadata();
        while (metadata.RunningSince is null && waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(50);
            metadata = await scheduler.GetMetadata();
        }
        Assert.True(metadata.JobStorePersistent);
        Assert.Equal(clustered, metadata.JobStoreClustered);
        Assert.Equal("NewsPush", metadata.SchedulerName);
        Assert.NotNull(metadata.RunningSince);

        var jobs = await factory.WithDbAsync(db => db.Database.SqlQueryRaw<int>(
            "SELECT COUNT(*) AS \"Value\" FROM QRTZ_JOB_DETAILS WHERE JOB_NAME = {0} AND JOB_GROUP = {1}",
            PublishingService.JobKey.Name, PublishingService.JobKey.Group).SingleAsync());
        Assert.Equal(1, jobs);
    }
}

public sealed class SqliteQuartzStoreTests(SqliteFactory factory) : QuartzStoreTests<SqliteFactory>(factory, clustered: false);

public sealed class PostgreSqlQuartzStoreTests(PostgreSqlFactory factory) : QuartzStoreTests<PostgreSqlFactory>(factory, clustered: true);

/// <summary>Quartz's misfire handling alone (start-up catch-up off) publishes a trigger missed while down.</summary>
public sealed class QuartzMisfireTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "newspush-tests", "misfire-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task MissedPublishTriggerFiresAtNextStartWithoutCatchUp()
    {
        Directory.CreateDirectory(folder);
        var connectionString = $"Data Source={Path.Combine(folder, "site.db")}";
        var title = NewsroomTestExtensions.Unique("Misfired");
        int id;
        using (var first = new SqliteFactory())
        {
            first.Settings["Database:ConnectionString"] = connectionString;
            first.Settings["Publishing:CatchUpOnStart"] = "false";
            using var editor = await first.CreateLoggedInClientAsync(NewsPushFactory.EditorEmail);
            var column = await first.FirstVisibleColumnAsync();
            id = await editor.CreateArticleAsync(title, column.Id);
            await editor.TransitionAsync(id, "Submit");
            await editor.TransitionAsync(id, "Schedule", DateTime.UtcNow.AddHours(1));
        }

        // Down for a while: both the article's time and its trigger's next fire time are now in the past.
        var past = DateTimeOffset.UtcNow.AddMinutes(-10);
        await using (var db = new SqliteNewsPushDbContext(new DbContextOptionsBuilder<SqliteNewsPushDbContext>().UseSqlite(connectionString).Options))
        {
            await db.Articles.Where(a => a.Id == id).ExecuteUpdateAsync(s => s.SetProperty(a => a.ScheduledAt, past.UtcDateTime));
            var updated = await db.Database.ExecuteSqlRawAsync(
                "UPDATE QRTZ_TRIGGERS SET NEXT_FIRE_TIME = {0}, START_TIME = {0} WHERE TRIGGER_NAME = {1}", past.UtcTicks, $"article-{id}");
            Assert.Equal(1, updated);
        }
        SqliteConnection.ClearAllPools();

        using var second = new SqliteFactory();
        second.Settings["Database:ConnectionString"] = connectionString;
        second.Settings["Publishing:CatchUpOnStart"] = "false";
        using var reader = second.CreateClient();
        var deadline = DateTime.UtcNow.AddSeconds(45);
        while (DateTime.UtcNow < deadline && await second.StatusOfAsync(id) != ArticleStatus.Published)
        {
            await Task.Delay(250);
        }
        Assert.Equal(ArticleStatus.Published, await second.StatusOfAsync(id));
        Assert.Contains(title, WebUtility.HtmlDecode(await reader.GetStringAsync("/")));
    }
}
