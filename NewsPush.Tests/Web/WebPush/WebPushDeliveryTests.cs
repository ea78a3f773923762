using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using NewsPush.Data.Entities;
using NewsPush.Tests.Infrastructure;
using NewsPush.Web.Push;
using NewsPush.Web.WebPush;

namespace NewsPush.Tests.Web.WebPush;

/// <summary>
/// Notifications through a local push service that checks what real ones check (<see cref="PushServicePeer"/>: the
/// VAPID JWT, TTL, encoding, one record) and decrypts each message as the browser would, with npm http_ece and the
/// private key it made for the subscription.
/// </summary>
public abstract class WebPushDeliveryTests<TFactory>(TFactory factory, PushServicePeer peer)
    where TFactory : WebPushFactory
{
    private static JsonElement Json(PeerMessage m) => JsonDocument.Parse(m.Plaintext).RootElement;

    private async Task<Article> AnyArticleAsync() =>
        await factory.WithDbAsync(db => db.Articles.AsNoTracking().OrderByDescending(a => a.PublishedAt).FirstAsync());

    private static DeliveryContent Story(long id, Article article, string? title = null, string? summary = null) =>
        new(DeliveryContentKind.Breaking, id, title ?? article.Title, summary ?? article.Summary, null,
            [new ContentStory(article.Id, title ?? article.Title, summary ?? article.Summary, "World", article.Slug, "")]);

    [Fact]
    public async Task TheDigestArrivesAsANotificationWhoseLinkOpensTheTopStoryAndCountsTheClick()
    {
        var (reader, browser, subscriptionId) = await factory.ReaderWithBrowserAsync(peer, "wpd", p => { p.TimeZoneId = "Europe/Rome"; p.DigestLocalTime = new TimeOnly(7, 0); });
        factory.SetLocalTime("Europe/Rome", new DateTime(2026, 11, 23, 7, 2, 0));
        await factory.RunAndDeliverAsync();

        var message = Assert.Single(await peer.WaitForMessagesAsync(1, TimeSpan.FromSeconds(20), browser.Id));
        var digest = Assert.Single(await factory.DigestsOfAsync(reader.Id));
        var top = await factory.WithDbAsync(db => db.DigestItems.Where(i => i.DigestId == digest.Id).OrderBy(i => i.Position).Select(i => i.Article!).FirstAsync());
        var json = Json(message);
        Assert.Equal("digest", json.GetProperty("kind").GetString());
        Assert.Contains("digest", json.GetProperty("title").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Contains(top.Title, json.GetProperty("body").GetString(), StringComparison.Ordinal);
        Assert.Equal($"digest-{digest.Id}", json.GetProperty("tag").GetString());
        Assert.Equal($"/article/{top.Slug}", json.GetProperty("articleUrl").GetString());
        // What the push service saw: a digest keeps 12 h, normal urgency (no header), a topic per digest, one aes128gcm record.
        Assert.Equal(12 * 3600, message.Ttl);
        Assert.True(message.Urgency is null or "normal", message.Urgency);
        Assert.Equal($"digest-{digest.Id}", message.Topic);
        Assert.Equal("aes128gcm", message.ContentEncoding);
        Assert.Equal(1, message.Records);
        Assert.Equal("mailto:push@newspush.example", message.Jwt.GetProperty("sub").GetString());

        var delivery = Assert.Single(await factory.DeliveriesOfAsync(reader.Id));
        Assert.Equal((DeliveryStatus.Sent, DeliveryChannel.WebPush, subscriptionId), (delivery.Status, delivery.Channel, delivery.EndpointId));
        Assert.NotNull((await factory.SubscriptionAsync(subscriptionId))!.LastSuccessAt);

        // The notification's link is the click tracker: it records the click and opens the story.
        using var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var response = await client.GetAsync(json.GetProperty("url").GetString());
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal($"/article/{top.Slug}", response.Headers.Location!.OriginalString);
        Assert.NotNull((await factory.DeliveryAsync(delivery.Id)).ClickedAt);

        // Dispatching again, and running the digest again for the same window, sends nothing twice.
        await factory.RunAndDeliverAsync();
        await factory.DispatchAsync();
        Assert.Single(await peer.MessagesAsync(browser.Id));
    }

    [Fact]
    public async Task BreakingNewsIsUrgentLivesAnHourAndAThreeHundredCharacterTitleStillFits()
    {
        var (reader, browser, subscriptionId) = await factory.ReaderWithBrowserAsync(peer, "wpb");
        var article = await AnyArticleAsync();
        var title = string.Concat(Enumerable.Repeat("Storm update ", 24))[..300];
        var summary = string.Concat(Enumerable.Repeat("Roads closed, schools shut, power cut across the region. ", 120));
        var delivery = await factory.QueueStoryAsync(reader.Id, subscriptionId, Story(9001, article, title, summary));

        await factory.DispatchAsync();

        var message = Assert.Single(await peer.WaitForMessagesAsync(1, TimeSpan.FromSeconds(20), browser.Id));
        Assert.Equal(3600, message.Ttl);
        Assert.Equal("high", message.Urgency);
        Assert.Equal($"story-{article.Id}", message.Topic);
        Assert.Equal(1, message.Records);
        Assert.InRange(message.BodyBytes, 1, 4096);
        var json = Json(message);
        Assert.Equal(title, json.GetProperty("title").GetString());
        Assert.EndsWith("…", json.GetProperty("body").GetString());
        Assert.Equal($"story-{article.Id}", json.GetProperty("tag").GetString());
        Assert.Equal(DeliveryStatus.Sent, (await factory.DeliveryAsync(delivery.Id)).Status);
    }

    [Fact]
    public async Task ASubscriptionThePushServiceSaysIsGoneIsRemovedAndTheReaderNoLongerCountsAsSubscribed()
    {
        var (reader, browser, subscriptionId) = await factory.ReaderWithBrowserAsync(peer, "wpg");
        await peer.UnsubscribeAsync(browser.Id);
        var delivery = await factory.QueueStoryAsync(reader.Id, subscriptionId, Story(9002, await AnyArticleAsync()));

        await factory.DispatchAsync();

        var failed = await factory.DeliveryAsync(delivery.Id);
        Assert.Equal(DeliveryStatus.Failed, failed.Status);
        Assert.Contains("410", failed.LastError, StringComparison.Ordinal);
        Assert.Null(await factory.SubscriptionAsync(subscriptionId));
        Assert.False(await factory.WithDbAsync(db => db.ReaderPreferences.Where(p => p.UserId == reader.Id).Select(p => p.WebPushEnabled).SingleAsync()));
        Assert.Empty(await peer.MessagesAsync(browser.Id));
    }

    [Fact]
    public async Task RateLimitedByThePushServiceTheNotificationIsSentOnceAfterRetryAfter()
    {
        var (reader, browser, subscriptionId) = await factory.ReaderWithBrowserAsync(peer, "wpr");
        await peer.SetBehaviourAsync(browser.Id, 429, retryAfterSeconds: 120, times: 1);
        var delivery = await factory.QueueStoryAsync(reader.Id, subscriptionId, Story(9003, await AnyArticleAsync()));
        var queuedAt = factory.Clock.Now.UtcDateTime;

        await factory.DispatchAsync();
        var waiting = await factory.DeliveryAsync(delivery.Id);
        Assert.Equal(DeliveryStatus.Queued, waiting.Status);
        Assert.Equal(queuedAt.AddSeconds(120), waiting.NextAttemptAt);
        Assert.Contains("429", waiting.LastError, StringComparison.Ordinal);

        // Not before the push service said: nothing goes out a minute later.
        factory.Clock.Advance(TimeSpan.FromSeconds(60));
        await factory.DispatchAsync();
        Assert.Empty(await peer.MessagesAsync(browser.Id));

        factory.Clock.Advance(TimeSpan.FromSeconds(61));
        await factory.DispatchAsync();
        await factory.DispatchAsync();
        Assert.Single(await peer.WaitForMessagesAsync(1, TimeSpan.FromSeconds(20), browser.Id));
        var message = Assert.Single(await peer.MessagesAsync(browser.Id));
        // Two minutes late, it lives what is left of the story's hour.
        Assert.Equal(3600 - 121, message.Ttl);
        var sent = await factory.DeliveryAsync(delivery.Id);
        Assert.Equal((DeliveryStatus.Sent, 2), (sent.Status, sent.Attempts));
        Assert.NotNull(await factory.SubscriptionAsync(subscriptionId));
    }

    [Fact]
    public async Task ThreeRefusalsInARowRemoveTheSubscriptionButOneSuccessResetsTheCount()
    {
        var (reader, browser, subscriptionId) = await factory.ReaderWithBrowserAsync(peer, "wpf");
        var article = await AnyArticleAsync();
        await peer.SetBehaviourAsync(browser.Id, 400, times: 2);
        for (var i = 0; i < 2; i++)
        {
            await factory.QueueStoryAsync(reader.Id, subscriptionId, Story(9100 + i, article));
            await factory.DispatchAsync();
        }
        Assert.Equal(2, (await factory.SubscriptionAsync(subscriptionId))!.ConsecutiveFailures);
        await factory.QueueStoryAsync(reader.Id, subscriptionId, Story(9102, article));
        await factory.DispatchAsync();
        Assert.Equal(0, (await factory.SubscriptionAsync(subscriptionId))!.ConsecutiveFailures);

        await peer.SetBehaviourAsync(browser.Id, 403, times: 3);
        for (var i = 0; i < 3; i++)
        {
            Assert.NotNull(await factory.SubscriptionAsync(subscriptionId));
            await factory.QueueStoryAsync(reader.Id, subscriptionId, Story(9103 + i, article));
            await factory.DispatchAsync();
        }
        Assert.Null(await factory.SubscriptionAsync(subscriptionId));
        var outcomes = (await factory.DeliveriesOfAsync(reader.Id)).Select(d => d.Status).ToList();
        Assert.Equal([DeliveryStatus.Failed, DeliveryStatus.Failed, DeliveryStatus.Sent, DeliveryStatus.Failed, DeliveryStatus.Failed, DeliveryStatus.Failed], outcomes);
    }

    [Fact]
    public async Task AServerErrorIsRetriedAndTheNotificationArrivesOnce()
    {
        var (reader, browser, subscriptionId) = await factory.ReaderWithBrowserAsync(peer, "wp5");
        await peer.SetBehaviourAsync(browser.Id, 503, times: 2);
        var delivery = await factory.QueueStoryAsync(reader.Id, subscriptionId, Story(9200, await AnyArticleAsync()));
        for (var i = 0; i < 4; i++)
        {
            await factory.DispatchAsync();
            factory.Clock.Advance(TimeSpan.FromMinutes(5));
        }
        Assert.Single(await peer.MessagesAsync(browser.Id));
        Assert.Equal((DeliveryStatus.Sent, 3), ((await factory.DeliveryAsync(delivery.Id)).Status, (await factory.DeliveryAsync(delivery.Id)).Attempts));
    }

    [Fact]
    public async Task EveryBrowserOfAReaderGetsTheDigestOnceAndOneThatWantsNoDigestsGetsNone()
    {
        var (reader, first, _) = await factory.ReaderWithBrowserAsync(peer, "wpm", p => { p.TimeZoneId = "Asia/Tokyo"; p.DigestLocalTime = new TimeOnly(7, 0); });
        var second = await peer.SubscribeAsync("m2" + Guid.NewGuid().ToString("N")[..10], await factory.VapidPublicKeyAsync());
        var third = await peer.SubscribeAsync("m3" + Guid.NewGuid().ToString("N")[..10], await factory.VapidPublicKeyAsync());
        await factory.SubscribeAsync(reader.Id, second);
        await factory.SubscribeAsync(reader.Id, third, digests: false);
        factory.SetLocalTime("Asia/Tokyo", new DateTime(2026, 11, 24, 7, 1, 0));

        await factory.RunAndDeliverAsync();
        await factory.DispatchAsync();

        Assert.Single(await peer.WaitForMessagesAsync(1, TimeSpan.FromSeconds(20), first.Id));
        Assert.Single(await peer.WaitForMessagesAsync(1, TimeSpan.FromSeconds(20), second.Id));
        Assert.Empty(await peer.MessagesAsync(third.Id));
        Assert.Equal(2, (await factory.DeliveriesOfAsync(reader.Id)).Count(d => d.Channel == DeliveryChannel.WebPush && d.Status == DeliveryStatus.Sent));
    }

    [Fact]
    public async Task TheWeeklyCapCountsAllOfAReadersBrowsersAsOnePush()
    {
        // Cap 2 a week with the inbox and two browsers: the inbox and both browsers together are two pushes.
        var (reader, first, firstId) = await factory.ReaderWithBrowserAsync(peer, "wpcap", p =>
        {
            p.InboxEnabled = true;
            p.WeeklyPushCap = 2;
            p.TimeZoneId = "Europe/Berlin";
            p.DigestLocalTime = new TimeOnly(7, 0);
        });
        var second = await peer.SubscribeAsync("cap2" + Guid.NewGuid().ToString("N")[..10], await factory.VapidPublicKeyAsync());
        await factory.SubscribeAsync(reader.Id, second);
        factory.SetLocalTime("Europe/Berlin", new DateTime(2026, 11, 24, 7, 1, 0));
        await factory.RunAndDeliverAsync();
        Assert.Single(await peer.WaitForMessagesAsync(1, TimeSpan.FromSeconds(20), first.Id));
        Assert.Single(await peer.WaitForMessagesAsync(1, TimeSpan.FromSeconds(20), second.Id));
        Assert.Single(await factory.InboxOfAsync(reader.Id));

        // Two rows went to browsers for that one digest, yet they count as one push: with the inbox's, two of the cap of
        // two are used. Raised to three, the next push may go to one channel — the inbox, first in line — and no browser.
        await factory.WithDbAsync(async db =>
        {
            var p = await db.ReaderPreferences.SingleAsync(x => x.UserId == reader.Id);
            p.WeeklyPushCap = 3;
            await db.SaveChangesAsync();
        });
        await using var scope = factory.Services.CreateAsyncScope();
        var planner = scope.ServiceProvider.GetRequiredService<AudiencePlanner>();
        var plan = (await planner.PlanAsync([reader.Id], factory.Clock.Now.UtcDateTime.AddDays(1), respectQuietHours: false, CancellationToken.None))[reader.Id];
        Assert.Equal([DeliveryChannel.Inbox], plan.Endpoints.Select(e => e.Channel));
        // A week after the digest, the cap is free again: the inbox and every browser.
        plan = (await planner.PlanAsync([reader.Id], factory.Clock.Now.UtcDateTime.AddDays(7.1), respectQuietHours: false, CancellationToken.None))[reader.Id];
        Assert.Equal([DeliveryChannel.Inbox, DeliveryChannel.WebPush, DeliveryChannel.WebPush], plan.Endpoints.Select(e => e.Channel));
        Assert.Contains(plan.Endpoints, e => e.EndpointId == firstId);
    }

    [Fact]
    public async Task BreakingNewsInQuietHoursWaitsForTheirEndAndSkipsBrowsersThatDoNotWantIt()
    {
        var (reader, _, wantsId) = await factory.ReaderWithBrowserAsync(peer, "wpquiet", p =>
        {
            p.TimeZoneId = "America/New_York";
            p.QuietHoursStart = new TimeOnly(22, 0);
            p.QuietHoursEnd = new TimeOnly(7, 0);
        });
        var noBreaking = await peer.SubscribeAsync("nb" + Guid.NewGuid().ToString("N")[..10], await factory.VapidPublicKeyAsync());
        var noBreakingId = await factory.SubscribeAsync(reader.Id, noBreaking, digests: true, breaking: false);
        factory.SetLocalTime("America/New_York", new DateTime(2026, 11, 24, 23, 30, 0));

        await using var scope = factory.Services.CreateAsyncScope();
        var planner = scope.ServiceProvider.GetRequiredService<AudiencePlanner>();
        var plan = (await planner.PlanAsync([reader.Id], factory.Clock.Now.UtcDateTime, respectQuietHours: true, CancellationToken.None,
            DeliveryContentKind.Breaking))[reader.Id];

        var browser = Assert.Single(plan.Endpoints);
        Assert.Equal((DeliveryChannel.WebPush, wantsId), (browser.Channel, browser.EndpointId));
        Assert.DoesNotContain(plan.Endpoints, e => e.EndpointId == noBreakingId);
        // 07:00 the next morning in New York is 12:00 UTC.
        Assert.Equal(new DateTime(2026, 11, 25, 12, 0, 0, DateTimeKind.Utc), plan.NotBefore);
    }

    [Fact]
    public async Task ABrowserUnusedFor55DaysIsWarnedOnceAndAt60DaysItIsRemoved()
    {
        var (reader, browser, subscriptionId) = await factory.ReaderWithBrowserAsync(peer, "wpx");
        var start = factory.Clock.Now;
        try
        {
            factory.Clock.Now = start.AddDays(54);
            Assert.Equal(0, (await MaintainAsync()).Warned);

            factory.Clock.Now = start.AddDays(55).AddMinutes(1);
            var warned = await MaintainAsync();
            Assert.True(warned.Warned >= 1);
            await factory.DispatchAsync();
            var warning = Json(Assert.Single(await peer.WaitForMessagesAsync(1, TimeSpan.FromSeconds(20), browser.Id)));
            Assert.Equal("expiring", warning.GetProperty("kind").GetString());
            Assert.Contains("stop soon", warning.GetProperty("title").GetString(), StringComparison.Ordinal);

            factory.Clock.Now = start.AddDays(57);
            await MaintainAsync();
            await factory.DispatchAsync();
            Assert.Single(await peer.MessagesAsync(browser.Id));
            Assert.NotNull(await factory.SubscriptionAsync(subscriptionId));

            factory.Clock.Now = start.AddDays(60).AddMinutes(1);
            Assert.True((await MaintainAsync()).Removed >= 1);
            Assert.Null(await factory.SubscriptionAsync(subscriptionId));
            Assert.False(await factory.WithDbAsync(db => db.ReaderPreferences.Where(p => p.UserId == reader.Id).Select(p => p.WebPushEnabled).SingleAsync()));
        }
        finally
        {
            factory.Clock.Now = start;
        }
    }

    [Fact]
    public async Task ABrowserThatVisitsAgainIsNotExpired()
    {
        var (reader, browser, subscriptionId) = await factory.ReaderWithBrowserAsync(peer, "wpv");
        var start = factory.Clock.Now;
        try
        {
            factory.Clock.Now = start.AddDays(50);
            await factory.SubscribeAsync(reader.Id, browser); // the page posts the subscription again on a visit
            factory.Clock.Now = start.AddDays(61);
            await MaintainAsync();
            var kept = await factory.SubscriptionAsync(subscriptionId);
            Assert.NotNull(kept);
            Assert.Null(kept.ExpiryWarnedAt);
        }
        finally
        {
            factory.Clock.Now = start;
        }
    }

    private async Task<MaintenanceResult> MaintainAsync()
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<WebPushMaintenance>().RunAsync(CancellationToken.None);
    }
}

public sealed class SqliteWebPushDeliveryTests(WebPushFactory factory, PushServicePeer peer) : WebPushDeliveryTests<WebPushFactory>(factory, peer), IClassFixture<WebPushFactory>, IClassFixture<PushServicePeer>;

public sealed class PostgreSqlWebPushDeliveryTests(WebPushPostgreSqlFactory factory, PushServicePeer peer) : WebPushDeliveryTests<WebPushPostgreSqlFactory>(factory, peer), IClassFixture<WebPushPostgreSqlFactory>, IClassFixture<PushServicePeer>;
