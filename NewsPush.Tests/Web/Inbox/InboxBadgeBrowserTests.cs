using Microsoft.Playwright;
using NewsPush.Tests.Infrastructure;
using NewsPush.Tests.Web.Push;

namespace NewsPush.Tests.Web.Inbox;

/// <summary>A real browser on a real port: the unread badge follows the inbox live, without a reload.</summary>
public sealed class InboxBadgeBrowserTests(BrowserHost<PushSqliteFactory> host) : IClassFixture<BrowserHost<PushSqliteFactory>>
{
    [Fact]
    public async Task BadgeGoesUpWithoutReloadWhenADigestIsDeliveredToTheInbox()
    {
        var reader = await host.Factory.CreateReaderAsync("live", p => { p.TimeZoneId = "Europe/Lisbon"; p.DigestLocalTime = new TimeOnly(8, 0); p.EmailEnabled = false; });
        host.Factory.SetLocalTime("Europe/Lisbon", new DateTime(2026, 11, 21, 7, 50, 0));
        await using var tab = await host.LoggedInPageAsync(reader.Email!);
        var page = tab.Page;
        var errors = new List<string>();
        // The site has no favicon yet (not this feature's); any other console error fails the test.
        page.Console += (_, m) => { if (m.Type == "error" && !m.Location.Contains("favicon", StringComparison.Ordinal)) { errors.Add($"{m.Text} {m.Location}"); } };

        await page.GotoAsync("/");
        var badge = page.Locator("#inbox-badge");
        await Assertions.Expect(badge).ToHaveAttributeAsync("data-count", "0");
        await Assertions.Expect(badge).ToBeHiddenAsync();
        // The page is connected to the hub before anything is sent.
        await Assertions.Expect(page.Locator("html[data-inbox-live='true']")).ToHaveCountAsync(1);
        await page.EvaluateAsync("() => { window.__sameDocument = true; }");

        host.Factory.Clock.Advance(TimeSpan.FromMinutes(15));
        await host.Factory.RunAndDeliverAsync();

        await Assertions.Expect(badge).ToHaveTextAsync("1");
        await Assertions.Expect(badge).ToBeVisibleAsync();
        Assert.True(await page.EvaluateAsync<bool>("() => window.__sameDocument === true"), "the page was not reloaded");
        Assert.True(errors.Count == 0, string.Join(" | ", errors));

        // Reading the digest brings the badge back down on the next page.
        await page.ClickAsync("#inbox-link");
        await page.Locator("#inbox-list a").First.ClickAsync();
        await Assertions.Expect(page.Locator("ol.digest-items li").First).ToBeVisibleAsync();
        await Assertions.Expect(badge).ToHaveAttributeAsync("data-count", "0");
    }
}
