using System.Net.Http.Json;
using Microsoft.Playwright;
using NewsPush.Tests.Infrastructure;

namespace NewsPush.Tests.Web.Devices;

/// <summary>
/// What a reader sees of their app installs on the preferences page, and the API reference page, in headless Chromium
/// with the site's real CSP. Screenshots at 1280 and 390 px go to TestResults/screenshots.
/// </summary>
public sealed class DevicePagesBrowserTests(BrowserHost<DeviceFactory> host) : IClassFixture<BrowserHost<DeviceFactory>>
{
    [Fact]
    public async Task AReaderTurnsOffDigestsForTheirPhoneAndSignsOutTheirTablet()
    {
        var (reader, app) = await host.Factory.ReaderWithAppAsync("dpb1", p => p.TimeZoneId = "Europe/Berlin");
        await app.PostAsJsonAsync("/api/devices", DeviceFactory.Android("berlin-phone", DeviceFactory.FcmToken(), "Europe/Berlin"));
        await app.PostAsJsonAsync("/api/devices", DeviceFactory.Ios("berlin-ipad", DeviceFactory.ApnsToken(), "Europe/Berlin"));
        await using var tab = await host.LoggedInPageAsync(reader.Email!, bypassCsp: true);
        var page = tab.Page;
        await page.SetViewportSizeAsync(1280, 900);
        await page.GotoAsync("/preferences#devices");

        var phone = page.Locator("[data-device-id='berlin-phone']");
        await Assertions.Expect(phone).ToContainTextAsync("Android app 3.1.0");
        await Assertions.Expect(page.Locator("[data-device-id]")).ToHaveCountAsync(2);
        await page.Locator("#devices").ScrollIntoViewIfNeededAsync();
        await Screenshots.SaveAsync(page, "preferences-devices-1280");
        var violations = await Axe.RunAsync(page);
        Assert.True(!violations.Any(v => v.Impact is "serious" or "critical"), string.Join("\n", violations));

        await phone.GetByLabel("Digests").UncheckAsync();
        await phone.GetByLabel("Only from").FillAsync("07:00");
        await phone.GetByLabel("until").FillAsync("22:00");
        await phone.GetByRole(AriaRole.Button, new() { Name = "Save Android app 3.1.0" }).ClickAsync();
        await Assertions.Expect(page.Locator("#devices [role=status]")).ToContainTextAsync("Saved for Android app 3.1.0.");
        var saved = (await host.Factory.DeviceAsync("berlin-phone"))!;
        Assert.False(saved.ReceivesDigests);
        Assert.Equal((new TimeOnly(7, 0), new TimeOnly(22, 0)), (saved.PushHoursStart!.Value, saved.PushHoursEnd!.Value));
        await Assertions.Expect(page.Locator("[data-device-id='berlin-phone']")).ToContainTextAsync("In Europe/Berlin.");

        // Signing out asks first; dismissing keeps the tablet.
        page.Dialog += async (_, dialog) => await dialog.DismissAsync();
        await page.Locator("[data-device-id='berlin-ipad']").GetByRole(AriaRole.Button, new() { Name = "Sign out iOS app 3.1.0" }).ClickAsync();
        Assert.NotNull((await host.Factory.DeviceAsync("berlin-ipad"))!.UserId);

        await page.SetViewportSizeAsync(390, 844);
        await page.Locator("#devices").ScrollIntoViewIfNeededAsync();
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways at 390 px");
        await Screenshots.SaveAsync(page, "preferences-devices-390");
    }

    [Fact]
    public async Task TheApiReferencePageRendersTheDocumentOfflineUnderTheSitesCsp()
    {
        await using var tab = await host.NewPageAsync();
        var page = tab.Page;
        var blocked = new List<string>();
        page.Console += (_, m) =>
        {
            if (m.Text.Contains("Content Security Policy", StringComparison.Ordinal))
            {
                blocked.Add(m.Text);
            }
        };
        await page.SetViewportSizeAsync(1280, 900);
        await page.GotoAsync("/api/docs/");
        await Assertions.Expect(page.GetByText("NewsPush API").First).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(page.GetByText("/api/devices").First).ToBeAttachedAsync(new() { Timeout = 30_000 });
        Assert.True(blocked.Count == 0, string.Join("\n", blocked));
        await Screenshots.SaveAsync(page, "api-docs-1280");
        await page.SetViewportSizeAsync(390, 844);
        await Screenshots.SaveAsync(page, "api-docs-390");
    }
}
