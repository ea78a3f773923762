using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using NewsPush.Data.Entities;
using NewsPush.Tests.Infrastructure;

namespace NewsPush.Tests.Web.Devices;

/// <summary>The devices API of PRODUCT.md as an app calls it (bearer token), and as the preferences page does (cookie + antiforgery).</summary>
public abstract class DeviceApiTests<TFactory>(TFactory factory) where TFactory : DeviceFactory
{
    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task<List<JsonElement>> ListAsync(HttpClient app) =>
        (await app.GetFromJsonAsync<JsonElement>("/api/devices")).GetProperty("items").EnumerateArray().ToList();

    [Fact]
    public async Task TheFirstAppLocaleGivesAReaderWithoutALanguageTheirsButNeverOverridesAChosenOne()
    {
        var (unset, app) = await factory.ReaderWithAppAsync("devlang");
        Assert.Equal(HttpStatusCode.Created, (await app.PostAsJsonAsync("/api/devices", new { deviceId = "lang-1", platform = "android", token = DeviceFactory.FcmToken(), locale = "zh-Hans-CN" })).StatusCode);
        Assert.Equal("zh", await factory.WithDbAsync(db => db.ReaderPreferences.Where(p => p.UserId == unset.Id).Select(p => p.Language).SingleAsync()));

        var (chosen, app2) = await factory.ReaderWithAppAsync("devlang2", p => p.Language = "en");
        Assert.Equal(HttpStatusCode.Created, (await app2.PostAsJsonAsync("/api/devices", new { deviceId = "lang-2", platform = "android", token = DeviceFactory.FcmToken(), locale = "zh-CN" })).StatusCode);
        Assert.Equal("en", await factory.WithDbAsync(db => db.ReaderPreferences.Where(p => p.UserId == chosen.Id).Select(p => p.Language).SingleAsync()));
    }

    [Fact]
    public async Task RegisteringIsIdempotentPerDeviceIdAndTheListNeverShowsTheToken()
    {
        var (_, app) = await factory.ReaderWithAppAsync("dev1");
        var token = DeviceFactory.FcmToken();
        var first = await app.PostAsJsonAsync("/api/devices", DeviceFactory.Android("install-1", token));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal("/api/devices/install-1", first.Headers.Location?.OriginalString);

        var again = await app.PostAsJsonAsync("/api/devices", new { deviceId = "install-1", platform = "android", token, appVersion = "3.2.0", locale = "en-GB", timeZone = "Europe/London" });
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);

        var device = Assert.Single(await ListAsync(app));
        Assert.Equal("install-1", device.GetProperty("deviceId").GetString());
        Assert.Equal("android", device.GetProperty("platform").GetString());
        Assert.Equal("3.2.0", device.GetProperty("appVersion").GetString());
        Assert.Equal("Europe/London", device.GetProperty("timeZone").GetString());
        Assert.True(device.GetProperty("pushEnabled").GetBoolean());
        Assert.Equal(0, device.GetProperty("badge").GetInt32());
        Assert.Equal("…" + token[^6..], device.GetProperty("tokenHint").GetString());
        Assert.DoesNotContain(token, await app.GetStringAsync("/api/devices"), StringComparison.Ordinal);
        Assert.Equal(1, await factory.WithDbAsync(db => db.Devices.CountAsync(d => d.DeviceId == "install-1")));
    }

    [Fact]
    public async Task ANewTokenForTheSameInstallUpdatesItsRefreshTime()
    {
        var (_, app) = await factory.ReaderWithAppAsync("dev2");
        await app.PostAsJsonAsync("/api/devices", DeviceFactory.Ios("install-2", DeviceFactory.ApnsToken()));
        var registered = (await factory.DeviceAsync("install-2"))!.TokenUpdatedAt;

        factory.Clock.Advance(TimeSpan.FromMinutes(30));
        await app.PostAsJsonAsync("/api/devices", DeviceFactory.Ios("install-2", (await factory.DeviceAsync("install-2"))!.Token));
        Assert.Equal(registered, (await factory.DeviceAsync("install-2"))!.TokenUpdatedAt);

        var newToken = DeviceFactory.ApnsToken().ToUpperInvariant();
        var changed = await app.PostAsJsonAsync("/api/devices", DeviceFactory.Ios("install-2", newToken));
        Assert.True(changed.StatusCode == HttpStatusCode.OK, await changed.Content.ReadAsStringAsync());
        var device = (await factory.DeviceAsync("install-2"))!;
        Assert.Equal(registered.AddMinutes(30), device.TokenUpdatedAt);
        // APNs tokens are hex: kept in one case, so the same token in capitals is the same device.
        Assert.Equal(newToken.ToLowerInvariant(), device.Token);
    }

    [Fact]
    public async Task ASecondReaderRegisteringTheSameInstallOrTokenTakesItOver()
    {
        var (alice, aliceApp) = await factory.ReaderWithAppAsync("dev3a");
        var (bob, bobApp) = await factory.ReaderWithAppAsync("dev3b");
        var token = DeviceFactory.FcmToken();
        await aliceApp.PostAsJsonAsync("/api/devices", DeviceFactory.Android("shared-tablet", token));
        await aliceApp.PutAsJsonAsync("/api/devices/shared-tablet/preferences", new { breaking = false, pushHoursStart = "09:00", pushHoursEnd = "17:00" });

        // Bob signs in on the same tablet.
        Assert.Equal(HttpStatusCode.OK, (await bobApp.PostAsJsonAsync("/api/devices", DeviceFactory.Android("shared-tablet", token))).StatusCode);
        Assert.Empty(await ListAsync(aliceApp));
        var bobs = Assert.Single(await ListAsync(bobApp));
        // Alice's choices for it do not follow the tablet to Bob.
        Assert.True(bobs.GetProperty("breaking").GetBoolean());
        Assert.Equal(JsonValueKind.Null, bobs.GetProperty("pushHours").ValueKind);
        Assert.Equal(HttpStatusCode.NotFound, (await aliceApp.GetAsync("/api/devices/shared-tablet")).StatusCode);

        // A reinstall: a new deviceId with the token Bob's install had, registered by Alice, moves the token and leaves one row.
        Assert.Equal(HttpStatusCode.OK, (await aliceApp.PostAsJsonAsync("/api/devices", DeviceFactory.Android("reinstalled", token))).StatusCode);
        Assert.Empty(await ListAsync(bobApp));
        Assert.Equal("reinstalled", Assert.Single(await ListAsync(aliceApp)).GetProperty("deviceId").GetString());
        Assert.Equal(1, await factory.WithDbAsync(db => db.Devices.CountAsync(d => d.TokenHash == NewsPush.Web.Devices.DeviceRegistry.Hash(token))));

        var prefs = await factory.WithDbAsync(db => db.ReaderPreferences.AsNoTracking().Where(p => p.UserId == alice.Id || p.UserId == bob.Id)
            .ToDictionaryAsync(p => p.UserId, p => p.AppPushEnabled));
        Assert.True(prefs[alice.Id]);
        Assert.False(prefs[bob.Id]);
    }

    [Fact]
    public async Task AnotherReadersDeviceAnswers404ToEveryCallAndStaysAsItWas()
    {
        var (_, owner) = await factory.ReaderWithAppAsync("dev4a");
        var (_, other) = await factory.ReaderWithAppAsync("dev4b");
        await owner.PostAsJsonAsync("/api/devices", DeviceFactory.Android("owners-phone", DeviceFactory.FcmToken()));
        await factory.WithDbAsync(db => db.Devices.Where(d => d.DeviceId == "owners-phone").ExecuteUpdateAsync(s => s.SetProperty(d => d.BadgeCount, 4)));

        var calls = new[]
        {
            await other.GetAsync("/api/devices/owners-phone"),
            await other.DeleteAsync("/api/devices/owners-phone"),
            await other.PostAsync("/api/devices/owners-phone/opened", null),
            await other.PutAsJsonAsync("/api/devices/owners-phone/preferences", new { pushEnabled = false }),
            await other.GetAsync("/api/devices/no-such-device"),
        };
        foreach (var call in calls)
        {
            Assert.Equal(HttpStatusCode.NotFound, call.StatusCode);
            Assert.Equal("No such device among yours.", (await ProblemAsync(call)).GetProperty("title").GetString());
        }
        var device = (await factory.DeviceAsync("owners-phone"))!;
        Assert.NotNull(device.UserId);
        Assert.Equal(4, device.BadgeCount);
        Assert.True(device.PushEnabled);
        Assert.Empty(await ListAsync(other));
    }

    [Theory]
    [InlineData("{\"platform\":\"android\",\"token\":\"x\"}", "deviceId")]
    [InlineData("{\"deviceId\":\"a\",\"platform\":\"windows\",\"token\":\"x\"}", "platform")]
    [InlineData("{\"deviceId\":\"a\",\"platform\":\"ios\",\"token\":\"not-hex\"}", "token")]
    [InlineData("{\"deviceId\":\"a\",\"platform\":\"android\",\"token\":\"short\"}", "token")]
    [InlineData("{\"deviceId\":\"a b\",\"platform\":\"android\",\"token\":\"x\"}", "deviceId")]
    [InlineData("{\"deviceId\":\"a\",\"platform\":\"android\",\"token\":\"fffffffffffffffffffffffffffff\",\"timeZone\":\"Mars/Olympus\"}", "timeZone")]
    [InlineData("{\"deviceId\":\"a\",\"platform\":\"android\",\"token\":\"fffffffffffffffffffffffffffff\",\"timeZone\":\"Europe\"}", "timeZone")]
    [InlineData("{\"deviceId\":\"a\",\"platform\":\"android\",\"token\":\"fffffffffffffffffffffffffffff\",\"locale\":\"english please\"}", "locale")]
    [InlineData("{\"deviceId\":\"a\",\"platform\":\"android\",\"token\":\"fffffffffffffffffffffffffffff\",\"pushHoursStart\":\"25:00\",\"pushHoursEnd\":\"08:00\"}", "pushHoursStart")]
    [InlineData("{\"deviceId\":\"a\",\"platform\":\"android\",\"token\":\"fffffffffffffffffffffffffffff\",\"pushHoursStart\":\"08:00\"}", "pushHoursEnd")]
    public async Task BadInputAnswersAValidationProblemNamingTheField(string json, string field)
    {
        var (_, app) = await factory.ReaderWithAppAsync("dev5");
        var response = await app.PostAsync("/api/devices", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await ProblemAsync(response);
        Assert.Equal("This device cannot be registered.", problem.GetProperty("title").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out var messages), problem.ToString());
        Assert.False(string.IsNullOrWhiteSpace(messages[0].GetString()));
        Assert.Empty(await ListAsync(app));
    }

    [Fact]
    public async Task AMissingOrMalformedBodyAnswersAProblemNotAStackTrace()
    {
        var (_, app) = await factory.ReaderWithAppAsync("dev6");
        var empty = await app.PostAsync("/api/devices", new StringContent("", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        var broken = await app.PostAsync("/api/devices", new StringContent("{\"deviceId\":", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);
        Assert.Equal("application/problem+json", broken.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("   at ", await broken.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var hours = await app.PutAsJsonAsync("/api/devices/none/preferences", new { pushHoursStart = "08:00", pushHoursEnd = "08:00" });
        Assert.Equal(HttpStatusCode.NotFound, hours.StatusCode);
    }

    [Fact]
    public async Task PreferencesChangeWhatTheDeviceTakesAndPushHoursCanBeRemoved()
    {
        var (reader, app) = await factory.ReaderWithAppAsync("dev7");
        await app.PostAsJsonAsync("/api/devices", DeviceFactory.Ios("prefs-phone", DeviceFactory.ApnsToken()));

        var bad = await app.PutAsJsonAsync("/api/devices/prefs-phone/preferences", new { pushHoursStart = "22:00", pushHoursEnd = "22:00" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.True((await ProblemAsync(bad)).GetProperty("errors").TryGetProperty("pushHoursEnd", out _));

        var saved = await (await app.PutAsJsonAsync("/api/devices/prefs-phone/preferences", new { digests = false, pushHoursStart = "07:30", pushHoursEnd = "23:00" }))
            .Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(saved.GetProperty("digests").GetBoolean());
        Assert.True(saved.GetProperty("breaking").GetBoolean());
        Assert.Equal("07:30", saved.GetProperty("pushHours").GetProperty("start").GetString());
        Assert.Equal("23:00", saved.GetProperty("pushHours").GetProperty("end").GetString());

        var anyTime = await (await app.PutAsJsonAsync("/api/devices/prefs-phone/preferences", new { anyTime = true })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(JsonValueKind.Null, anyTime.GetProperty("pushHours").ValueKind);
        Assert.False(anyTime.GetProperty("digests").GetBoolean());

        await app.PutAsJsonAsync("/api/devices/prefs-phone/preferences", new { pushEnabled = false });
        Assert.False(await factory.WithDbAsync(db => db.ReaderPreferences.Where(p => p.UserId == reader.Id).Select(p => p.AppPushEnabled).SingleAsync()));
        await app.PutAsJsonAsync("/api/devices/prefs-phone/preferences", new { pushEnabled = true });
        Assert.True(await factory.WithDbAsync(db => db.ReaderPreferences.Where(p => p.UserId == reader.Id).Select(p => p.AppPushEnabled).SingleAsync()));
    }

    [Fact]
    public async Task UnbindingLeavesTheDeviceWithoutAReaderAndOpenedResetsTheBadge()
    {
        var (reader, app) = await factory.ReaderWithAppAsync("dev8");
        await app.PostAsJsonAsync("/api/devices", DeviceFactory.Android("logout-phone", DeviceFactory.FcmToken()));
        await factory.WithDbAsync(db => db.Devices.Where(d => d.DeviceId == "logout-phone").ExecuteUpdateAsync(s => s.SetProperty(d => d.BadgeCount, 3)));

        var opened = await app.PostAsync("/api/devices/logout-phone/opened", null);
        Assert.Equal(HttpStatusCode.OK, opened.StatusCode);
        Assert.Equal(0, (await opened.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("badge").GetInt32());
        Assert.Equal(factory.Clock.Now.UtcDateTime, (await factory.DeviceAsync("logout-phone"))!.LastOpenedAt);

        Assert.Equal(HttpStatusCode.NoContent, (await app.DeleteAsync("/api/devices/logout-phone")).StatusCode);
        Assert.Null((await factory.DeviceAsync("logout-phone"))!.UserId);
        Assert.Empty(await ListAsync(app));
        Assert.Equal(HttpStatusCode.NotFound, (await app.DeleteAsync("/api/devices/logout-phone")).StatusCode);
        Assert.False(await factory.WithDbAsync(db => db.ReaderPreferences.Where(p => p.UserId == reader.Id).Select(p => p.AppPushEnabled).SingleAsync()));
    }

    [Fact]
    public async Task TheBadgeIsTheUnreadCountAndReadingInTheSiteLowersTheDevicesBadge()
    {
        var (reader, app) = await factory.ReaderWithAppAsync("dev9");
        await app.PostAsJsonAsync("/api/devices", DeviceFactory.Ios("badge-phone", DeviceFactory.ApnsToken()));
        var now = factory.Clock.Now.UtcDateTime;
        var ids = await factory.WithDbAsync(async db =>
        {
            var messages = Enumerable.Range(1, 3).Select(i => new InboxMessage { UserId = reader.Id, Title = "M" + i, Body = "b", CreatedAt = now }).ToList();
            db.InboxMessages.AddRange(messages);
            await db.SaveChangesAsync();
            await db.Devices.Where(d => d.DeviceId == "badge-phone").ExecuteUpdateAsync(s => s.SetProperty(d => d.BadgeCount, 3));
            return messages.Select(m => m.Id).ToList();
        });
        var badge = await app.GetFromJsonAsync<JsonElement>("/api/me/badge");
        Assert.Equal(3, badge.GetProperty("unread").GetInt32());

        // The reader reads one in the site: the phone may show at most 2 now.
        using var site = await factory.CreateLoggedInClientAsync(reader.Email!);
        await site.WithAntiforgeryHeaderAsync();
        Assert.True((await site.PostAsync($"/api/inbox/message/{ids[0]}/read", null)).IsSuccessStatusCode);
        Assert.Equal(2, (await factory.DeviceAsync("badge-phone"))!.BadgeCount);
        Assert.Equal(2, (await app.GetFromJsonAsync<JsonElement>("/api/me/badge")).GetProperty("unread").GetInt32());

        Assert.True((await site.PostAsync("/api/inbox/read-all", null)).IsSuccessStatusCode);
        Assert.Equal(0, (await factory.DeviceAsync("badge-phone"))!.BadgeCount);
    }

    [Fact]
    public async Task ThePreferencesPageCallsWithItsCookieOnlyWithTheAntiforgeryToken()
    {
        var reader = await factory.CreateReaderAsync("dev10");
        using var site = await factory.CreateLoggedInClientAsync(reader.Email!);
        var refused = await site.PostAsJsonAsync("/api/devices", DeviceFactory.Android("cookie-phone", DeviceFactory.FcmToken()));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("The antiforgery token is missing or invalid.", (await ProblemAsync(refused)).GetProperty("title").GetString());

        await site.WithAntiforgeryHeaderAsync();
        Assert.Equal(HttpStatusCode.Created, (await site.PostAsJsonAsync("/api/devices", DeviceFactory.Android("cookie-phone", DeviceFactory.FcmToken()))).StatusCode);
        Assert.Single(await ListAsync(site));
    }

    [Fact]
    public async Task WithoutATokenOrWithAForgedOneTheApiAnswers401()
    {
        using var anonymous = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/devices")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/me/badge")).StatusCode);
        using var forged = factory.BearerClient("CfDJ8-not-a-token");
        Assert.Equal(HttpStatusCode.Unauthorized, (await forged.PostAsJsonAsync("/api/devices", DeviceFactory.Android("x", DeviceFactory.FcmToken()))).StatusCode);
    }
}

public sealed class SqliteDeviceApiTests(DeviceFactory factory) : DeviceApiTests<DeviceFactory>(factory), IClassFixture<DeviceFactory>;

public sealed class PostgreSqlDeviceApiTests(DevicePostgreSqlFactory factory) : DeviceApiTests<DevicePostgreSqlFactory>(factory), IClassFixture<DevicePostgreSqlFactory>;
