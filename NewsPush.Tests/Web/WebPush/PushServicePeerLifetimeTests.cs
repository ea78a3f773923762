using Lib.Net.Http.WebPush;
using Lib.Net.Http.WebPush.Authentication;

namespace NewsPush.Tests.Web.WebPush;

/// <summary>The peer on its own (not a shared fixture): its counters, reset, and that disposing it stops node.</summary>
public sealed class PushServicePeerLifetimeTests
{
    [Fact]
    public async Task CountsAcceptedRejectedAndReplacedPushesAndResetClearsThemButKeepsSubscriptions()
    {
        await using var peer = await PushServicePeer.StartAsync();
        var vapid = VapidKeys.Generate();
        var subscription = await peer.SubscribeAsync("stats", vapid.PublicKey);
        using var authentication = new VapidAuthentication(vapid.PublicKey, vapid.PrivateKey) { Subject = "mailto:push@newspush.test" };
        var client = new PushServiceClient(peer.Http) { DefaultAuthentication = authentication, AutoRetryAfter = false };
        var push = subscription.ToPushSubscription();
        await client.RequestPushMessageDeliveryAsync(push, new PushMessage("a") { TimeToLive = 60, Topic = "t" });
        await client.RequestPushMessageDeliveryAsync(push, new PushMessage("b") { TimeToLive = 60, Topic = "t" });
        await Assert.ThrowsAsync<PushServiceClientException>(() => client.RequestPushMessageDeliveryAsync(push, new PushMessage("c") { TimeToLive = 60, Topic = "not valid" }));

        var stats = await peer.StatsAsync();

        Assert.Equal(3, stats.GetProperty("requests").GetInt32());
        Assert.Equal(2, stats.GetProperty("accepted").GetInt32());
        Assert.Equal(1, stats.GetProperty("rejected").GetInt32());
        Assert.Equal(1, stats.GetProperty("replaced").GetInt32());
        Assert.Equal(2, stats.GetProperty("statuses").GetProperty("201").GetInt32());
        Assert.Equal(1, stats.GetProperty("statuses").GetProperty("400").GetInt32());

        await peer.ResetAsync();

        Assert.Empty(await peer.MessagesAsync());
        Assert.Empty(await peer.RejectedAsync());
        Assert.Equal(0, (await peer.StatsAsync()).GetProperty("requests").GetInt32());
        await client.RequestPushMessageDeliveryAsync(push, new PushMessage("after reset") { TimeToLive = 60 });
        Assert.Equal("after reset", Assert.Single(await peer.MessagesAsync("stats")).Plaintext);
    }

    [Fact]
    public async Task RefusesASecondSubscriptionWithTheSameId()
    {
        await using var peer = await PushServicePeer.StartAsync();
        var key = VapidKeys.Generate().PublicKey;
        await peer.SubscribeAsync("once", key);

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => peer.SubscribeAsync("once", key));

        Assert.Equal(System.Net.HttpStatusCode.Conflict, error.StatusCode);
    }

    [Fact]
    public async Task DisposingThePeerStopsNode()
    {
        string baseUrl;
        await using (var peer = await PushServicePeer.StartAsync())
        {
            baseUrl = peer.BaseUrl;
            Assert.Empty(await peer.MessagesAsync());
        }
        using var http = new HttpClient();

        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(new Uri($"{baseUrl}/_control/stats")));
    }
}
