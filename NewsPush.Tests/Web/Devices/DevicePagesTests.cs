using System.Net;
using System.Net.Http.Json;
using NewsPush.Tests.Infrastructure;

namespace NewsPush.Tests.Web.Devices;

/// <summary>"Your phones and tablets" on the preferences page: what the reader sees and the forms that change a device.</summary>
public sealed class DevicePagesTests(DeviceFactory factory) : IClassFixture<DeviceFactory>
{
    [Fact]
    public async Task WithoutADeviceThePageSaysHowToAddOne()
    {
        var reader = await factory.CreateReaderAsync("dpg1");
        using var site = await factory.CreateLoggedInClientAsync(reader.Email!);
        var html = await site.GetStringAsync("/preferences");
        Assert.Contains("Your phones and tablets", html);
        Assert.Contains("No phone or tablet yet. Sign in to the NewsPush app", html);
    }

    [Fact]
    public async Task TheReaderSeesTheirDeviceInTheirOwnZoneChangesItAndSignsItOut()
    {
        var (reader, app) = await factory.ReaderWithAppAsync("dpg2", p => p.TimeZoneId = "Asia/Shanghai");
        var token = DeviceFactory.FcmToken();
        await app.PostAsJsonAsync("/api/devices", DeviceFactory.Android("page-phone", token, "Asia/Shanghai"));
        using var site = await factory.CreateLoggedInClientAsync(reader.Email!);

        var html = WebUtility.HtmlDecode(await site.GetStringAsync("/preferences"));
        Assert.Contains("Android app 3.1.0", html);
        Assert.Contains("…" + token[^6..], html);
        Assert.DoesNotContain(token, html, StringComparison.Ordinal);
        // 2026-11-20 12:00 UTC is 20:00 in Shanghai.
        Assert.Contains("Signed in 2026-11-20 20:00", html);

        var saved = await site.PostFormAsync("/preferences", new Dictionary<string, string>
        {
            ["PushEnabled"] = "true", ["Breaking"] = "true", ["PushHoursStart"] = "08:00", ["PushHoursEnd"] = "21:30",
        }, "/preferences/devices/page-phone");
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        Assert.Equal("/preferences#devices", saved.Headers.Location?.OriginalString);
        var device = (await factory.DeviceAsync("page-phone"))!;
        Assert.Equal((true, false, true, new TimeOnly(8, 0), new TimeOnly(21, 30)),
            (device.PushEnabled, device.ReceivesDigests, device.ReceivesBreaking, device.PushHoursStart, device.PushHoursEnd));
        var after = WebUtility.HtmlDecode(await site.GetStringAsync("/preferences"));
        Assert.Contains("Saved for Android app 3.1.0.", after);
        Assert.Contains("value=\"21:30\"", after);

        var bad = await site.PostFormAsync("/preferences", new Dictionary<string, string> { ["PushEnabled"] = "true", ["PushHoursStart"] = "08:00" },
            "/preferences/devices/page-phone");
        Assert.Equal(HttpStatusCode.Redirect, bad.StatusCode);
        Assert.Contains("Give the end of the push hours", WebUtility.HtmlDecode(await site.GetStringAsync("/preferences")));

        Assert.Contains("data-confirm=\"Sign out Android app 3.1.0?", after);
        var removed = await site.PostFormAsync("/preferences", null, "/preferences/devices/page-phone/remove");
        Assert.Equal(HttpStatusCode.Redirect, removed.StatusCode);
        Assert.Null((await factory.DeviceAsync("page-phone"))!.UserId);
        var gone = WebUtility.HtmlDecode(await site.GetStringAsync("/preferences"));
        Assert.Contains("is signed out", gone);
        Assert.Contains("No phone or tablet yet", gone);
    }

    [Fact]
    public async Task AnotherReadersDeviceCannotBeChangedOrSignedOutFromThePage()
    {
        var (_, owner) = await factory.ReaderWithAppAsync("dpg3a");
        await owner.PostAsJsonAsync("/api/devices", DeviceFactory.Android("not-yours", DeviceFactory.FcmToken()));
        var other = await factory.CreateReaderAsync("dpg3b");
        using var site = await factory.CreateLoggedInClientAsync(other.Email!);
        Assert.Equal(HttpStatusCode.NotFound, (await site.PostFormAsync("/preferences", new Dictionary<string, string> { ["PushEnabled"] = "false" }, "/preferences/devices/not-yours")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await site.PostFormAsync("/preferences", null, "/preferences/devices/not-yours/remove")).StatusCode);
        var device = (await factory.DeviceAsync("not-yours"))!;
        Assert.NotNull(device.UserId);
        Assert.True(device.PushEnabled);
    }
}
