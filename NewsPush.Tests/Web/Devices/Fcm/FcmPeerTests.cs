using System.Buffers.Text;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace NewsPush.Tests.Web.Devices.Fcm;

/// <summary>
/// The FCM peer refuses what Google refuses: assertions that are forged, for another audience or too long-lived, and
/// messages FCM would not take. Each refusal is paired with the same request done right, which the peer accepts.
/// </summary>
public sealed class FcmPeerTests(FcmPeer peer) : IClassFixture<FcmPeer>
{
    private const string Scope = "https://www.googleapis.com/auth/firebase.messaging";
    private const string Audience = "https://oauth2.googleapis.com/token";

    [Fact]
    public async Task IssuesAnAccessTokenGivenAProperlySignedAssertion()
    {
        var account = await peer.CreateAccountAsync();

        using var response = await RequestTokenAsync(Assertion(account));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Bearer", json.GetProperty("token_type").GetString());
        Assert.Equal(3599, json.GetProperty("expires_in").GetInt32());
        Assert.False(string.IsNullOrEmpty(json.GetProperty("access_token").GetString()));
    }

    [Fact]
    public async Task RefusesAnAssertionSignedWithAnotherKey()
    {
        var account = await peer.CreateAccountAsync();
        var forger = await peer.CreateAccountAsync();

        var (status, error) = await TokenErrorAsync(Assertion(account, signingKeyPem: forger.PrivateKeyPem));

        Assert.Equal((HttpStatusCode.BadRequest, "invalid_grant"), (status, error));
    }

    [Fact]
    public async Task RefusesAnAssertionWithTheKidOfAnotherKey()
    {
        var account = await peer.CreateAccountAsync();
        var other = await peer.CreateAccountAsync();

        var (status, error) = await TokenErrorAsync(Assertion(account, kid: other.PrivateKeyId));

        Assert.Equal((HttpStatusCode.BadRequest, "invalid_grant"), (status, error));
    }

    [Theory]
    [InlineData("http://127.0.0.1/token")]
    [InlineData("https://www.googleapis.com/oauth2/v4/token")]
    public async Task RefusesAnAssertionForAnotherAudience(string audience)
    {
        var account = await peer.CreateAccountAsync();

        var (status, error) = await TokenErrorAsync(Assertion(account, audience: audience));

        Assert.Equal((HttpStatusCode.BadRequest, "invalid_grant"), (status, error));
    }

    [Theory]
    [InlineData(0, 3601)]
    [InlineData(-7200, -3600)]
    [InlineData(3600, 4000)]
    [InlineData(100, 100)]
    public async Task RefusesAnAssertionOutsideAReasonableTimeframe(int iatOffset, int expOffset)
    {
        var account = await peer.CreateAccountAsync();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        var (status, error) = await TokenErrorAsync(Assertion(account, iat: now + iatOffset, exp: now + expOffset));

        Assert.Equal((HttpStatusCode.BadRequest, "invalid_grant"), (status, error));
    }

    [Fact]
    public async Task RefusesAnAssertionWithoutTheMessagingScope()
    {
        var account = await peer.CreateAccountAsync();

        var (status, error) = await TokenErrorAsync(Assertion(account, scope: "https://www.googleapis.com/auth/cloud-platform"));

        Assert.Equal((HttpStatusCode.BadRequest, "invalid_scope"), (status, error));
    }

    [Fact]
    public async Task RefusesAnotherGrantType()
    {
        var account = await peer.CreateAccountAsync();

        var (status, error) = await TokenErrorAsync(Assertion(account), grantType: "client_credentials");

        Assert.Equal((HttpStatusCode.BadRequest, "unsupported_grant_type"), (status, error));
    }

    [Fact]
    public async Task RefusesAnHs256Assertion()
    {
        var account = await peer.CreateAccountAsync();
        var header = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new { alg = "HS256", typ = "JWT", kid = account.PrivateKeyId }));
        var claims = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(Claims(account)));
        var signature = Base64Url.EncodeToString(HMACSHA256.HashData(Encoding.UTF8.GetBytes(account.PrivateKeyId), Encoding.ASCII.GetBytes($"{header}.{claims}")));

        var (status, error) = await TokenErrorAsync($"{header}.{claims}.{signature}");

        Assert.Equal((HttpStatusCode.BadRequest, "invalid_grant"), (status, error));
    }

    [Fact]
    public async Task AcceptsAWellFormedMessage()
    {
        var (account, token, device) = await SenderAsync();

        using var response = await SendAsync(account.ProjectId, token, Message(device));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith($"projects/{account.ProjectId}/messages/", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("name").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("from")]
    [InlineData("message_type")]
    [InlineData("collapse_key")]
    [InlineData("gcm.notification.body")]
    [InlineData("google.c.a.e")]
    public async Task RefusesAReservedDataKey(string key)
    {
        var (account, token, device) = await SenderAsync();
        var message = Message(device);
        message["data"]![key] = "1";

        await AssertInvalidArgumentAsync(account.ProjectId, token, message);
    }

    [Theory]
    [InlineData("3600")]
    [InlineData("1.5m")]
    [InlineData("-5s")]
    [InlineData("1.1234567891s")]
    [InlineData("2419201s")]
    public async Task RefusesABadTtl(string ttl)
    {
        var (account, token, device) = await SenderAsync();
        var message = Message(device);
        message["android"]!["ttl"] = ttl;

        await AssertInvalidArgumentAsync(account.ProjectId, token, message);
    }

    [Fact]
    public async Task AcceptsTheLongestTtl()
    {
        var (account, token, device) = await SenderAsync();
        var message = Message(device);
        message["android"]!["ttl"] = "2419200.000000000s";

        using var response = await SendAsync(account.ProjectId, token, message);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task RefusesAMessageOver4096Bytes()
    {
        var (account, token, device) = await SenderAsync();
        var message = Message(device);
        message["notification"]!["body"] = new string('x', 4096);

        await AssertInvalidArgumentAsync(account.ProjectId, token, message);
    }

    [Fact]
    public async Task RefusesAMessageWithTwoTargets()
    {
        var (account, token, device) = await SenderAsync();
        var message = Message(device);
        message["topic"] = "breaking";

        await AssertInvalidArgumentAsync(account.ProjectId, token, message);
    }

    [Fact]
    public async Task RefusesANonStringDataValue()
    {
        var (account, token, device) = await SenderAsync();
        var message = Message(device);
        message["data"]!["articleId"] = 42;

        await AssertInvalidArgumentAsync(account.ProjectId, token, message);
    }

    [Fact]
    public async Task RefusesAnUnknownPriorityAndAnUnknownField()
    {
        var (account, token, device) = await SenderAsync();
        var urgent = Message(device);
        urgent["android"]!["priority"] = "urgent";
        var unknown = Message(device);
        unknown["android"]!["notification"]!["badge"] = 3;

        await AssertInvalidArgumentAsync(account.ProjectId, token, urgent);
        await AssertInvalidArgumentAsync(account.ProjectId, token, unknown);
    }

    [Fact]
    public async Task RefusesAMissingOrRevokedAccessTokenAndAnotherProject()
    {
        var (account, token, device) = await SenderAsync();
        var other = await peer.CreateAccountAsync();

        using var otherProject = await SendAsync(other.ProjectId, token, Message(device));
        using var missing = await SendAsync(account.ProjectId, "ya29.made-up", Message(device));
        await peer.RevokeAccessTokensAsync(account.ProjectId);
        using var revoked = await SendAsync(account.ProjectId, token, Message(device));

        Assert.Equal((HttpStatusCode.Forbidden, "PERMISSION_DENIED"), (otherProject.StatusCode, await GoogleStatusAsync(otherProject)));
        Assert.Equal((HttpStatusCode.Unauthorized, "UNAUTHENTICATED"), (missing.StatusCode, await GoogleStatusAsync(missing)));
        Assert.Equal((HttpStatusCode.Unauthorized, "UNAUTHENTICATED"), (revoked.StatusCode, await GoogleStatusAsync(revoked)));
    }

    [Fact]
    public async Task AnswersUnregisteredInFcmsShapeGivenAnUnknownToken()
    {
        var (account, token, _) = await SenderAsync();

        using var response = await SendAsync(account.ProjectId, token, Message("unknown0:APA91b" + new string('y', 100)));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        Assert.Equal(404, error.GetProperty("code").GetInt32());
        Assert.Equal("NOT_FOUND", error.GetProperty("status").GetString());
        var detail = Assert.Single(error.GetProperty("details").EnumerateArray());
        Assert.Equal("type.googleapis.com/google.firebase.fcm.v1.FcmError", detail.GetProperty("@type").GetString());
        Assert.Equal("UNREGISTERED", detail.GetProperty("errorCode").GetString());
    }

    private async Task AssertInvalidArgumentAsync(string project, string token, JsonObject message)
    {
        using var response = await SendAsync(project, token, message);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode} {text}");
        var error = JsonDocument.Parse(text).RootElement.GetProperty("error");
        Assert.Equal("INVALID_ARGUMENT", error.GetProperty("status").GetString());
        Assert.Contains(error.GetProperty("details").EnumerateArray(), d => d.TryGetProperty("errorCode", out var c) && c.GetString() == "INVALID_ARGUMENT");
        Assert.DoesNotContain("registration token", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    private async Task<(PeerServiceAccount Account, string AccessToken, string Device)> SenderAsync()
    {
        var account = await peer.CreateAccountAsync();
        var device = (await peer.RegisterDevicesAsync(account.ProjectId))[0];
        using var response = await RequestTokenAsync(Assertion(account));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (account, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!, device);
    }

    private async Task<HttpResponseMessage> SendAsync(string project, string accessToken, JsonObject message)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"v1/projects/{project}/messages:send")
        {
            Content = new StringContent(new JsonObject { ["message"] = message }.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return await peer.Http.SendAsync(request);
    }

    private static async Task<string?> GoogleStatusAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetProperty("status").GetString();

    private static JsonObject Message(string device) => new()
    {
        ["token"] = device,
        ["notification"] = new JsonObject { ["title"] = "Flood warning", ["body"] = "The river crests tonight." },
        ["data"] = new JsonObject { ["url"] = "https://news.example/a/42", ["articleId"] = "42" },
        ["android"] = new JsonObject
        {
            ["collapse_key"] = "breaking-42", ["priority"] = "high", ["ttl"] = "3600s",
            ["notification"] = new JsonObject { ["tag"] = "breaking-42", ["notification_count"] = 1 },
        },
    };

    private Task<HttpResponseMessage> RequestTokenAsync(string assertion, string grantType = "urn:ietf:params:oauth:grant-type:jwt-bearer") =>
        peer.Http.PostAsync("token", new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = grantType, ["assertion"] = assertion }));

    private async Task<(HttpStatusCode Status, string? Error)> TokenErrorAsync(string assertion, string grantType = "urn:ietf:params:oauth:grant-type:jwt-bearer")
    {
        using var response = await RequestTokenAsync(assertion, grantType);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (response.StatusCode, json.TryGetProperty("error", out var e) ? e.GetString() : null);
    }

    private static Dictionary<string, object> Claims(PeerServiceAccount account, string? audience = null, string? scope = null, long? iat = null, long? exp = null)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return new Dictionary<string, object>
        {
            ["iss"] = account.ClientEmail, ["scope"] = scope ?? Scope, ["aud"] = audience ?? Audience,
            ["iat"] = iat ?? now, ["exp"] = exp ?? now + 3600,
        };
    }

    /// <summary>An RS256 JWT-bearer assertion as Google.Apis.Auth makes one, with one thing changed.</summary>
    private static string Assertion(PeerServiceAccount account, string? signingKeyPem = null, string? kid = null, string? audience = null,
        string? scope = null, long? iat = null, long? exp = null)
    {
        var header = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new { alg = "RS256", typ = "JWT", kid = kid ?? account.PrivateKeyId }));
        var claims = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(Claims(account, audience, scope, iat, exp)));
        using var rsa = RSA.Create();
        rsa.ImportFromPem(signingKeyPem ?? account.PrivateKeyPem);
        var signature = rsa.SignData(Encoding.ASCII.GetBytes($"{header}.{claims}"), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{header}.{claims}.{Base64Url.EncodeToString(signature)}";
    }
}
