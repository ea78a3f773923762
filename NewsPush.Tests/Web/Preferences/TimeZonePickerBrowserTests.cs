using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using NewsPush.Tests.Infrastructure;
using NewsPush.Tests.Web.Push;

namespace NewsPush.Tests.Web.Preferences;

/// <summary>The time-zone box searches by name or offset and offers the zone the browser reports.</summary>
public sealed class TimeZonePickerBrowserTests(BrowserHost<PushSqliteFactory> host) : IClassFixture<BrowserHost<PushSqliteFactory>>
{
    [Fact]
    public async Task TheBrowsersZoneIsOfferedAndOneClickChoosesIt()
    {
        var reader = await host.Factory.CreateReaderAsync("tzpick", p => p.TimeZoneId = "UTC");
        await using var tab = await host.LoggedInPageAsync(reader.Email!, timeZoneId: "Asia/Tokyo");
        var page = tab.Page;
        await page.GotoAsync("/preferences");

        var zone = page.GetByLabel("Time zone", new() { Exact = false }).First;
        await Assertions.Expect(zone).ToHaveValueAsync("UTC");
        // Each suggestion carries its offset, so "+09:00" finds Tokyo as well as the name does.
        Assert.Equal("UTC+09:00", await page.Locator("#time-zones option[value='Asia/Tokyo']").TextContentAsync());

        var offer = page.GetByRole(AriaRole.Button, new() { Name = "Use this browser’s zone: Asia/Tokyo" });
        await Assertions.Expect(offer).ToBeVisibleAsync();
        await offer.ClickAsync();
        await Assertions.Expect(zone).ToHaveValueAsync("Asia/Tokyo");
        await Assertions.Expect(offer).ToBeHiddenAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("[role=status].alert")).ToContainTextAsync("saved");
        Assert.Equal("Asia/Tokyo", await host.Factory.WithDbAsync(db => db.ReaderPreferences.Where(p => p.UserId == reader.Id).Select(p => p.TimeZoneId).SingleAsync()));

        // Once chosen, the offer stays out of the way.
        await page.GotoAsync("/preferences");
        await Assertions.Expect(zone).ToHaveValueAsync("Asia/Tokyo");
        await Assertions.Expect(offer).ToBeHiddenAsync();
        await Screenshots.SaveAsync(page, "preferences-time-zone-1280");
    }
}
