using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using Lib.Net.Http.WebPush;
using Lib.Net.Http.WebPush.Authentication;

namespace NewsPush.Tests.Web.WebPush;

/// <summary>
/// The push service peer accepts what Lib.Net.Http.WebPush sends when it is right, and refuses it the way a real push
/// service does when it is not. Every test has its own subscription; the tests that change the peer's limit put it back.
/// </summary>
public sealed class PushServicePeerTests(PushServicePeer peer) : IClassFixture<PushServicePeer>
{
    private const string Subject = "mailto:push@newspush.test";
    private readonly VapidKeys vapid = VapidKeys.Generate();

    [Fact]
    public async Task AcceptsALibNetPushAndRecordsItsHeadersAndPlaintext()
    {
        var subscription = await SubscribeAsync();
        const string json = """{"title":"Storm warning","body":"Coastal roads close at 18:00","url":"https://newspush.test/s/42"}""";
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);

        await Client().RequestPushMessageDeliveryAsync(subscription.ToPushSubscription(),
            new PushMessage(json) { TimeToLive = 3600, Topic = "story-42", Urgency = PushMessageUrgency.High });

        var message = Assert.Single(await peer.WaitForMessagesAsync(1, TimeSpan.FromSeconds(5), subscription.Id));
        Assert.Equal(json, message.Plaintext);
        Assert.Equal(3600, message.Ttl);
        Assert.Equal("high", message.Urgency);
        Assert.Equal("story-42", message.Topic);
        Assert.Equal("aes128gcm", message.ContentEncoding);
        Assert.Equal(1, message.Records);
        Assert.Equal(Base64Url.DecodeFromChars(message.Body).Length, message.BodyBytes);
        Assert.False(message.Replaced);
        Assert.InRange(message.ReceivedAt, before, DateTimeOffset.UtcNow.AddSeconds(1));
        // Lib.Net signs the origin without the port; the peer allows for that.
        Assert.Equal("http://127.0.0.1", message.Jwt.GetProperty("aud").GetString());
        Assert.Equal(Subject, message.Jwt.GetProperty("sub").GetString());
    }

    [Fact]
    public async Task SendsNoUrgencyForNormalAndMarksAnOutstandingMessageWithTheSameTopicReplaced()
    {
        var subscription = await SubscribeAsync();
        var client = Client();

        await client.RequestPushMessageDeliveryAsync(subscription.ToPushSubscription(), new PushMessage("first") { TimeToLive = 600, Topic = "live" });
        await client.RequestPushMessageDeliveryAsync(subscription.ToPushSubscription(), new PushMessage("second") { TimeToLive = 600, Topic = "live" });

        var messages = await peer.MessagesAsync(subscription.Id);
        Assert.Equal(["first", "second"], messages.Select(m => m.Plaintext));
        Assert.Equal([true, false], messages.Select(m => m.Replaced));
        Assert.All(messages, m => Assert.Null(m.Urgency));
    }

    [Fact]
    public async Task RefusesAPushWithoutTtlWith400()
    {
        var subscription = await SubscribeAsync();
        using var request = RawPush(subscription);
        request.Headers.Remove("TTL");

        using var response = await peer.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("TTL", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await AssertRejectedAsync(subscription, 400, "TTL");
    }

    [Fact]
    public async Task AcceptsAPushWeEncryptAndSignOurselves()
    {
        // The raw request the refusal tests change one thing of: right as it is.
        var subscription = await SubscribeAsync();
        using var request = RawPush(subscription);

        using var response = await peer.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.NotNull(response.Headers.Location);
        Assert.Equal("raw", Assert.Single(await peer.MessagesAsync(subscription.Id)).Plaintext);
    }

    [Theory]
    [InlineData("TTL", "soon", 400)]
    [InlineData("Urgency", "urgent", 400)]
    [InlineData("Topic", "has space", 400)]
    [InlineData("Content-Encoding", "aesgcm", 415)]
    public async Task RefusesABadHeader(string header, string value, int status)
    {
        var subscription = await SubscribeAsync();
        using var request = RawPush(subscription);
        if (header == "Content-Encoding")
        {
            request.Content!.Headers.ContentEncoding.Clear();
            request.Content.Headers.ContentEncoding.Add(value);
        }
        else
        {
            request.Headers.Remove(header);
            request.Headers.TryAddWithoutValidation(header, value);
        }

        using var response = await peer.Http.SendAsync(request);

        Assert.Equal(status, (int)response.StatusCode);
        await AssertRejectedAsync(subscription, status, header);
    }

    [Fact]
    public async Task RefusesABodyThatFailsAuthenticationWith400()
    {
        var subscription = await SubscribeAsync();
        var body = Rfc8291.Encrypt("raw"u8.ToArray(), Base64Url.DecodeFromChars(subscription.P256dh), Base64Url.DecodeFromChars(subscription.Auth));
        body[^1] ^= 0x01;
        using var request = RawPush(subscription, body: body);

        using var response = await peer.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await AssertRejectedAsync(subscription, 400, "decrypt");
    }

    [Fact]
    public async Task RefusesABodyWhosePaddingDelimiterIsNot0x02With400()
    {
        var subscription = await SubscribeAsync();
        using var sender = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var key = sender.ExportParameters(includePrivateParameters: true);
        var body = Rfc8291.Encrypt("raw"u8.ToArray(), Base64Url.DecodeFromChars(subscription.P256dh), Base64Url.DecodeFromChars(subscription.Auth),
            key.D!, [0x04, .. key.Q.X!, .. key.Q.Y!], RandomNumberGenerator.GetBytes(16), paddingDelimiter: 0x01);
        using var request = RawPush(subscription, body: body);

        using var response = await peer.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await AssertRejectedAsync(subscription, 400, "decrypt");
    }

    [Fact]
    public async Task RefusesATopicOf33CharactersWhichLibNetSendsUnchecked()
    {
        var subscription = await SubscribeAsync();

        var error = await Assert.ThrowsAsync<PushServiceClientException>(() => Client().RequestPushMessageDeliveryAsync(
            subscription.ToPushSubscription(), new PushMessage("x") { TimeToLive = 60, Topic = new string('a', 33) }));

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        await AssertRejectedAsync(subscription, 400, "Topic");
    }

    [Fact]
    public async Task RefusesAPushWithoutAuthorizationWith401()
    {
        var subscription = await SubscribeAsync();
        using var request = RawPush(subscription);
        request.Headers.Authorization = null;

        using var response = await peer.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task RefusesATokenSignedWithAnotherKeyPairWith403()
    {
        var subscription = await SubscribeAsync();
        var other = VapidKeys.Generate();
        using var otherAuthentication = new VapidAuthentication(other.PublicKey, other.PrivateKey) { Subject = Subject };
        var client = new PushServiceClient(peer.Http) { DefaultAuthentication = otherAuthentication, AutoRetryAfter = false };

        var error = await Assert.ThrowsAsync<PushServiceClientException>(() =>
            client.RequestPushMessageDeliveryAsync(subscription.ToPushSubscription(), new PushMessage("x") { TimeToLive = 60 }));

        Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
        await AssertRejectedAsync(subscription, 403, "applicationServerKey");
        Assert.Empty(await peer.MessagesAsync(subscription.Id));
    }

    [Fact]
    public async Task RefusesASignatureThatDoesNotMatchKWith403()
    {
        var subscription = await SubscribeAsync();
        var token = Vapid.Sign(VapidKeys.Generate(), Claims(peer.BaseUrl, DateTimeOffset.UtcNow.AddHours(1)));

        await AssertRawPushRefusedAsync(subscription, Vapid.Header(token, vapid.PublicKey), 403, "signature");
    }

    [Fact]
    public async Task RefusesAnExpiredTokenWith403()
    {
        var subscription = await SubscribeAsync();
        var token = Vapid.Sign(vapid, Claims(peer.BaseUrl, DateTimeOffset.UtcNow.AddMinutes(-1)));

        await AssertRawPushRefusedAsync(subscription, Vapid.Header(token, vapid.PublicKey), 403, "exp");
    }

    [Fact]
    public async Task RefusesATokenValidForMoreThan24HoursWith403()
    {
        var subscription = await SubscribeAsync();
        var token = Vapid.Sign(vapid, Claims(peer.BaseUrl, DateTimeOffset.UtcNow.AddHours(25)));

        await AssertRawPushRefusedAsync(subscription, Vapid.Header(token, vapid.PublicKey), 403, "24 h");
    }

    [Fact]
    public async Task RefusesATokenForAnotherOriginWith403()
    {
        var subscription = await SubscribeAsync();
        var token = Vapid.Sign(vapid, Claims("https://fcm.googleapis.com", DateTimeOffset.UtcNow.AddHours(1)));

        await AssertRawPushRefusedAsync(subscription, Vapid.Header(token, vapid.PublicKey), 403, "aud");
    }

    [Fact]
    public async Task RefusesATokenWithoutSubWith403()
    {
        var subscription = await SubscribeAsync();
        var token = Vapid.Sign(vapid, new { aud = peer.BaseUrl, exp = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds() });

        await AssertRawPushRefusedAsync(subscription, Vapid.Header(token, vapid.PublicKey), 403, "sub");
    }

    [Fact]
    public async Task RefusesABodyOver4096BytesWith413()
    {
        var subscription = await SubscribeAsync();

        var error = await Assert.ThrowsAsync<PushServiceClientException>(() => Client().RequestPushMessageDeliveryAsync(
            subscription.ToPushSubscription(), new PushMessage(new string('n', 4100)) { TimeToLive = 60 }));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, error.StatusCode);
        await AssertRejectedAsync(subscription, 413, "4096");
    }

    [Fact]
    public async Task AcceptsTheLargestOneRecordBodyA4096ByteServiceAllows()
    {
        // RFC 8291: 4096 - 86 (header) - 16 (tag) - 1 (delimiter) = 3993 bytes of plaintext.
        var subscription = await SubscribeAsync();

        await Client().RequestPushMessageDeliveryAsync(subscription.ToPushSubscription(), new PushMessage(new string('n', 3993)) { TimeToLive = 60 });

        var message = Assert.Single(await peer.MessagesAsync(subscription.Id));
        Assert.Equal(4096, message.BodyBytes);
        Assert.Equal(3993, message.Plaintext.Length);
    }

    [Fact]
    public async Task RefusesTheTwoRecordBodyLibNetBuildsFor5000BytesWith400()
    {
        var subscription = await SubscribeAsync();
        await peer.SetMaxBodyBytesAsync(8192);
        try
        {
            var error = await Assert.ThrowsAsync<PushServiceClientException>(() => Client().RequestPushMessageDeliveryAsync(
                subscription.ToPushSubscription(), new PushMessage(new string('n', 5000)) { TimeToLive = 60 }));

            Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
            await AssertRejectedAsync(subscription, 400, "2 records");
        }
        finally
        {
            await peer.SetMaxBodyBytesAsync(4096);
        }
    }

    [Fact]
    public async Task AnswersTheBehaviour429WithRetryAfterOnceAndThenAccepts()
    {
        var subscription = await SubscribeAsync();
        await peer.SetBehaviourAsync(subscription.Id, 429, retryAfterSeconds: 7, times: 1);
        var client = Client();

        var error = await Assert.ThrowsAsync<PushServiceClientException>(() =>
            client.RequestPushMessageDeliveryAsync(subscription.ToPushSubscription(), new PushMessage("first try") { TimeToLive = 60 }));
        await client.RequestPushMessageDeliveryAsync(subscription.ToPushSubscription(), new PushMessage("second try") { TimeToLive = 60 });

        Assert.Equal(HttpStatusCode.TooManyRequests, error.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), error.Headers.RetryAfter?.Delta);
        Assert.Equal("second try", Assert.Single(await peer.MessagesAsync(subscription.Id)).Plaintext);
    }

    [Fact]
    public async Task AnswersEveryPushWithTheBehaviourUntilItIsCleared()
    {
        var subscription = await SubscribeAsync();
        await peer.SetBehaviourAsync(subscription.Id, 503);
        var client = Client();

        for (var i = 0; i < 3; i++)
        {
            var error = await Assert.ThrowsAsync<PushServiceClientException>(() =>
                client.RequestPushMessageDeliveryAsync(subscription.ToPushSubscription(), new PushMessage("x") { TimeToLive = 60 }));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, error.StatusCode);
        }
        await peer.ClearBehaviourAsync(subscription.Id);
        await client.RequestPushMessageDeliveryAsync(subscription.ToPushSubscription(), new PushMessage("y") { TimeToLive = 60 });

        Assert.Single(await peer.MessagesAsync(subscription.Id));
    }

    [Fact]
    public async Task AnswersAnUnsubscribedEndpointWith410()
    {
        var subscription = await SubscribeAsync();
        await peer.UnsubscribeAsync(subscription.Id);

        var error = await Assert.ThrowsAsync<PushServiceClientException>(() =>
            Client().RequestPushMessageDeliveryAsync(subscription.ToPushSubscription(), new PushMessage("x") { TimeToLive = 60 }));

        Assert.Equal(HttpStatusCode.Gone, error.StatusCode);
    }

    [Fact]
    public async Task AnswersAnUnknownEndpointWith404()
    {
        var subscription = await SubscribeAsync();
        var unknown = subscription with { Endpoint = new Uri($"{peer.BaseUrl}/push/never-subscribed-{Guid.NewGuid():N}") };

        var error = await Assert.ThrowsAsync<PushServiceClientException>(() =>
            Client().RequestPushMessageDeliveryAsync(unknown.ToPushSubscription(), new PushMessage("x") { TimeToLive = 60 }));

        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task WaitingForMessagesThatNeverComeSaysWhatWasRejected()
    {
        var subscription = await SubscribeAsync();
        using var request = RawPush(subscription);
        request.Headers.Remove("TTL");
        using var response = await peer.Http.SendAsync(request);

        var error = await Assert.ThrowsAsync<TimeoutException>(() => peer.WaitForMessagesAsync(1, TimeSpan.FromMilliseconds(200), subscription.Id));

        Assert.Contains("0 of 1", error.Message, StringComparison.Ordinal);
        Assert.Contains("TTL is missing", error.Message, StringComparison.Ordinal);
    }

    private async Task<PeerSubscription> SubscribeAsync() => await peer.SubscribeAsync($"t-{Guid.NewGuid():N}", vapid.PublicKey);

    private PushServiceClient Client() => new(peer.Http)
    {
        DefaultAuthentication = new VapidAuthentication(vapid.PublicKey, vapid.PrivateKey) { Subject = Subject },
        AutoRetryAfter = false,
    };

    private static object Claims(string aud, DateTimeOffset exp) => new { aud, exp = exp.ToUnixTimeSeconds(), sub = Subject };

    /// <summary>A push built by hand (our encryptor, our signer) that the peer accepts as it is.</summary>
    private HttpRequestMessage RawPush(PeerSubscription subscription, string? authorization = null, byte[]? body = null)
    {
        body ??= Rfc8291.Encrypt("raw"u8.ToArray(), Base64Url.DecodeFromChars(subscription.P256dh), Base64Url.DecodeFromChars(subscription.Auth));
        var request = new HttpRequestMessage(HttpMethod.Post, subscription.Endpoint) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentEncoding.Add("aes128gcm");
        request.Content.Headers.ContentType = new("application/octet-stream");
        request.Headers.TryAddWithoutValidation("TTL", "60");
        request.Headers.TryAddWithoutValidation("Authorization",
            authorization ?? Vapid.Header(Vapid.Sign(vapid, Claims(peer.BaseUrl, DateTimeOffset.UtcNow.AddHours(12))), vapid.PublicKey));
        return request;
    }

    private async Task AssertRawPushRefusedAsync(PeerSubscription subscription, string authorization, int status, string reason)
    {
        using var request = RawPush(subscription, authorization);

        using var response = await peer.Http.SendAsync(request);

        Assert.Equal(status, (int)response.StatusCode);
        await AssertRejectedAsync(subscription, status, reason);
        Assert.Empty(await peer.MessagesAsync(subscription.Id));
    }

    private async Task AssertRejectedAsync(PeerSubscription subscription, int status, string reason)
    {
        var rejection = Assert.Single(await peer.RejectedAsync(), r => r.SubscriptionId == subscription.Id);
        Assert.Equal(status, rejection.Status);
        Assert.Contains(reason, rejection.Reason, StringComparison.Ordinal);
    }
}
