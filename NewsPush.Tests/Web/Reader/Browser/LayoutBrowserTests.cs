using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using NewsPush.Data.Entities;
using NewsPush.Tests.Infrastructure;
using static NewsPush.Tests.Web.Reader.ReaderTestData;

namespace NewsPush.Tests.Web.Reader.Browser;

/// <summary>
/// The page fits its window: no sideways scrolling at 1280 and 390 px, signed in with a long e-mail address, with a
/// long unbroken word in a comment, on the pages with tables. Screenshots go to TestResults/screenshots.
/// </summary>
public sealed class LayoutBrowserTests(BrowserHost<SqliteFactory> host) : IClassFixture<BrowserHost<SqliteFactory>>
{
    private static Task<int> OverflowAsync(IPage page) => page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");

    [Theory]
    [InlineData(Roles.Reader)]
    [InlineData(Roles.Admin)]
    public async Task TheNavigationBarFitsWithALongEmailAddressAt1280And390(string role)
    {
        var email = Unique("a-rather-long-reader-name") + "@subscribers.example-newspaper.com";
        await host.Factory.CreateUserAsync(email, role);
        await using var tab = await host.LoggedInPageAsync(email);
        var page = tab.Page;
        foreach (var width in new[] { 1280, 390 })
        {
            await page.SetViewportSizeAsync(width, 900);
            await page.GotoAsync("/");
            var overflow = await OverflowAsync(page);
            Assert.True(overflow <= 0, $"{role} at {width} px: the page scrolls sideways by {overflow} px");
            await Screenshots.SaveAsync(page, $"nav-{role.ToLowerInvariant()}-{width}");
            if (width == 1280)
            {
                var search = await page.GetByLabel("Search articles").BoundingBoxAsync();
                Assert.True(search is { Width: >= 120 }, $"the search box is {search?.Width} px wide");
                var logOut = page.GetByRole(AriaRole.Button, new() { Name = "Log out" });
                await Assertions.Expect(logOut).ToBeVisibleAsync();
                var box = await logOut.BoundingBoxAsync();
                Assert.True(box is not null && box.X >= 0 && box.X + box.Width <= width, $"Log out is at {box?.X}+{box?.Width}");
                Assert.True(box!.Y + box.Height <= 120, $"Log out wraps to y={box.Y}");
            }
        }
    }

    [Fact]
    public async Task ALongUnbrokenWordInACommentDoesNotWidenTheArticlePage()
    {
        var (articleId, slug) = await PublishAsync(host.Factory, "Long word target", "Body.");
        var user = await host.Factory.CreateUserAsync(Unique("longword") + "@test.local");
        await host.Factory.WithDbAsync(async db =>
        {
            db.Comments.Add(new Comment { ArticleId = articleId, AuthorId = user.Id, Body = new string('w', 4000), BodyHtml = "<p>" + new string('w', 4000) + "</p>", CreatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        });
        await using var tab = await host.NewPageAsync();
        foreach (var width in new[] { 1280, 390 })
        {
            await tab.Page.SetViewportSizeAsync(width, 900);
            await tab.Page.GotoAsync($"/article/{slug}");
            var overflow = await OverflowAsync(tab.Page);
            Assert.True(overflow <= 0, $"at {width} px the article page scrolls sideways by {overflow} px");
            await Screenshots.SaveAsync(tab.Page, $"article-long-comment-{width}");
        }
    }

    [Fact]
    public async Task AnEmptyCommentShowsTheArticleAgainWithTheMessageInTheReadersZone()
    {
        var (articleId, slug) = await PublishAsync(host.Factory, "Comment form target", "Body.", publishedAt: new DateTime(2025, 6, 2, 12, 0, 0, DateTimeKind.Utc));
        var email = Unique("form") + "@test.local";
        var user = await host.Factory.CreateUserAsync(email);
        await host.Factory.WithDbAsync(async db =>
        {
            if (!await db.ReaderPreferences.AnyAsync(p => p.UserId == user.Id))
            {
                db.ReaderPreferences.Add(ReaderPreferences.ForNewReader(user.Id, "Asia/Shanghai", DateTime.UtcNow));
            }
            db.Comments.Add(new Comment { ArticleId = articleId, AuthorId = user.Id, Body = "First", BodyHtml = "<p>First</p>", CreatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        });
        await using var tab = await host.LoggedInPageAsync(email, bypassCsp: true);
        var page = tab.Page;
        await page.GotoAsync($"/article/{slug}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Post comment" }).ClickAsync();

        await Assertions.Expect(page.Locator("#comments [role=alert]")).ToContainTextAsync("Write something before posting.");
        await Assertions.Expect(page.Locator("article time").First).ToHaveTextAsync("2025-06-02 20:00 Asia/Shanghai");
        foreach (var width in new[] { 1280, 390 })
        {
            await page.SetViewportSizeAsync(width, 900);
            Assert.True(await OverflowAsync(page) <= 0, $"at {width} px the page scrolls sideways");
            await Screenshots.SaveAsync(page, $"article-comment-error-{width}");
        }
        var violations = await Axe.RunAsync(page);
        Assert.True(!violations.Any(v => v.Impact is "serious" or "critical"), string.Join("\n", violations));
    }

    [Theory]
    [InlineData("/for-you", Roles.Reader)]
    [InlineData("/admin/users", Roles.Admin)]
    public async Task TablePagesFitA390PixelPhoneAndPassAxe(string path, string role)
    {
        var email = Unique("tables") + "@test.local";
        await host.Factory.CreateUserAsync(email, role);
        await using var tab = await host.LoggedInPageAsync(email, bypassCsp: true);
        var name = path.Trim('/').Replace('/', '-');
        foreach (var width in new[] { 1280, 390 })
        {
            await tab.Page.SetViewportSizeAsync(width, 900);
            await tab.Page.GotoAsync(path);
            var overflow = await OverflowAsync(tab.Page);
            Assert.True(overflow <= 0, $"{path} at {width} px scrolls sideways by {overflow} px");
            await Screenshots.SaveAsync(tab.Page, $"{name}-{width}");
            var violations = await Axe.RunAsync(tab.Page);
            Assert.True(!violations.Any(v => v.Impact is "serious" or "critical"), $"{path} at {width}:\n" + string.Join("\n", violations));
        }
    }
}
