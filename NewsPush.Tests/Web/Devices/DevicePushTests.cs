using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NewsPush.Data.Entities;
using NewsPush.Tests.Web.Devices.Fcm;

namespace NewsPush.Tests.Web.Devices;

/// <summary>
/// Pushes to app installs end to end: registered through the API, planned with the reader's preferences, sent by the
/// FCM and APNs channels to local peers that check what the real services check, and every answer they give.
/// </summary>
public abstract class DevicePushTests<TSite>(TSite site) where TSite : DevicePushSite
{
    private DeviceFactory Factory => site.Site;

    private async Task<List<JsonElement>> FcmMessagesAsync(string token) =>
        (await site.Fcm.MessagesAsync(site.Account.ProjectId)).Where(m => m.Token == token).Select(m => m.Message).ToList();

    [Fact]
    public async Task TwoPushesRaiseTheBadgeToOneThenTwoOpenedResetsItAndAfterLogoutNothingArrives()
    {
        var (reader, app) = await Factory.ReaderWithAppAsync("dp1");
        var token = await site.RegisterAndroidAsync(app, "dp1-phone");

        await site.QueueBreakingAsync([reader.Id], title: "First alert");
        await site.DispatchAsync();
        await site.QueueBreakingAsync([reader.Id], title: "Second alert");
        await site.DispatchAsync();

        var messages = await FcmMessagesAsync(token);
        Assert.Equal(["First alert", "Second alert"], messages.Select(m => m.GetProperty("notification").GetProperty("title").GetString()));
        Assert.Equal([1, 2], messages.Select(m => m.GetProperty("android").GetProperty("notification").GetProperty("notification_count").GetInt32()));
        Assert.Equal(2, (await Factory.DeviceAsync("dp1-phone"))!.BadgeCount);
        Assert.Equal(2, (await app.GetFromJsonAsync<JsonElement>("/api/me/badge")).GetProperty("unread").GetInt32());

        var opened = await (await app.PostAsync("/api/devices/dp1-phone/opened", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(0, opened.GetProperty("badge").GetInt32());
        Assert.Equal(0, (await Factory.DeviceAsync("dp1-phone"))!.BadgeCount);

        // One push is queued, then the reader logs out of the app before it goes: it never reaches the phone.
        await site.QueueBreakingAsync([reader.Id], title: "Queued before logout");
        Assert.Equal(HttpStatusCode.NoContent, (await app.DeleteAsync("/api/devices/dp1-phone")).StatusCode);
        await site.QueueBreakingAsync([reader.Id], title: "After logout");
        await site.DispatchAsync();

        Assert.Equal(2, (await FcmMessagesAsync(token)).Count);
        var deliveries = await site.DeviceDeliveriesAsync(reader.Id);
        Assert.Equal(3, deliveries.Count);
        Assert.Equal(DeliveryStatus.Suppressed, deliveries[^1].Status);
        Assert.Contains("signed out", deliveries[^1].LastError, StringComparison.Ordinal);
        // The inbox still got all four.
        Assert.Equal(4, (await Factory.InboxOfAsync(reader.Id)).Count);
    }

    [Fact]
    public async Task AniPhoneGetsBreakingNewsAtPriority10WithTheStorysCollapseIdAndAnAbsoluteBadge()
    {
        var (reader, app) = await Factory.ReaderWithAppAsync("dp2");
        var token = await site.RegisterIosAsync(app, "dp2-iphone");
        var campaign = await site.QueueBreakingAsync([reader.Id], title: "Markets fall");
        await site.DispatchAsync();

        var received = Assert.Single(await site.Apns.NotificationsAsync(token));
        Assert.Equal("2.0", received.HttpVersion);
        Assert.Equal("alert", received.Headers["apns-push-type"]);
        Assert.Equal("10", received.Headers["apns-priority"]);
        Assert.Equal(site.Key.BundleId, received.Headers["apns-topic"]);
        Assert.Equal($"story-{campaign.ArticleId}", received.Headers["apns-collapse-id"]);
        Assert.Equal(Factory.Clock.Now.AddHours(6).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), received.Headers["apns-expiration"]);
        var aps = received.Payload.GetProperty("aps");
        Assert.Equal("Markets fall", aps.GetProperty("alert").GetProperty("title").GetString());
        Assert.Equal(1, aps.GetProperty("badge").GetInt32());
        var delivery = Assert.Single(await site.DeviceDeliveriesAsync(reader.Id));
        Assert.Equal((DeliveryChannel.Apns, DeliveryStatus.Sent), (delivery.Channel, delivery.Status));
        // The link records the click and opens the story.
        Assert.Contains($"/t/c/{delivery.TrackingToken}?a={campaign.ArticleId}", received.Payload.GetProperty("url").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheDigestReachesEveryActiveDeviceOnceAtPriority5AndNoneThatWantsNoDigests()
    {
        var (reader, app) = await Factory.ReaderWithAppAsync("dp3", p => { p.TimeZoneId = "Asia/Tokyo"; p.DigestLocalTime = new TimeOnly(7, 0); });
        var android = await site.RegisterAndroidAsync(app, "dp3-android", "Asia/Tokyo");
        var iphone = await site.RegisterIosAsync(app, "dp3-iphone", "Asia/Tokyo");
        var tablet = await site.RegisterAndroidAsync(app, "dp3-tablet", "Asia/Tokyo");
        await app.PutAsJsonAsync("/api/devices/dp3-tablet/preferences", new { digests = false });

        Factory.SetLocalTime("Asia/Tokyo", new DateTime(2026, 11, 24, 7, 1, 0));
        await Factory.RunDigestAsync();
        await site.DispatchAsync();
        await site.DispatchAsync();

        var digest = Assert.Single(await Factory.DigestsOfAsync(reader.Id));
        var androidMessage = Assert.Single(await FcmMessagesAsync(android));
        Assert.Equal("normal", androidMessage.GetProperty("android").GetProperty("priority").GetString());
        Assert.Equal($"digest-{digest.Id}", androidMessage.GetProperty("android").GetProperty("collapse_key").GetString());
        var ios = Assert.Single(await site.Apns.NotificationsAsync(iphone));
        Assert.Equal("5", ios.Headers["apns-priority"]);
        Assert.Empty(await FcmMessagesAsync(tablet));
        var deliveries = await site.DeviceDeliveriesAsync(reader.Id);
        Assert.Equal(2, deliveries.Count);
        Assert.All(deliveries, d => Assert.Equal(DeliveryStatus.Sent, d.Status));
    }

    [Fact]
    public async Task UnregisteredOnFcmDeactivatesTheDeviceAndItIsNotPlannedAgainUntilTheAppRegistersAgain()
    {
        var (reader, app) = await Factory.ReaderWithAppAsync("dp4");
        var token = await site.RegisterAndroidAsync(app, "dp4-phone");
        await site.Fcm.UnregisterDevicesAsync([token]);

        await site.QueueBreakingAsync([reader.Id]);
        await site.DispatchAsync();
        var failed = Assert.Single(await site.DeviceDeliveriesAsync(reader.Id));
        Assert.Equal(DeliveryStatus.Failed, failed.Status);
        Assert.Contains("UNREGISTERED", failed.LastError, StringComparison.Ordinal);
        var device = (await Factory.DeviceAsync("dp4-phone"))!;
        Assert.NotNull(device.DeactivatedAt);
        Assert.False((await app.GetFromJsonAsync<JsonElement>("/api/devices/dp4-phone")).GetProperty("active").GetBoolean());
        Assert.False(await Factory.WithDbAsync(db => db.ReaderPreferences.Where(p => p.UserId == reader.Id).Select(p => p.AppPushEnabled).SingleAsync()));

        await site.QueueBreakingAsync([reader.Id]);
        Assert.Single(await site.DeviceDeliveriesAsync(reader.Id));

        // The app starts again and posts a fresh token: the device is back.
        await site.RegisterAndroidAsync(app, "dp4-phone");
        await site.QueueBreakingAsync([reader.Id]);
        await site.DispatchAsync();
        Assert.Equal(DeliveryStatus.Sent, (await site.DeviceDeliveriesAsync(reader.Id))[^1].Status);
    }

    [Fact]
    public async Task InvalidArgumentNamingTheTokenDeactivatesButAnyOtherInvalidArgumentOnlyFailsThatPush()
    {
        var (reader, app) = await Factory.ReaderWithAppAsync("dp5");
        await site.RegisterAndroidAsync(app, "dp5-phone");
        await site.Fcm.ScriptAsync(site.Account.ProjectId, new FcmScriptedAnswer(400, "INVALID_ARGUMENT", Message: "Invalid value at 'message.data[0].value'"));
        await site.QueueBreakingAsync([reader.Id]);
        await site.DispatchAsync();
        Assert.Equal(DeliveryStatus.Failed, Assert.Single(await site.DeviceDeliveriesAsync(reader.Id)).Status);
        Assert.Null((await Factory.DeviceAsync("dp5-phone"))!.DeactivatedAt);

        await site.Fcm.ScriptAsync(site.Account.ProjectId, new FcmScriptedAnswer(400, "INVALID_ARGUMENT", Message: "The registration token is not a valid FCM registration token"));
        await site.QueueBreakingAsync([reader.Id]);
        await site.DispatchAsync();
        Assert.NotNull((await Factory.DeviceAsync("dp5-phone"))!.DeactivatedAt);
    }

    [Fact]
    public async Task Apns410CountsOnlyWhenTheTokenEndedAfterTheAppLastRegisteredIt()
    {
        var (reader, app) = await Factory.ReaderWithAppAsync("dp6");
        var token = await site.RegisterIosAsync(app, "dp6-iphone");
        var registeredAt = (await Factory.DeviceAsync("dp6-iphone"))!.TokenUpdatedAt;

        // APNs says the token ended an hour before the app registered it: the registration is newer, the device stays.
        await site.Apns.ScriptAsync(410, "Unregistered", deviceToken: token, timestamp: new DateTimeOffset(registeredAt.AddHours(-1), TimeSpan.Zero));
        await site.QueueBreakingAsync([reader.Id]);
        await site.DispatchAsync();
        Assert.Null((await Factory.DeviceAsync("dp6-iphone"))!.DeactivatedAt);
        Assert.Equal(DeliveryStatus.Queued, Assert.Single(await site.DeviceDeliveriesAsync(reader.Id)).Status);

        // Later it really is gone.
        Factory.Clock.Advance(TimeSpan.FromMinutes(10));
        await site.Apns.UnregisterAsync(token, Factory.Clock.Now);
        await site.DispatchAsync();
        var device = (await Factory.DeviceAsync("dp6-iphone"))!;
        Assert.NotNull(device.DeactivatedAt);
        Assert.Equal(DeliveryStatus.Failed, Assert.Single(await site.DeviceDeliveriesAsync(reader.Id)).Status);
        Assert.Empty(await site.Apns.NotificationsAsync(token));
    }

    [Fact]
    public async Task QuotaExceededIsRetriedAfterRetryAfterAndArrivesExactlyOnce()
    {
        var (reader, app) = await Factory.ReaderWithAppAsync("dp7");
        var token = await site.RegisterAndroidAsync(app, "dp7-phone");
        await site.Fcm.ScriptAsync(site.Account.ProjectId, new FcmScriptedAnswer(429, "QUOTA_EXCEEDED", Message: "Quota exceeded.", RetryAfter: "120"));
        await site.QueueBreakingAsync([reader.Id]);
        await site.DispatchAsync();

        var waiting = Assert.Single(await site.DeviceDeliveriesAsync(reader.Id));
        Assert.Equal(DeliveryStatus.Queued, waiting.Status);
        Assert.Equal(Factory.Clock.Now.UtcDateTime.AddSeconds(120), waiting.NextAttemptAt);
        await site.DispatchAsync();
        Assert.Empty(await FcmMessagesAsync(token));

        Factory.Clock.Advance(TimeSpan.FromSeconds(121));
        await site.DispatchAsync();
        await site.DispatchAsync();
        Assert.Single(await FcmMessagesAsync(token));
        Assert.Equal(DeliveryStatus.Sent, Assert.Single(await site.DeviceDeliveriesAsync(reader.Id)).Status);
    }

    [Fact]
    public async Task ApnsUnavailableIsRetriedAndArrivesOnce()
    {
        var (reader, app) = await Factory.ReaderWithAppAsync("dp8");
        var token = await site.RegisterIosAsync(app, "dp8-iphone");
        await site.Apns.ScriptAsync(503, "ServiceUnavailable", deviceToken: token);
        await site.QueueBreakingAsync([reader.Id]);
        await site.DispatchAsync();
        Assert.Equal(DeliveryStatus.Queued, Assert.Single(await site.DeviceDeliveriesAsync(reader.Id)).Status);

        Factory.Clock.Advance(TimeSpan.FromMinutes(5));
        await site.DispatchAsync();
        Assert.Single(await site.Apns.NotificationsAsync(token));
        Assert.Equal(DeliveryStatus.Sent, Assert.Single(await site.DeviceDeliveriesAsync(reader.Id)).Status);
    }

    [Fact]
    public async Task PushHoursHoldANormalPushUntilTheyOpenButACriticalOneGoesAtOnce()
    {
        var (reader, app) = await Factory.ReaderWithAppAsync("dp9", p => p.TimeZoneId = "Asia/Tokyo");
        var token = await site.RegisterAndroidAsync(app, "dp9-phone", "Asia/Tokyo");
        await app.PutAsJsonAsync("/api/devices/dp9-phone/preferences", new { pushHoursStart = "08:00", pushHoursEnd = "22:00" });
        Factory.SetLocalTime("Asia/Tokyo", new DateTime(2026, 11, 25, 7, 0, 0));

        await site.QueueBreakingAsync([reader.Id], title: "Late normal");
        await site.DispatchAsync();
        var held = Assert.Single(await site.DeviceDeliveriesAsync(reader.Id));
        Assert.Equal(DeliveryStatus.Queued, held.Status);
        // 08:00 in Tokyo on the 25th is 23:00 UTC on the 24th.
        Assert.Equal(new DateTime(2026, 11, 24, 23, 0, 0, DateTimeKind.Utc), held.NextAttemptAt);
        Assert.Equal(0, held.Attempts);

        await site.QueueBreakingAsync([reader.Id], critical: true, title: "Critical now");
        await site.DispatchAsync();
        Assert.Equal(["Critical now"], (await FcmMessagesAsync(token)).Select(m => m.GetProperty("notification").GetProperty("title").GetString()));
        Assert.Equal("high", (await FcmMessagesAsync(token))[0].GetProperty("android").GetProperty("priority").GetString());

        Factory.SetLocalTime("Asia/Tokyo", new DateTime(2026, 11, 25, 8, 0, 30));
        await site.DispatchAsync();
        Assert.Equal(["Critical now", "Late normal"], (await FcmMessagesAsync(token)).Select(m => m.GetProperty("notification").GetProperty("title").GetString()));
    }

    [Fact]
    public async Task ThirdPartyAuthErrorPausesTheFcmChannelAndTellsAdminsWithoutARetryStorm()
    {
        var (reader, app) = await Factory.ReaderWithAppAsync("dp10");
        await site.RegisterAndroidAsync(app, "dp10-phone");
        await site.Fcm.ScriptAsync(site.Account.ProjectId, new FcmScriptedAnswer(401, "THIRD_PARTY_AUTH_ERROR", Message: "Auth error from APNS or Web Push Service"), times: 1);
        var sendsBefore = (await site.Fcm.StatsAsync(site.Account.ProjectId)).Sends;
        await site.QueueBreakingAsync([reader.Id]);
        await site.DispatchAsync();
        await site.DispatchAsync();

        var state = await Factory.WithDbAsync(db => db.ChannelStates.AsNoTracking().SingleAsync(c => c.Channel == DeliveryChannel.Fcm));
        Assert.True(state.IsPaused);
        Assert.Equal(ChannelPauseKind.Configuration, state.PauseKind);
        Assert.Contains("THIRD_PARTY_AUTH_ERROR", state.LastError, StringComparison.Ordinal);
        Assert.Equal(sendsBefore + 1, (await site.Fcm.StatsAsync(site.Account.ProjectId)).Sends);
        Assert.Equal(DeliveryStatus.Queued, Assert.Single(await site.DeviceDeliveriesAsync(reader.Id)).Status);
        var admins = await Factory.WithDbAsync(db => db.InboxMessages.AsNoTracking()
            .Where(m => db.Users.Any(u => u.Id == m.UserId && u.Email == DeviceFactory.AdminEmail) && m.Title.Contains("Fcm")).CountAsync());
        Assert.True(admins >= 1);

        // An admin fixes it and resumes: the push goes out once.
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<NewsPush.Web.Push.ChannelHealth>().ResumeAsync(DeliveryChannel.Fcm, CancellationToken.None);
        }
        await site.DispatchAsync();
        Assert.Equal(DeliveryStatus.Sent, Assert.Single(await site.DeviceDeliveriesAsync(reader.Id)).Status);
    }

    [Fact]
    public async Task AllOfAReadersDevicesCountOnceAgainstTheWeeklyCap()
    {
        var (reader, app) = await Factory.ReaderWithAppAsync("dp11", p => { p.InboxEnabled = false; p.WeeklyPushCap = 2; });
        var android = await site.RegisterAndroidAsync(app, "dp11-android");
        var iphone = await site.RegisterIosAsync(app, "dp11-iphone");
        for (var i = 0; i < 3; i++)
        {
            await site.QueueBreakingAsync([reader.Id], title: "Alert " + i);
            await site.DispatchAsync();
        }
        Assert.Equal(2, (await FcmMessagesAsync(android)).Count);
        Assert.Equal(2, (await site.Apns.NotificationsAsync(iphone)).Count);
        // Without the inbox the badge counts the pushes since the app was opened.
        Assert.Equal([1, 2], (await FcmMessagesAsync(android)).Select(m => m.GetProperty("android").GetProperty("notification").GetProperty("notification_count").GetInt32()));
    }

    [Fact]
    public async Task WhenAnotherReaderSignsInOnTheDeviceThePreviousReadersPushesStopAndTheirsArrive()
    {
        var (first, firstApp) = await Factory.ReaderWithAppAsync("dp12a");
        var (second, secondApp) = await Factory.ReaderWithAppAsync("dp12b");
        var token = await site.RegisterIosAsync(firstApp, "dp12-ipad");
        await site.QueueBreakingAsync([first.Id], title: "For the first reader");
        Assert.Equal(HttpStatusCode.OK, (await secondApp.PostAsJsonAsync("/api/devices", DeviceFactory.Ios("dp12-ipad", token))).StatusCode);
        await site.QueueBreakingAsync([first.Id, second.Id], title: "For both");
        await site.DispatchAsync();

        Assert.Equal(["For both"], (await site.Apns.NotificationsAsync(token)).Select(n => n.Payload.GetProperty("aps").GetProperty("alert").GetProperty("title").GetString()));
        Assert.All(await site.DeviceDeliveriesAsync(first.Id), d => Assert.Equal(DeliveryStatus.Suppressed, d.Status));
        Assert.Equal(DeliveryStatus.Sent, Assert.Single(await site.DeviceDeliveriesAsync(second.Id)).Status);
    }

    [Fact]
    public async Task TwoDispatchersAtOnceStillPushEachDeviceOncePerStory()
    {
        var readers = new List<string>();
        var tokens = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            var (reader, app) = await Factory.ReaderWithAppAsync("dp14-" + i);
            readers.Add(reader.Id);
            tokens.Add(i % 2 == 0 ? await site.RegisterAndroidAsync(app, $"dp14-{i}") : await site.RegisterIosAsync(app, $"dp14-{i}"));
        }
        await site.QueueBreakingAsync(readers, title: "Once each");
        await site.Apns.SetClockAsync(Factory.Clock.Now);
        await Task.WhenAll(Factory.DispatchAsync(), Factory.DispatchAsync(), Factory.DispatchAsync());
        await site.DispatchAsync();

        for (var i = 0; i < tokens.Count; i++)
        {
            var received = i % 2 == 0 ? (await FcmMessagesAsync(tokens[i])).Count : (await site.Apns.NotificationsAsync(tokens[i])).Count;
            Assert.True(received == 1, $"device {i} got {received} pushes");
        }
        var deliveries = await Factory.WithDbAsync(db => db.Deliveries.AsNoTracking()
            .Where(d => readers.Contains(d.UserId) && (d.Channel == DeliveryChannel.Fcm || d.Channel == DeliveryChannel.Apns)).ToListAsync());
        Assert.Equal(12, deliveries.Count);
        Assert.All(deliveries, d => Assert.Equal(DeliveryStatus.Sent, d.Status));
    }

    [Fact]
    public async Task SendATestReachesTheReadersPhonesAndSaysWhichWereQueued()
    {
        var (reader, app) = await Factory.ReaderWithAppAsync("dp13");
        var android = await site.RegisterAndroidAsync(app, "dp13-android");
        var iphone = await site.RegisterIosAsync(app, "dp13-iphone");
        var answer = await app.PostAsync("/api/push/test", null);
        Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
        var queued = (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("queued").EnumerateArray().ToList();
        Assert.Equal(["fcm", "apns"], queued.Select(q => q.GetProperty("channel").GetString()));
        Assert.Equal(["Android app 3.1.0", "iOS app 3.1.0"], queued.Select(q => q.GetProperty("label").GetString()));
        await site.DispatchAsync();
        Assert.Equal("Test notification from NewsPush", Assert.Single(await FcmMessagesAsync(android)).GetProperty("notification").GetProperty("title").GetString());
        Assert.Single(await site.Apns.NotificationsAsync(iphone));
        Assert.All(await site.DeviceDeliveriesAsync(reader.Id), d => Assert.Equal(DeliveryStatus.Sent, d.Status));
    }
}

public sealed class SqliteDevicePushTests(SqliteDevicePushSite site) : DevicePushTests<SqliteDevicePushSite>(site), IClassFixture<SqliteDevicePushSite>;

public sealed class PostgreSqlDevicePushTests(PostgreSqlDevicePushSite site) : DevicePushTests<PostgreSqlDevicePushSite>(site), IClassFixture<PostgreSqlDevicePushSite>;
