using System.Net;
using Microsoft.EntityFrameworkCore;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Tests.Infrastructure;

namespace NewsPush.Tests.Web.Editor;

/// <summary>Scheduled publishing runs as a Quartz job on the persistent store (clustered on PostgreSQL).</summary>
public abstract class ScheduledPublishingTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : NewsPushFactory
{
    [Fact]
    public async Task ArticleScheduledSecondsAheadAppearsOnTheSiteWithoutAnyRequestToPublishIt()
    {
        using var editor = await factory.CreateLoggedInClientAsync(NewsPushFactory.EditorEmail);
        var column = await factory.FirstVisibleColumnAsync();
        var title = NewsroomTestExtensions.Unique("Scheduled scoop");
        var id = await editor.CreateArticleAsync(title, column.Id);
        await editor.TransitionAsync(id, "Submit");
        var response = await editor.TransitionAsync(id, "Schedule", DateTime.UtcNow.AddSeconds(8));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(ArticleStatus.Scheduled, await factory.StatusOfAsync(id));
        var trigger = await factory.WithDbAsync(db => db.Database.SqlQueryRaw<int>(
            "SELECT COUNT(*) AS \"Value\" FROM QRTZ_TRIGGERS WHERE TRIGGER_NAME = {0}", $"article-{id}").SingleAsync());
        Assert.Equal(1, trigger);

        using var reader = factory.CreateClient();
        var deadline = DateTime.UtcNow.AddSeconds(45);
        var home = "";
        while (DateTime.UtcNow < deadline)
        {
            home = WebUtility.HtmlDecode(await reader.GetStringAsync("/"));
            if (home.Contains(title))
            {
                break;
            }
            await Task.Delay(500);
        }
        Assert.Contains(title, home);
        Assert.Equal(ArticleStatus.Published, await factory.StatusOfAsync(id));
        Assert.True(await factory.WithDbAsync(db => db.AuditLog.AnyAsync(e => e.EntityId == id.ToString() && e.Action == "article.published-on-schedule")));
    }

    [Fact]
    public async Task UnschedulingRemovesTheTrigger()
    {
        using var editor = await factory.CreateLoggedInClientAsync(NewsPushFactory.EditorEmail);
        var column = await factory.FirstVisibleColumnAsync();
        var id = await editor.CreateArticleAsync(NewsroomTestExtensions.Unique("Unscheduled"), column.Id);
        await editor.TransitionAsync(id, "Submit");
        await editor.TransitionAsync(id, "Schedule", DateTime.UtcNow.AddHours(3));
        await editor.TransitionAsync(id, "Unschedule");

        var triggers = await factory.WithDbAsync(db => db.Database.SqlQueryRaw<int>(
            "SELECT COUNT(*) AS \"Value\" FROM QRTZ_TRIGGERS WHERE TRIGGER_NAME = {0}", $"article-{id}").SingleAsync());
        Assert.Equal(0, triggers);
        Assert.Equal(ArticleStatus.InReview, await factory.StatusOfAsync(id));
    }
}

public sealed class SqliteScheduledPublishingTests(SqliteFactory factory) : ScheduledPublishingTests<SqliteFactory>(factory);

public sealed class PostgreSqlScheduledPublishingTests(PostgreSqlFactory factory) : ScheduledPublishingTests<PostgreSqlFactory>(factory);

/// <summary>A publish time that passes while the site is down is published at the next start, not lost.</summary>
public sealed class ScheduledPublishingRestartTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "newspush-tests", "restart-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
    }

    private SqliteFactory Start(string connectionString)
    {
        var factory = new SqliteFactory();
        factory.Settings["Database:ConnectionString"] = connectionString;
        _ = factory.Server;
        return factory;
    }

    [Fact]
    public async Task PublishesAtStartAnArticleWhoseTimePassedWhileStopped()
    {
        Directory.CreateDirectory(folder);
        var connectionString = $"Data Source={Path.Combine(folder, "site.db")}";
        var title = NewsroomTestExtensions.Unique("Missed while down");
        int id;
        using (var first = Start(connectionString))
        {
            using var editor = await first.CreateLoggedInClientAsync(NewsPushFactory.EditorEmail);
            var column = await first.FirstVisibleColumnAsync();
            id = await editor.CreateArticleAsync(title, column.Id);
            await editor.TransitionAsync(id, "Submit");
            await editor.TransitionAsync(id, "Schedule", DateTime.UtcNow.AddHours(1));
            Assert.Equal(ArticleStatus.Scheduled, await first.StatusOfAsync(id));
        }

        // While the site is down, the publish time passes.
        var options = new DbContextOptionsBuilder<SqliteNewsPushDbContext>().UseSqlite(connectionString).Options;
        await using (var db = new SqliteNewsPushDbContext(options))
        {
            var article = await db.Articles.SingleAsync(a => a.Id == id);
            article.ScheduledAt = DateTime.UtcNow.AddMinutes(-10);
            await db.SaveChangesAsync();
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

        using var second = Start(connectionString);
        Assert.Equal(ArticleStatus.Published, await second.StatusOfAsync(id));
        using var reader = second.CreateClient();
        Assert.Contains(title, WebUtility.HtmlDecode(await reader.GetStringAsync("/")));
    }
}
