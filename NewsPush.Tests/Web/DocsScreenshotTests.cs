using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using NewsPush.Data.Entities;
using NewsPush.Tests.Infrastructure;
using NewsPush.Tests.Web.Media;

namespace NewsPush.Tests.Web;

/// <summary>
/// The pages the README shows, on the seeded demo site with its pictures, as a reader, an editor and an admin see
/// them: each must show its main content; the first screen of each is saved to TestResults/screenshots/docs-*.png
/// (copied by hand into docs/screenshots when the look changes).
/// </summary>
public sealed class DocsScreenshotTests(BrowserHost<PicturesSqliteFactory> host) : IClassFixture<BrowserHost<PicturesSqliteFactory>>
{
    private const string Reader = "reader1@newspush.local";

    [Fact]
    public async Task TheReadersPages()
    {
        await host.Factory.ReadyAsync();
        var (_, slug) = await NewestPicturedArticleAsync();
        // Two messages in the reader's inbox, one read, as a morning's digest and an announcement leave them.
        await host.Factory.WithDbAsync(async db =>
        {
            var user = await db.Users.SingleAsync(u => u.Email == Reader);
            var titles = await db.Articles.Where(a => a.Status == ArticleStatus.Published).OrderByDescending(a => a.PublishedAt).Select(a => a.Title).Take(3).ToListAsync();
            var now = DateTime.UtcNow;
            db.InboxMessages.AddRange(
                new InboxMessage { UserId = user.Id, Kind = InboxMessageKind.Digest, Title = "Your daily digest: 3 stories", Body = string.Join("\n", titles.Select(t => "• " + t)), Link = "/for-you", CreatedAt = now.AddHours(-2) },
                new InboxMessage { UserId = user.Id, Kind = InboxMessageKind.System, Title = "New: follow your favourite writers", Body = "Open an author's page and choose Follow.", CreatedAt = now.AddDays(-1), ReadAt = now.AddHours(-20) });
            await db.SaveChangesAsync();
            // And a breaking push's inbox part, as the newsroom sent it an hour ago.
            var story = await db.Articles.Where(a => a.Status == ArticleStatus.Published).OrderByDescending(a => a.PublishedAt).FirstAsync();
            var push = new PushCampaign { ArticleId = story.Id, Title = "Breaking: " + story.Title, Message = story.Summary, Status = CampaignStatus.Sent, CreatedAt = now.AddHours(-1), SentAt = now.AddHours(-1), UpdatedAt = now.AddHours(-1) };
            db.PushCampaigns.Add(push);
            await db.SaveChangesAsync();
            db.Broadcasts.Add(new Broadcast { CampaignId = push.Id, Title = push.Title, Body = push.Message, Link = "/article/" + story.Slug, CreatedAt = now.AddHours(-1), ExpiresAt = now.AddDays(3), AudienceCount = 1 });
            await db.SaveChangesAsync();
        });
        await using var tab = await host.LoggedInPageAsync(Reader, NewsPushFactory.Password);
        var page = tab.Page;

        await ShootAsync(page, "/", 1280, "front-page", page.Locator("main article").First);
        await ShootAsync(page, "/article/" + Uri.EscapeDataString(slug), 390, "article", page.Locator("main h1").First);
        await ShootAsync(page, "/for-you", 1280, "for-you", page.GetByRole(AriaRole.Heading, new() { Name = "For you" }));
        await ShootAsync(page, "/for-you", 390, "for-you", page.GetByRole(AriaRole.Heading, new() { Name = "For you" }));
        await ShootAsync(page, "/inbox", 390, "inbox", page.GetByRole(AriaRole.Heading, new() { Name = "Inbox" }));
        await ShootAsync(page, "/inbox", 1280, "inbox", page.GetByRole(AriaRole.Heading, new() { Name = "Inbox" }));
        await Assertions.Expect(page.Locator("#inbox-list .badge", new() { HasText = "breaking" })).ToBeVisibleAsync();
        await ShootAsync(page, "/preferences", 1280, "preferences", page.GetByLabel("Time zone", new() { Exact = true }));
    }

    [Fact]
    public async Task TheNewsroomsPages()
    {
        await host.Factory.ReadyAsync();
        var (id, _) = await NewestPicturedArticleAsync();
        await using (var editor = await host.LoggedInPageAsync(NewsPushFactory.EditorEmail))
        {
            await ShootAsync(editor.Page, $"/editor/articles/{id}", 1280, "editor", editor.Page.Locator("#live-preview h1, #live-preview p").First);
        }
        await using var admin = await host.LoggedInPageAsync(NewsPushFactory.AdminEmail);
        await ShootAsync(admin.Page, "/admin", 1280, "admin-menu", admin.Page.GetByRole(AriaRole.Link, new() { Name = "Recommender models" }).Last);
        await ShootAsync(admin.Page, "/admin", 390, "admin-menu", admin.Page.GetByRole(AriaRole.Link, new() { Name = "Recommender models" }).Last);
    }

    /// <summary>The newest published article with a feature image: the one the shots show.</summary>
    private Task<(int Id, string Slug)> NewestPicturedArticleAsync() =>
        host.Factory.WithDbAsync(async db => await db.Articles.Where(a => a.Status == ArticleStatus.Published && a.FeatureImageId != null)
            .OrderByDescending(a => a.PublishedAt).Select(a => new ValueTuple<int, string>(a.Id, a.Slug)).FirstAsync());

    private static async Task ShootAsync(IPage page, string url, int width, string name, ILocator mainContent)
    {
        await page.SetViewportSizeAsync(width, width >= 1000 ? 800 : 844);
        var response = await page.GotoAsync(url);
        Assert.True(response?.Ok, $"{url} answered {response?.Status}");
        await Assertions.Expect(mainContent).ToBeVisibleAsync();
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), $"{url} scrolls sideways at {width} px");
        await page.EvaluateAsync("() => document.fonts.ready");
        await Screenshots.SaveViewportAsync(page, $"docs-{name}-{width}");
    }
}
