using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using NewsPush.Data.Entities;
using NewsPush.Tests.Infrastructure;
using NewsPush.Tests.Web.Media;

namespace NewsPush.Tests.Web.Reader;

/// <summary>
/// The front page, an article and an author page in Chromium at 1280 and 390 px: no sideways scrolling, no serious or
/// critical axe-core finding, every picture has alt text and loads. (The README's screenshots are
/// made by <see cref="NewsPush.Tests.Web.DocsScreenshotTests"/>.)
/// </summary>
public sealed class FrontPageBrowserTests(BrowserHost<PicturesSqliteFactory> host) : IClassFixture<BrowserHost<PicturesSqliteFactory>>
{
    [Fact]
    public async Task FrontPageArticleAndAuthorPageFitBothWidthsPassAxeAndTheirPicturesLoad()
    {
        await host.Factory.ReadyAsync();
        var (slug, authorId) = await host.Factory.WithDbAsync(async db => await db.Articles
            .Where(a => a.Status == ArticleStatus.Published && a.FeatureImageId != null && a.AuthorId != null && a.Language == "en")
            .OrderByDescending(a => a.PublishedAt).Select(a => new ValueTuple<string, string>(a.Slug, a.AuthorId!)).FirstAsync());
        await using var tab = await host.NewPageAsync(bypassCsp: true);
        var page = tab.Page;
        foreach (var (path, name) in new[] { ("/", "front-page"), ($"/article/{slug}", "article"), ($"/authors/{authorId}", "author") })
        {
            foreach (var width in new[] { 1280, 390 })
            {
                await page.SetViewportSizeAsync(width, 900);
                await page.GotoAsync(path);
                var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
                Assert.True(overflow <= 0, $"{path} at {width} px scrolls sideways by {overflow} px");

                var broken = await page.EvaluateAsync<string[]>("""
                    async () => {
                      const images = [...document.images];
                      images.forEach(i => { i.loading = 'eager'; });
                      await Promise.all(images.map(i => i.complete ? null : new Promise(r => { i.onload = i.onerror = r; })));
                      return images.filter(i => !i.getAttribute('alt') || !i.alt.trim() || i.naturalWidth === 0).map(i => i.currentSrc || i.src);
                    }
                    """);
                Assert.True(broken.Length == 0, $"{path} at {width} px: pictures without alt text or that did not load: {string.Join(", ", broken)}");
                Assert.True(await page.Locator("img").CountAsync() > 0, $"{path} shows no picture");

                var violations = await Axe.RunAsync(page);
                Assert.True(!violations.Any(v => v.Impact is "serious" or "critical"), $"{path} at {width}:\n" + string.Join("\n", violations));
            }
        }
    }

    [Fact]
    public async Task TheFrontPageShowsALeadStoryWithABylineAndRelativeTimes()
    {
        await host.Factory.ReadyAsync();
        await using var tab = await host.NewPageAsync();
        var page = tab.Page;
        await page.SetViewportSizeAsync(1280, 900);
        await page.GotoAsync("/");

        var lead = page.Locator(".news-card-lead");
        await Assertions.Expect(lead.Locator("img")).ToHaveAttributeAsync("loading", "eager");
        await Assertions.Expect(lead.Locator("a[href^='/authors/']")).ToHaveTextAsync("Desk Editor");
        var time = lead.Locator("time");
        await Assertions.Expect(time).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^(just now|\d+ min ago|\d+ h ago|yesterday \d\d:\d\d|\d+ days ago|\d+ \w{3}( \d{4})?)$"));
        await Assertions.Expect(time).ToHaveAttributeAsync("title", new System.Text.RegularExpressions.Regex(@"^\d{4}-\d\d-\d\d \d\d:\d\d UTC$"));
        Assert.True(await page.Locator(".column-section").CountAsync() >= 3);
        Assert.True(await page.Locator(".card-grid img[loading=lazy]").CountAsync() > 0);

        await page.Locator(".news-card-lead a[href^='/authors/']").ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Desk Editor");
        await Assertions.Expect(page.Locator(".news-card").First).ToBeVisibleAsync();
    }

    [Fact]
    public async Task ArticlePagesCarrySharingCardsACanonicalUrlAndShareLinks()
    {
        await host.Factory.ReadyAsync();
        var slug = await host.Factory.WithDbAsync(db => db.Articles.Where(a => a.Status == ArticleStatus.Published && a.FeatureImageId != null)
            .OrderByDescending(a => a.PublishedAt).Select(a => a.Slug).FirstAsync());
        await using var tab = await host.NewPageAsync();
        var page = tab.Page;
        await page.GotoAsync($"/article/{slug}");

        await Assertions.Expect(page.Locator("link[rel=canonical]")).ToHaveAttributeAsync("href", $"http://localhost/article/{slug}");
        var card = page.Locator("meta[property='og:image']");
        await Assertions.Expect(card).ToHaveAttributeAsync("content", new System.Text.RegularExpressions.Regex(@"^http://localhost/media/[0-9a-f]{32}/\d+\.jpg$"));
        var served = await page.APIRequest.GetAsync(new Uri((await card.GetAttributeAsync("content"))!).AbsolutePath);
        Assert.Equal(200, served.Status);
        Assert.Equal("image/jpeg", served.Headers["content-type"]);
        await Assertions.Expect(page.Locator("meta[name='twitter:card']")).ToHaveAttributeAsync("content", "summary_large_image");
        await Assertions.Expect(page.Locator("nav[aria-label='Share this article'] a")).ToHaveCountAsync(6);
        Assert.Equal(0, await page.Locator("script[src^='http']").CountAsync());
    }

    [Fact]
    public async Task DarkModeFollowsTheSystemSetting()
    {
        await host.Factory.ReadyAsync();
        await using var tab = await host.NewPageAsync();
        await tab.Page.EmulateMediaAsync(new PageEmulateMediaOptions { ColorScheme = ColorScheme.Dark });
        await tab.Page.GotoAsync("/");
        await Assertions.Expect(tab.Page.Locator("html")).ToHaveAttributeAsync("data-bs-theme", "dark");
        var background = await tab.Page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor");
        Assert.NotEqual("rgb(255, 255, 255)", background);
    }
}
