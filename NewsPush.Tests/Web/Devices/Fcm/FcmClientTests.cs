using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NewsPush.Tests.Infrastructure;
using NewsPush.Web.Devices.Fcm;

namespace NewsPush.Tests.Web.Devices.Fcm;

/// <summary>
/// The FCM client against the local FCM peer (which plays Google's token endpoint too). Each test makes its own
/// service account and project on the shared peer and reads only that project's records.
/// </summary>
public sealed class FcmClientTests(FcmPeer peer) : IClassFixture<FcmPeer>
{
    private const string Scope = "https://www.googleapis.com/auth/firebase.messaging";

    [Fact]
    public async Task SendsWithATokenFromAValidAssertionGivenAServiceAccount()
    {
        var account = await peer.CreateAccountAsync();
        var device = (await peer.RegisterDevicesAsync(account.ProjectId))[0];
        await using var app = App(account);

        var answer = await app.Client.SendAsync(Notification(device), default);

        Assert.Equal(FcmOutcome.Sent, answer.Outcome);
        Assert.Equal(200, answer.Status);
        Assert.StartsWith($"projects/{account.ProjectId}/messages/", answer.MessageName, StringComparison.Ordinal);
        var request = Assert.Single(await peer.TokenRequestsAsync(account.ProjectId));
        Assert.True(request.Accepted, request.Detail);
        Assert.Equal("RS256", request.Header.GetProperty("alg").GetString());
        Assert.Equal(account.PrivateKeyId, request.Header.GetProperty("kid").GetString());
        Assert.Equal(account.ClientEmail, request.Claims.GetProperty("iss").GetString());
        Assert.Equal("https://oauth2.googleapis.com/token", request.Claims.GetProperty("aud").GetString());
        Assert.Contains(Scope, request.Claims.GetProperty("scope").GetString()!.Split(' '));
        Assert.Equal(device, Assert.Single(await peer.MessagesAsync(account.ProjectId)).Token);
    }

    [Fact]
    public async Task AsksForOneAccessTokenGivenFiftyParallelSends()
    {
        var account = await peer.CreateAccountAsync(acceptAnyToken: true);
        await using var app = App(account);

        var answers = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => app.Client.SendAsync(Notification(DeviceToken(i)), default)));

        Assert.All(answers, a => Assert.Equal(FcmOutcome.Sent, a.Outcome));
        var stats = await peer.StatsAsync(account.ProjectId);
        Assert.Equal(1, stats.TokenRequests);
        Assert.Equal(50, stats.Accepted);
    }

    [Fact]
    public async Task CarriesCollapseKeyPriorityTtlBadgeLinkTagAndDataGivenABreakingPush()
    {
        var account = await peer.CreateAccountAsync(acceptAnyToken: true);
        await using var app = App(account);
        var n = Notification(DeviceToken(1), ttl: TimeSpan.FromMinutes(90), badge: 7, image: "https://news.example/i/42.jpg",
            data: new Dictionary<string, string> { ["articleId"] = "42", ["kind"] = "breaking", ["url"] = "https://elsewhere.example/" });

        Assert.Equal(FcmOutcome.Sent, (await app.Client.SendAsync(n, default)).Outcome);

        var m = Assert.Single(await peer.MessagesAsync(account.ProjectId)).Message;
        Assert.Equal("Flood warning for the river valley", m.GetProperty("notification").GetProperty("title").GetString());
        Assert.Equal("https://news.example/i/42.jpg", m.GetProperty("notification").GetProperty("image").GetString());
        var data = m.GetProperty("data");
        Assert.Equal("https://news.example/a/42", data.GetProperty("url").GetString());
        Assert.Equal("42", data.GetProperty("articleId").GetString());
        Assert.Equal("breaking", data.GetProperty("kind").GetString());
        var android = m.GetProperty("android");
        Assert.Equal("breaking-42", android.GetProperty("collapse_key").GetString());
        Assert.Equal("high", android.GetProperty("priority").GetString());
        Assert.Equal("5400s", android.GetProperty("ttl").GetString());
        Assert.Equal("breaking-42", android.GetProperty("notification").GetProperty("tag").GetString());
        Assert.Equal(7, android.GetProperty("notification").GetProperty("notification_count").GetInt32());
        Assert.Equal("https://news.example/i/42.jpg", android.GetProperty("notification").GetProperty("image").GetString());
        Assert.False(android.GetProperty("notification").TryGetProperty("click_action", out _));
    }

    [Theory]
    [InlineData(-30, "0s")]
    [InlineData(0, "0s")]
    [InlineData(12 * 3600 + 0.9, "43200s")]
    [InlineData(60 * 24 * 3600, "2419200s")]
    public async Task SendsANormalPushWithTtlWithinFourWeeks(double seconds, string ttl)
    {
        var account = await peer.CreateAccountAsync(acceptAnyToken: true);
        await using var app = App(account);

        var answer = await app.Client.SendAsync(Notification(DeviceToken(2), high: false, ttl: TimeSpan.FromSeconds(seconds)), default);

        Assert.Equal(FcmOutcome.Sent, answer.Outcome);
        var m = Assert.Single(await peer.MessagesAsync(account.ProjectId)).Message;
        Assert.Equal("normal", m.GetProperty("android").GetProperty("priority").GetString());
        Assert.Equal(ttl, m.GetProperty("android").GetProperty("ttl").GetString());
        Assert.False(m.GetProperty("notification").TryGetProperty("image", out _));
    }

    [Fact]
    public async Task ClipsALongBodyAtAGraphemeBoundaryGivenAMessageOverFcmsLimit()
    {
        var account = await peer.CreateAccountAsync(acceptAnyToken: true);
        await using var app = App(account);
        // Family emoji (one grapheme of 5 code points), a combining accent and quotes that JSON escapes.
        var body = string.Concat(Enumerable.Repeat("Überschwemmung 👨‍👩‍👧 e\u0301 \"Pegel\" ", 400));

        var answer = await app.Client.SendAsync(Notification(DeviceToken(3), body: body), default);

        Assert.Equal(FcmOutcome.Sent, answer.Outcome);
        var received = Assert.Single(await peer.MessagesAsync(account.ProjectId));
        // Cut at the last grapheme that fits: close to the limit, not far below it.
        Assert.InRange(received.Bytes, 4000, 4096);
        var sent = received.Message.GetProperty("notification").GetProperty("body").GetString()!;
        Assert.EndsWith("…", sent, StringComparison.Ordinal);
        var kept = sent[..^1];
        Assert.StartsWith(kept, body, StringComparison.Ordinal);
        Assert.Contains(kept.Length, GraphemeBoundaries(body));
        Assert.Equal("Flood warning for the river valley", received.Message.GetProperty("notification").GetProperty("title").GetString());
    }

    [Fact]
    public async Task ClipsTheTitleTooGivenATitleOverFcmsLimit()
    {
        var account = await peer.CreateAccountAsync(acceptAnyToken: true);
        await using var app = App(account);
        var title = string.Concat(Enumerable.Repeat("Eilmeldung ", 600));

        var answer = await app.Client.SendAsync(Notification(DeviceToken(4), title: title), default);

        Assert.Equal(FcmOutcome.Sent, answer.Outcome);
        var received = Assert.Single(await peer.MessagesAsync(account.ProjectId));
        Assert.True(received.Bytes <= 4096, $"{received.Bytes} bytes");
        var sentTitle = received.Message.GetProperty("notification").GetProperty("title").GetString()!;
        Assert.EndsWith("…", sentTitle, StringComparison.Ordinal);
        Assert.StartsWith(sentTitle[..^1], title, StringComparison.Ordinal);
        Assert.Equal("", received.Message.GetProperty("notification").GetProperty("body").GetString());
    }

    [Theory]
    [InlineData(404, "UNREGISTERED", null, "Requested entity was not found.", null, FcmOutcome.TokenGone, "UNREGISTERED")]
    [InlineData(403, "SENDER_ID_MISMATCH", null, "SenderId mismatch", null, FcmOutcome.TokenGone, "SENDER_ID_MISMATCH")]
    [InlineData(400, "INVALID_ARGUMENT", null, "The registration token is not a valid FCM registration token", null, FcmOutcome.TokenGone, "INVALID_ARGUMENT")]
    [InlineData(400, "INVALID_ARGUMENT", null, "Requested entity was not found.", null, FcmOutcome.Rejected, "INVALID_ARGUMENT")]
    [InlineData(400, "INVALID_ARGUMENT", null, "Message is too big", null, FcmOutcome.Rejected, "INVALID_ARGUMENT")]
    [InlineData(500, "INTERNAL", null, "Internal error encountered.", null, FcmOutcome.Retry, "INTERNAL")]
    [InlineData(503, "UNAVAILABLE", null, "The service is currently unavailable.", null, FcmOutcome.Retry, "UNAVAILABLE")]
    [InlineData(429, "QUOTA_EXCEEDED", null, "Quota exceeded.", null, FcmOutcome.Retry, "QUOTA_EXCEEDED")]
    [InlineData(502, null, null, null, "<html>Bad Gateway</html>", FcmOutcome.Retry, null)]
    [InlineData(401, "THIRD_PARTY_AUTH_ERROR", null, "Auth error from APNS or Web Push Service", null, FcmOutcome.AuthFailed, "THIRD_PARTY_AUTH_ERROR")]
    [InlineData(403, null, "PERMISSION_DENIED", "Permission 'cloudmessaging.messages.create' denied.", null, FcmOutcome.AuthFailed, "PERMISSION_DENIED")]
    [InlineData(404, null, "NOT_FOUND", "Requested entity was not found.", null, FcmOutcome.Rejected, "NOT_FOUND")]
    public async Task MapsFcmsAnswerOnItsErrorCode(int status, string? errorCode, string? grpcStatus, string? message, string? body,
        FcmOutcome outcome, string? code)
    {
        var account = await peer.CreateAccountAsync(acceptAnyToken: true);
        await peer.ScriptAsync(account.ProjectId, new FcmScriptedAnswer(status, errorCode, grpcStatus, message, Body: body));
        await using var app = App(account);

        var answer = await app.Client.SendAsync(Notification(DeviceToken(5)), default);

        Assert.Equal(outcome, answer.Outcome);
        Assert.Equal(status, answer.Status);
        Assert.Equal(code, answer.ErrorCode);
        Assert.StartsWith(status.ToString(CultureInfo.InvariantCulture), answer.Detail, StringComparison.Ordinal);
        Assert.Null(answer.RetryAfter);
        // A refusal FCM words with errorCode, even THIRD_PARTY_AUTH_ERROR's UNAUTHENTICATED status, is not a reason for a new token.
        Assert.Equal(1, (await peer.StatsAsync(account.ProjectId)).TokenRequests);
    }

    [Fact]
    public async Task ExplainsTheRefusalToAnAdminGivenAnInvalidArgument()
    {
        var account = await peer.CreateAccountAsync(acceptAnyToken: true);
        await peer.ScriptAsync(account.ProjectId, new FcmScriptedAnswer(400, "INVALID_ARGUMENT", Message: "Invalid value at 'message.android.ttl'"));
        await using var app = App(account);

        var answer = await app.Client.SendAsync(Notification(DeviceToken(6)), default);

        Assert.Equal("400 INVALID_ARGUMENT: FCM refused the message: Invalid value at 'message.android.ttl'", answer.Detail);
    }

    [Fact]
    public async Task ReportsTheTokenGoneGivenTheRealChecksOfThePeer()
    {
        var account = await peer.CreateAccountAsync();
        var other = await peer.CreateAccountAsync();
        var devices = await peer.RegisterDevicesAsync(account.ProjectId, 2);
        var foreign = (await peer.RegisterDevicesAsync(other.ProjectId))[0];
        await peer.UnregisterDevicesAsync([devices[1]]);
        await using var app = App(account);

        var unknown = await app.Client.SendAsync(Notification(DeviceToken(7)), default);
        var uninstalled = await app.Client.SendAsync(Notification(devices[1]), default);
        var ofOtherProject = await app.Client.SendAsync(Notification(foreign), default);
        var malformed = await app.Client.SendAsync(Notification("not-a-token"), default);
        var live = await app.Client.SendAsync(Notification(devices[0]), default);

        Assert.Equal((FcmOutcome.TokenGone, 404, "UNREGISTERED"), (unknown.Outcome, unknown.Status, unknown.ErrorCode));
        Assert.Equal("404 UNREGISTERED: the app was uninstalled or the token expired.", unknown.Detail);
        Assert.Equal((FcmOutcome.TokenGone, 404, "UNREGISTERED"), (uninstalled.Outcome, uninstalled.Status, uninstalled.ErrorCode));
        Assert.Equal((FcmOutcome.TokenGone, 403, "SENDER_ID_MISMATCH"), (ofOtherProject.Outcome, ofOtherProject.Status, ofOtherProject.ErrorCode));
        Assert.Equal((FcmOutcome.TokenGone, 400, "INVALID_ARGUMENT"), (malformed.Outcome, malformed.Status, malformed.ErrorCode));
        Assert.Equal(FcmOutcome.Sent, live.Outcome);
    }

    [Fact]
    public async Task RetriesAfterTheDelayGivenQuotaExceededWithRetryAfterSeconds()
    {
        var account = await peer.CreateAccountAsync(acceptAnyToken: true);
        await peer.ScriptAsync(account.ProjectId, new FcmScriptedAnswer(429, "QUOTA_EXCEEDED", Message: "Quota exceeded.", RetryAfter: "30"));
        await using var app = App(account);

        var answer = await app.Client.SendAsync(Notification(DeviceToken(8)), default);

        Assert.Equal(FcmOutcome.Retry, answer.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(30), answer.RetryAfter);
        Assert.Equal("429 QUOTA_EXCEEDED: the Firebase project's sending quota is used up; retry after 30 s.", answer.Detail);
    }

    [Fact]
    public async Task RetriesAtTheDateGivenUnavailableWithRetryAfterDate()
    {
        var now = new DateTimeOffset(2031, 3, 14, 9, 26, 53, TimeSpan.Zero);
        var account = await peer.CreateAccountAsync(acceptAnyToken: true);
        await peer.ScriptAsync(account.ProjectId,
            new FcmScriptedAnswer(503, "UNAVAILABLE", RetryAfter: now.AddMinutes(2).ToString("r", CultureInfo.InvariantCulture)));
        await using var app = App(account, clock: new FixedClock(now));

        var answer = await app.Client.SendAsync(Notification(DeviceToken(9)), default);

        Assert.Equal(FcmOutcome.Retry, answer.Outcome);
        Assert.Equal("UNAVAILABLE", answer.ErrorCode);
        Assert.Equal(TimeSpan.FromMinutes(2), answer.RetryAfter);
    }

    [Fact]
    public async Task FetchesANewAccessTokenAndSendsGivenARevokedOne()
    {
        var account = await peer.CreateAccountAsync(acceptAnyToken: true);
        await using var app = App(account);
        Assert.Equal(FcmOutcome.Sent, (await app.Client.SendAsync(Notification(DeviceToken(10)), default)).Outcome);
        Assert.Equal(1, await peer.RevokeAccessTokensAsync(account.ProjectId));

        var answer = await app.Client.SendAsync(Notification(DeviceToken(11)), default);

        Assert.Equal(FcmOutcome.Sent, answer.Outcome);
        Assert.Equal(2, (await peer.StatsAsync(account.ProjectId)).TokensIssued);
        Assert.Equal([200, 401, 200], (await peer.RequestsAsync(account.ProjectId)).Select(r => r.Status));
    }

    [Fact]
    public async Task FetchesOneNewAccessTokenGivenParallelSendsRefusedTogether()
    {
        var account = await peer.CreateAccountAsync(acceptAnyToken: true);
        await using var app = App(account);
        Assert.Equal(FcmOutcome.Sent, (await app.Client.SendAsync(Notification(DeviceToken(12)), default)).Outcome);
        await peer.RevokeAccessTokensAsync(account.ProjectId);

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => app.Client.SendAsync(Notification(DeviceToken(100 + i)), default)));

        Assert.All(answers, a => Assert.Equal(FcmOutcome.Sent, a.Outcome));
        Assert.Equal(2, (await peer.StatsAsync(account.ProjectId)).TokensIssued);
    }

    [Fact]
    public async Task FailsAuthenticationGivenFcmRefusesTheNewTokenToo()
    {
        var account = await peer.CreateAccountAsync(acceptAnyToken: true);
        await peer.ScriptAsync(account.ProjectId, new FcmScriptedAnswer(401, GrpcStatus: "UNAUTHENTICATED", Message: "Request had invalid authentication credentials."), times: 2);
        await using var app = App(account);

        var answer = await app.Client.SendAsync(Notification(DeviceToken(13)), default);

        Assert.Equal(FcmOutcome.AuthFailed, answer.Outcome);
        Assert.Equal(401, answer.Status);
        Assert.Equal(2, (await peer.StatsAsync(account.ProjectId)).TokensIssued);
        Assert.Equal(2, (await peer.StatsAsync(account.ProjectId)).Sends);
    }

    [Fact]
    public async Task FailsAuthenticationWithoutTheKeyGivenAnAccountWhoseKeyGoogleRefuses()
    {
        var account = await peer.CreateAccountAsync(acceptAnyToken: true);
        var stranger = await peer.CreateAccountAsync();
        var json = JsonNode.Parse(account.Json)!;
        json["private_key"] = stranger.PrivateKeyPem;
        await using var app = App(account, json: json.ToJsonString());

        var answer = await app.Client.SendAsync(Notification(DeviceToken(14)), default);

        Assert.Equal(FcmOutcome.AuthFailed, answer.Outcome);
        Assert.Contains("invalid_grant", answer.Detail, StringComparison.Ordinal);
        Assert.Contains(account.ClientEmail, answer.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", answer.Detail, StringComparison.Ordinal);
        Assert.Equal("Invalid JWT Signature.", Assert.Single(await peer.TokenRequestsAsync(account.ProjectId)).Detail);
        Assert.Equal(0, (await peer.StatsAsync(account.ProjectId)).Sends);
    }

    [Fact]
    public async Task FailsAuthenticationGivenADisabledAccount()
    {
        var account = await peer.CreateAccountAsync(acceptAnyToken: true);
        await peer.DisableAccountAsync(account.ClientEmail);
        await using var app = App(account);

        var answer = await app.Client.SendAsync(Notification(DeviceToken(15)), default);

        Assert.Equal(FcmOutcome.AuthFailed, answer.Outcome);
        Assert.Contains("account not found", answer.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FailsAuthenticationWithoutEchoingItGivenJsonThatIsNoServiceAccount()
    {
        await using var app = App(null, json: "{\"type\":\"service_account\",\"private_key\":\"secret-material\"");

        var answer = await app.Client.SendAsync(Notification(DeviceToken(16)), default);

        Assert.Equal(FcmOutcome.AuthFailed, answer.Outcome);
        Assert.Contains("Push:Fcm", answer.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-material", answer.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FailsAuthenticationGivenNoServiceAccount()
    {
        await using var app = App(null);

        var answer = await app.Client.SendAsync(Notification(DeviceToken(17)), default);

        Assert.Equal(FcmOutcome.AuthFailed, answer.Outcome);
        Assert.Equal("FCM is not configured: set Push:Fcm:ServiceAccountJson or Push:Fcm:ServiceAccountFile.", answer.Detail);
    }

    [Fact]
    public async Task FailsAuthenticationGivenAProjectTheAccountMayNotSendFor()
    {
        var account = await peer.CreateAccountAsync(acceptAnyToken: true);
        await using var app = App(account, settings: new() { ["Push:Fcm:ProjectId"] = "someone-elses-project" });

        var answer = await app.Client.SendAsync(Notification(DeviceToken(18)), default);

        Assert.Equal((FcmOutcome.AuthFailed, 403, "PERMISSION_DENIED"), (answer.Outcome, answer.Status, answer.ErrorCode));
        Assert.Contains("someone-elses-project", answer.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendsGivenTheServiceAccountAsAFile()
    {
        var account = await peer.CreateAccountAsync(acceptAnyToken: true);
        var file = Path.Combine(Path.GetTempPath(), $"fcm-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, account.Json);
        try
        {
            await using var app = App(null, settings: new() { ["Push:Fcm:ServiceAccountFile"] = file });

            Assert.Equal(FcmOutcome.Sent, (await app.Client.SendAsync(Notification(DeviceToken(19)), default)).Outcome);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task RetriesGivenFcmIsUnreachable()
    {
        var account = await peer.CreateAccountAsync(acceptAnyToken: true);
        await using var app = App(account, settings: new() { ["Push:Fcm:Endpoint"] = $"http://127.0.0.1:{LoopbackPort.Free()}" });

        var answer = await app.Client.SendAsync(Notification(DeviceToken(20)), default);

        Assert.Equal((FcmOutcome.Retry, 0), (answer.Outcome, answer.Status));
        Assert.Contains("could not be reached", answer.Detail, StringComparison.Ordinal);
        Assert.Equal(1, (await peer.StatsAsync(account.ProjectId)).TokensIssued);
    }

    [Fact]
    public async Task RetriesGivenTheTokenEndpointIsUnreachable()
    {
        var account = await peer.CreateAccountAsync(acceptAnyToken: true);
        var json = JsonNode.Parse(account.Json)!;
        json["token_uri"] = $"http://127.0.0.1:{LoopbackPort.Free()}/token";
        await using var app = App(account, json: json.ToJsonString());

        var answer = await app.Client.SendAsync(Notification(DeviceToken(21)), default);

        Assert.Equal(FcmOutcome.Retry, answer.Outcome);
        Assert.Contains("token endpoint", answer.Detail, StringComparison.Ordinal);
        Assert.Equal(0, (await peer.StatsAsync(account.ProjectId)).Sends);
    }

    [Fact]
    public async Task RejectsWithoutSendingGivenAReservedDataKey()
    {
        var account = await peer.CreateAccountAsync(acceptAnyToken: true);
        await using var app = App(account);

        var answer = await app.Client.SendAsync(Notification(DeviceToken(22), data: new Dictionary<string, string> { ["google.c.a.e"] = "1" }), default);

        Assert.Equal(FcmOutcome.Rejected, answer.Outcome);
        Assert.Contains("google.c.a.e", answer.Detail, StringComparison.Ordinal);
        Assert.Equal(0, (await peer.StatsAsync(account.ProjectId)).Sends);
    }

    [Fact]
    public async Task ThrowsOnlyCancellationGivenACancelledToken()
    {
        var account = await peer.CreateAccountAsync(acceptAnyToken: true);
        await using var app = App(account);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => app.Client.SendAsync(Notification(DeviceToken(23)), cancelled.Token));
    }

    [Fact]
    public async Task RefusesToStartGivenParallelismOutOfRange()
    {
        await using var app = App(null, settings: new() { ["Push:Fcm:Parallelism"] = "0" });

        var e = Assert.Throws<OptionsValidationException>(() => app.Services.GetRequiredService<IOptions<FcmOptions>>().Value);
        Assert.Contains("Parallelism", e.Message, StringComparison.Ordinal);
    }

    private TestApp App(PeerServiceAccount? account, string? json = null, Dictionary<string, string?>? settings = null, TimeProvider? clock = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["Push:Fcm:Endpoint"] = peer.Endpoint,
            ["Push:Fcm:ServiceAccountJson"] = json ?? account?.Json,
        };
        foreach (var (key, value) in settings ?? [])
        {
            values[key] = value;
        }
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
        if (clock is not null)
        {
            services.AddSingleton(clock);
        }
        services.AddFcm();
        return new TestApp(services.BuildServiceProvider());
    }

    private static FcmNotification Notification(string token, string title = "Flood warning for the river valley",
        string body = "The river is expected to crest tonight; residents near the banks should move to higher ground.",
        bool high = true, TimeSpan? ttl = null, int badge = 3, string? image = null, Dictionary<string, string>? data = null) =>
        new(token, title, body, image, "https://news.example/a/42", "breaking-42", high, ttl ?? TimeSpan.FromHours(1), badge,
            data ?? new Dictionary<string, string> { ["articleId"] = "42" });

    /// <summary>A well-shaped device token (any such token reaches a project made with acceptAnyToken).</summary>
    private static string DeviceToken(int n) => $"test{n:D4}:APA91b" + new string('x', 120);

    private static HashSet<int> GraphemeBoundaries(string text)
    {
        var boundaries = new HashSet<int>(StringInfo.ParseCombiningCharacters(text)) { text.Length };
        return boundaries;
    }

    private sealed class TestApp(ServiceProvider services) : IAsyncDisposable
    {
        public ServiceProvider Services { get; } = services;

        public FcmClient Client => Services.GetRequiredService<FcmClient>();

        public ValueTask DisposeAsync() => Services.DisposeAsync();
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
