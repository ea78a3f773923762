using System.Net;
using Microsoft.EntityFrameworkCore;
using NewsPush.Data;
using NewsPush.Tests.Infrastructure;

namespace NewsPush.Tests.Web.Editor;

/// <summary>A newsroom in Shanghai: its editors schedule in their own zone and see their lists in it.</summary>
public sealed class ShanghaiNewsroomSqliteFactory : NewsPushFactory
{
    public ShanghaiNewsroomSqliteFactory() : base(TestDatabase.Sqlite) => Settings["Newsroom:TimeZone"] = "Asia/Shanghai";
}

public sealed class ShanghaiNewsroomPostgreSqlFactory : NewsPushFactory
{
    public ShanghaiNewsroomPostgreSqlFactory() : base(TestDatabase.PostgreSql) => Settings["Newsroom:TimeZone"] = "Asia/Shanghai";
}

public sealed class ArticleAddressAndZoneSqliteTests(ShanghaiNewsroomSqliteFactory factory)
    : ArticleAddressAndZoneTests(factory), IClassFixture<ShanghaiNewsroomSqliteFactory>;

public sealed class ArticleAddressAndZonePostgreSqlTests(ShanghaiNewsroomPostgreSqlFactory factory)
    : ArticleAddressAndZoneTests(factory), IClassFixture<ShanghaiNewsroomPostgreSqlFactory>;

/// <summary>
/// Editable article addresses (readable ones for Chinese titles, ADR-017), fixed once published, and scheduling in the
/// newsroom's zone.
/// </summary>
public abstract class ArticleAddressAndZoneTests(NewsPushFactory factory)
{
    private static Dictionary<string, string> Fields(string title, int columnId, string? slug = null, string body = "Body.") => new()
    {
        ["Form.Title"] = title, ["Form.Summary"] = "A summary.", ["Form.BodyMarkdown"] = body, ["Form.ColumnId"] = columnId.ToString(),
        ["Form.Tags"] = "", ["Form.Language"] = "zh", ["Form.Slug"] = slug ?? "", ["save"] = "1",
    };

    [Fact]
    public async Task AChineseTitleGetsAReadableAddressThatReadersRedirectsAndFeedsCanUse()
    {
        using var admin = await factory.CreateLoggedInClientAsync(NewsPushFactory.AdminEmail);
        var column = await factory.FirstVisibleColumnAsync();
        var title = "台风“海燕”登陆 " + Guid.NewGuid().ToString("N")[..6];
        var created = await admin.PostFormAsync("/editor/articles/new", Fields(title, column.Id));
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        var id = int.Parse(created.Headers.Location!.OriginalString.Split('/').Last());
        var slug = await factory.WithDbAsync(db => db.Articles.Where(a => a.Id == id).Select(a => a.Slug).SingleAsync());
        Assert.StartsWith("台风-海燕-登陆-", slug, StringComparison.Ordinal);

        await admin.TransitionAsync(id, "Submit");
        Assert.Equal(HttpStatusCode.Redirect, (await admin.TransitionAsync(id, "Publish")).StatusCode);
        var page = await admin.GetAsync(Slugs.ArticlePath(slug));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains(title.Replace("“", "&#x201C;", StringComparison.Ordinal).Split(' ')[0][..2], await page.Content.ReadAsStringAsync());

        // A form on the article answers with a redirect back to it: the Location header must be ASCII (percent-encoded).
        var bookmark = await admin.PostFormAsync(Slugs.ArticlePath(slug), new Dictionary<string, string>(), Slugs.ArticlePath(slug) + "/bookmark");
        Assert.Equal(HttpStatusCode.Redirect, bookmark.StatusCode);
        Assert.Equal(Slugs.ArticlePath(slug), bookmark.Headers.Location!.OriginalString);
        Assert.DoesNotContain("article-", slug, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnEditorChoosesTheAddressUntilPublishingAndATakenOneIsRefusedWithTheTextKept()
    {
        using var admin = await factory.CreateLoggedInClientAsync(NewsPushFactory.AdminEmail);
        var column = await factory.FirstVisibleColumnAsync();
        var wanted = "harbour-cranes-" + Guid.NewGuid().ToString("N")[..6];
        var first = await admin.PostFormAsync("/editor/articles/new", Fields("Harbour cranes", column.Id, "  Harbour Cranes " + wanted[15..] + " "));
        var id = int.Parse(first.Headers.Location!.OriginalString.Split('/').Last());
        Assert.Equal(wanted, await factory.WithDbAsync(db => db.Articles.Where(a => a.Id == id).Select(a => a.Slug).SingleAsync()));

        var taken = await admin.PostFormAsync("/editor/articles/new", Fields("Another story about cranes", column.Id, wanted, "Text that must not be lost."));
        Assert.Equal(HttpStatusCode.OK, taken.StatusCode);
        var html = await taken.Content.ReadAsStringAsync();
        Assert.Contains($"Another article already has the address /article/{wanted}", html);
        Assert.Contains("Text that must not be lost.", html);

        var renamed = await admin.PostFormAsync($"/editor/articles/{id}", Fields("Harbour cranes", column.Id, wanted + "-return"));
        Assert.Equal(HttpStatusCode.Redirect, renamed.StatusCode);
        Assert.Equal(wanted + "-return", await factory.WithDbAsync(db => db.Articles.Where(a => a.Id == id).Select(a => a.Slug).SingleAsync()));

        await admin.TransitionAsync(id, "Submit");
        Assert.Equal(HttpStatusCode.Redirect, (await admin.TransitionAsync(id, "Publish")).StatusCode);
        var refused = await admin.PostFormAsync($"/editor/articles/{id}", Fields("Harbour cranes", column.Id, "something-else"));
        Assert.Contains("The address of a published article stays as it is", await refused.Content.ReadAsStringAsync());
        Assert.Equal(wanted + "-return", await factory.WithDbAsync(db => db.Articles.Where(a => a.Id == id).Select(a => a.Slug).SingleAsync()));
        Assert.Contains("readonly", await admin.GetStringAsync($"/editor/articles/{id}"));
    }

    [Fact]
    public async Task SchedulingIsInTheNewsroomsZoneAndTheListShowsItThere()
    {
        using var admin = await factory.CreateLoggedInClientAsync(NewsPushFactory.AdminEmail);
        var column = await factory.FirstVisibleColumnAsync();
        var title = NewsroomTestExtensions.Unique("Zone story");
        var id = await admin.CreateArticleAsync(title, column.Id);

        await admin.TransitionAsync(id, "Submit");
        Assert.Contains("Publish at (newsroom time, Asia/Shanghai)", await admin.GetStringAsync($"/editor/articles/{id}"));
        Assert.Equal(HttpStatusCode.Redirect, (await admin.TransitionAsync(id, "Schedule", new DateTime(2031, 3, 2, 9, 30, 0))).StatusCode);

        var scheduled = await factory.WithDbAsync(db => db.Articles.Where(a => a.Id == id).Select(a => a.ScheduledAt).SingleAsync());
        Assert.Equal(new DateTime(2031, 3, 2, 1, 30, 0, DateTimeKind.Utc), scheduled);
        Assert.Contains("scheduled for 2031-03-02 09:30 Asia/Shanghai", await admin.GetStringAsync($"/editor/articles/{id}"));
        var list = await admin.GetStringAsync("/editor/articles?q=" + Uri.EscapeDataString(title));
        Assert.Contains("Scheduled / published (Asia/Shanghai)", list);
        Assert.Contains("2031-03-02 09:30", list);
    }
}
