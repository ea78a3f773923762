using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using NewsPush.Data.Entities;
using NewsPush.Tests.Infrastructure;
using NewsPush.Web.Interactions;
using static NewsPush.Tests.Web.Reader.ReaderTestData;

namespace NewsPush.Tests.Web.Reader.Browser;

/// <summary>A reader's first visit in headless Chromium, and axe-core on the main pages.</summary>
public sealed partial class ReaderJourneyTests(BrowserHost<SqliteFactory> browser) : IClassFixture<BrowserHost<SqliteFactory>>
{
    [Fact]
    public async Task RegisterPickInterestsOpenCommentSearchAndLogOut()
    {
        var word = "journeyword" + Guid.NewGuid().ToString("N")[..6];
        var (_, slug) = await PublishAsync(browser.Factory, $"The {word} story", $"All about {word}.\n\nA second paragraph.");
        var email = Unique("journey") + "@test.local";
        await using var handle = await browser.NewPageAsync(timeZoneId: "America/Sao_Paulo");
        var page = handle.Page;
        var cspErrors = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") { cspErrors.Add(page.Url + " " + m.Text + " " + m.Location); } };

        // Register.
        await page.GotoAsync("/account/register");
        await page.GetByLabel("E-mail").FillAsync(email);
        await page.GetByLabel("Display name").FillAsync("Journey Reader");
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync("a quiet walk by the river");
        await page.GetByLabel("Repeat password").FillAsync("a quiet walk by the river");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        // The first registration of the run (password hashing, the account's transaction, first-use compilation) can
        // land while the suite starts its databases, peers and browsers on two cores: as long as the search below.
        await page.WaitForURLAsync("**/me/onboarding", new() { WaitUntil = WaitUntilState.Commit, Timeout = 30_000 });

        // Pick interests: the article's column and the first topic.
        var columnName = await browser.Factory.WithDbAsync(db => db.Articles.Where(a => a.Slug == slug).Select(a => a.Column!.Name).SingleAsync());
        await page.GetByRole(AriaRole.Group, new() { Name = "Columns" }).GetByLabel(columnName, new() { Exact = true }).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save my interests" }).ClickAsync();
        await page.WaitForURLAsync(browser.Url("/"), new() { WaitUntil = WaitUntilState.Commit, Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#for-you").Locator("..")).ToContainTextAsync("Because you follow " + columnName);
        // The front page reports what the reader saw (its timer flushes after 2 s): wait for it here, while the
        // reader is still signed in, rather than racing the flush against the next click.
        var user = await browser.Factory.WithDbAsync(db => db.Users.SingleAsync(u => u.Email == email));
        // Subscribed from the start, at 07:00 in the zone the browser reported.
        var prefs = await browser.Factory.WithDbAsync(db => db.ReaderPreferences.AsNoTracking().SingleAsync(p => p.UserId == user.Id));
        Assert.Equal(("America/Sao_Paulo", new TimeOnly(7, 0), true, true), (prefs.TimeZoneId, prefs.DigestLocalTime, prefs.InboxEnabled, prefs.EmailEnabled));
        Assert.True(await ImpressionsArriveAsync(user.Id), "the beacon script records impressions of front-page items");

        // Open the article from the front page and comment.
        await page.Locator($"a[href^='/article/{slug}']").First.ClickAsync();
        await page.WaitForURLAsync($"**/article/{slug}*", new() { WaitUntil = WaitUntilState.Commit });
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync($"The {word} story");
        await page.GetByLabel("Your comment").FillAsync("Great piece! <script>window.pwned = 1</script>");
        await page.GetByRole(AriaRole.Button, new() { Name = "Post comment" }).ClickAsync();
        await Assertions.Expect(page.Locator(".comment-body").First).ToContainTextAsync("Great piece!");
        Assert.Null(await page.EvaluateAsync<int?>("() => window.pwned ?? null"));

        // Search finds it (from the navigation bar).
        await page.GetByLabel("Search articles").FillAsync(word);
        await page.GetByLabel("Search articles").PressAsync("Enter");
        // The URL, not the load event: the page keeps a hub connection and beacons open.
        await Assertions.Expect(page).ToHaveURLAsync(SearchUrl(), new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator(".search-results")).ToContainTextAsync($"The {word} story");
        await Assertions.Expect(page.Locator(".search-results mark").First).ToHaveTextAsync(word);

        // Log out.
        await page.GetByRole(AriaRole.Button, new() { Name = "Log out" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Log in" })).ToBeVisibleAsync();

        Assert.True(!cspErrors.Any(e => e.Contains("Content Security Policy", StringComparison.Ordinal)), string.Join("\n", cspErrors));
        // Reads are written in batches off the request path: write what is pending before counting.
        await browser.Factory.Services.GetRequiredService<NewsPush.Web.Reader.ReadingHistory>().FlushAsync(browser.Factory.Services, default);
        var (follows, reads, comments) = await browser.Factory.WithDbAsync(async db => (
            await db.Follows.CountAsync(f => f.UserId == user.Id && f.IsDeclaredInterest),
            await db.ArticleReads.CountAsync(r => r.UserId == user.Id),
            await db.Comments.CountAsync(c => c.AuthorId == user.Id)));
        Assert.Equal(1, follows);
        Assert.Equal(1, reads);
        Assert.Equal(1, comments);
    }

    private async Task<bool> ImpressionsArriveAsync(string userId)
    {
        // The beacon is sent by the browser on its own schedule (timer or page hide); wait for it, bounded.
        for (var i = 0; i < 100; i++)
        {
            await browser.Factory.Services.GetRequiredService<InteractionRecorder>().FlushAsync(browser.Factory.Services, default);
            if (await browser.Factory.WithDbAsync(db => db.Interactions.AnyAsync(x => x.UserId == userId && x.Type == InteractionType.Impression)))
            {
                return true;
            }
            await Task.Delay(200);
        }
        return false;
    }

    [Theory]
    [InlineData("/")]
    [InlineData("article")]
    [InlineData("/search?q=market")]
    [InlineData("/search")]
    [InlineData("/account/register")]
    public async Task PagesHaveNoSeriousOrCriticalAccessibilityViolations(string path)
    {
        if (path == "article")
        {
            path = "/article/" + (await PublishAsync(browser.Factory, "Accessible article", "## A heading\n\nBody with a [link](https://example.com).", tags: ["a11y"])).Slug;
        }
        await using var handle = await browser.NewPageAsync(bypassCsp: true);
        await handle.Page.GotoAsync(path);

        var violations = await Axe.RunAsync(handle.Page);

        var serious = violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(serious.Count == 0, $"axe on {path}:\n" + string.Join("\n", serious));
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"/search\?q=")]
    private static partial System.Text.RegularExpressions.Regex SearchUrl();
}
