using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace NewsPush.Tests.Web.Devices.Apns;

/// <summary>
/// The APNs peer refuses what Apple refuses, shown with a plain h2c <see cref="HttpClient"/> and the small JWT signer below
/// (not NewsPush's). Each test makes its own key (a new team) and device and sets the peer clock.
/// </summary>
public sealed class ApnsPeerTests(ApnsPeer peer) : IClassFixture<ApnsPeer>, IAsyncLifetime, IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);
    private const string Alert = """{"aps":{"alert":{"title":"t","body":"b"},"badge":1}}""";

    private readonly HttpClient client = new(new SocketsHttpHandler()) { Timeout = TimeSpan.FromSeconds(30) };
    private ApnsPeerKey key = null!;
    private string device = "";
    private string? current;

    public async Task InitializeAsync()
    {
        await peer.ResetAsync();
        await peer.SetClockAsync(Now);
        key = await peer.CreateKeyAsync();
        device = await peer.RegisterDeviceAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => client.Dispose();

    private static string Jwt(string pem, string kid, string iss, DateTimeOffset iat)
    {
        using var ecdsa = ECDsa.Create();
        ecdsa.ImportFromPem(pem);
        var input = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new { alg = "ES256", kid }))
            + "." + Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new { iss, iat = iat.ToUnixTimeSeconds() }));
        return input + "." + Base64Url.EncodeToString(ecdsa.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256));
    }

    // One token per test for "now", as a client must: ECDSA signatures differ each time, so every signing is a new token to APNs.
    private string GoodJwt(DateTimeOffset? iat = null) =>
        iat is { } at ? Jwt(key.PrivateKeyPem, key.KeyId, key.TeamId, at) : current ??= Jwt(key.PrivateKeyPem, key.KeyId, key.TeamId, Now);

    private async Task<(HttpStatusCode Status, string? Reason, HttpResponseMessage Response)> PostAsync(
        string? jwt, string body = Alert, Action<HttpRequestMessage>? change = null, string? token = null, Version? version = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"{peer.ApnsUrl}/3/device/{token ?? device}")
        {
            Version = version ?? HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        if (jwt is not null)
        {
            request.Headers.TryAddWithoutValidation("authorization", "bearer " + jwt);
        }
        request.Headers.TryAddWithoutValidation("apns-topic", key.BundleId);
        request.Headers.TryAddWithoutValidation("apns-push-type", "alert");
        change?.Invoke(request);
        var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var reason = text.Length == 0 ? null : JsonDocument.Parse(text).RootElement.GetProperty("reason").GetString();
        return (response.StatusCode, reason, response);
    }

    private static Action<HttpRequestMessage> Header(string name, string? value) => r =>
    {
        r.Headers.Remove(name);
        if (value is not null)
        {
            r.Headers.TryAddWithoutValidation(name, value);
        }
    };

    [Fact]
    public async Task AcceptsAWellFormedNotificationAndEchoesItsApnsId()
    {
        var id = Guid.NewGuid().ToString();

        var (status, reason, response) = await PostAsync(GoodJwt(), change: Header("apns-id", id));

        Assert.Equal((HttpStatusCode.OK, null), (status, reason));
        Assert.Equal(id, response.Headers.GetValues("apns-id").Single());
        var received = Assert.Single(await peer.NotificationsAsync(device));
        Assert.Equal("2.0", received.HttpVersion);
        Assert.Equal(1, received.Payload.GetProperty("aps").GetProperty("badge").GetInt32());
    }

    [Fact]
    public async Task RefusesATokenSignedByAnotherKey()
    {
        var other = await peer.CreateKeyAsync(key.BundleId);

        var (status, reason, _) = await PostAsync(Jwt(other.PrivateKeyPem, key.KeyId, key.TeamId, Now));

        Assert.Equal((HttpStatusCode.Forbidden, "InvalidProviderToken"), (status, reason));
    }

    [Fact]
    public async Task RefusesATokenOfAnotherTeam()
    {
        var (status, reason, _) = await PostAsync(Jwt(key.PrivateKeyPem, key.KeyId, "OTHERTEAM1", Now));

        Assert.Equal((HttpStatusCode.Forbidden, "InvalidProviderToken"), (status, reason));
    }

    [Fact]
    public async Task RefusesATokenMoreThanAnHourOldAsExpiredAndOneFromTheFutureAsInvalid()
    {
        var old = await PostAsync(GoodJwt(Now.AddMinutes(-61)));
        var future = await PostAsync(GoodJwt(Now.AddMinutes(1)));
        var hourOld = await PostAsync(GoodJwt(Now.AddMinutes(-60)));

        Assert.Equal((HttpStatusCode.Forbidden, "ExpiredProviderToken"), (old.Status, old.Reason));
        Assert.Equal((HttpStatusCode.Forbidden, "InvalidProviderToken"), (future.Status, future.Reason));
        Assert.Equal(HttpStatusCode.OK, hourOld.Status);
    }

    [Fact]
    public async Task RefusesARequestWithoutAProviderToken()
    {
        var (status, reason, _) = await PostAsync(null);

        Assert.Equal((HttpStatusCode.Forbidden, "MissingProviderToken"), (status, reason));
    }

    [Fact]
    public async Task RefusesANewTokenLessThan20MinutesAfterTheTeamsLast()
    {
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(GoodJwt(Now.AddMinutes(-30)))).Status);

        var tooSoon = await PostAsync(GoodJwt(Now.AddMinutes(-11)));
        var later = await PostAsync(GoodJwt(Now.AddMinutes(-10)));

        Assert.Equal((HttpStatusCode.TooManyRequests, "TooManyProviderTokenUpdates"), (tooSoon.Status, tooSoon.Reason));
        Assert.Equal(HttpStatusCode.OK, later.Status);
        Assert.Equal(1, (await peer.StatsAsync()).TokenUpdatesRefused);
    }

    [Theory]
    [InlineData("apns-topic", null, "MissingTopic")]
    [InlineData("apns-topic", "com.example.other", "TopicDisallowed")]
    [InlineData("apns-priority", "1", "BadPriority")]
    [InlineData("apns-expiration", "tomorrow", "BadExpirationDate")]
    [InlineData("apns-collapse-id", "0123456789012345678901234567890123456789012345678901234567890123x", "BadCollapseId")]
    [InlineData("apns-push-type", "carrier-pigeon", "InvalidPushType")]
    public async Task RefusesAHeaderApnsRefuses(string header, string? value, string expected)
    {
        var (status, reason, _) = await PostAsync(GoodJwt(), change: Header(header, value));

        Assert.Equal((HttpStatusCode.BadRequest, expected), (status, reason));
        Assert.Empty(await peer.NotificationsAsync());
    }

    [Fact]
    public async Task RefusesPriority10ForABackgroundPush()
    {
        var (status, reason, _) = await PostAsync(GoodJwt(), """{"aps":{"content-available":1}}""",
            r => { Header("apns-push-type", "background")(r); Header("apns-priority", "10")(r); });

        Assert.Equal((HttpStatusCode.BadRequest, "BadPriority"), (status, reason));
    }

    [Theory]
    [InlineData("", "PayloadEmpty")]
    [InlineData("""{"url":"x"}""", "PayloadEmpty")]
    [InlineData("""{"aps":{"alert":{"title":"t"},"badge":-1}}""", "BadPayload")]
    [InlineData("""{"aps":{"badge":1}}""", "BadPayload")]
    public async Task RefusesAPayloadApnsRefuses(string body, string expected)
    {
        var (status, reason, _) = await PostAsync(GoodJwt(), body);

        Assert.Equal((HttpStatusCode.BadRequest, expected), (status, reason));
    }

    [Fact]
    public async Task RefusesAPayloadOver4096BytesAndAcceptsOneOfExactly4096()
    {
        string Body(int bytes)
        {
            var head = """{"aps":{"alert":{"title":"t"}},"pad":""";
            return head + "\"" + new string('x', bytes - head.Length - 3) + "\"}";
        }

        var over = await PostAsync(GoodJwt(), Body(4097));
        var exact = await PostAsync(GoodJwt(), Body(4096));

        Assert.Equal((HttpStatusCode.RequestEntityTooLarge, "PayloadTooLarge"), (over.Status, over.Reason));
        Assert.Equal(HttpStatusCode.OK, exact.Status);
        Assert.Equal(4096, Assert.Single(await peer.NotificationsAsync()).Bytes);
    }

    [Fact]
    public async Task RefusesUnknownAndMalformedDeviceTokens()
    {
        var unknown = await PostAsync(GoodJwt(), token: new string('a', 64));
        var malformed = await PostAsync(GoodJwt(), token: "abc");

        Assert.Equal((HttpStatusCode.BadRequest, "BadDeviceToken"), (unknown.Status, unknown.Reason));
        Assert.Equal((HttpStatusCode.BadRequest, "BadDeviceToken"), (malformed.Status, malformed.Reason));
    }

    [Fact]
    public async Task AnswersGoneWithTheTimestampForAnUnregisteredDevice()
    {
        var at = Now.AddHours(-2);
        await peer.UnregisterAsync(device, at);

        var request = new HttpRequestMessage(HttpMethod.Post, $"{peer.ApnsUrl}/3/device/{device}")
        {
            Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact, Content = new StringContent(Alert),
        };
        request.Headers.TryAddWithoutValidation("authorization", "bearer " + GoodJwt());
        request.Headers.TryAddWithoutValidation("apns-topic", key.BundleId);
        using var response = await client.SendAsync(request);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.Gone, response.StatusCode);
        Assert.Equal("Unregistered", body.RootElement.GetProperty("reason").GetString());
        Assert.Equal(at.ToUnixTimeMilliseconds(), body.RootElement.GetProperty("timestamp").GetInt64());
    }

    [Fact]
    public async Task DropsAnHttp11Request()
    {
        await Assert.ThrowsAsync<HttpRequestException>(() => PostAsync(GoodJwt(), version: HttpVersion.Version11));

        Assert.Empty(await peer.NotificationsAsync());
        Assert.Equal(1, (await peer.StatsAsync()).BadPrefaces);
    }
}
