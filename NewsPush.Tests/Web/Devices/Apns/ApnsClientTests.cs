using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using NewsPush.Tests.Infrastructure;
using NewsPush.Tests.Web.Push;
using NewsPush.Web.Devices.Apns;

namespace NewsPush.Tests.Web.Devices.Apns;

/// <summary>
/// The APNs client as registered by <c>AddApns</c>, against the node APNs peer, which refuses what Apple refuses. Each test
/// makes its own key (a new team) and device, and sets the peer clock to the test's fake clock, which it moves by hand.
/// </summary>
public sealed class ApnsClientTests(ApnsPeer peer) : IClassFixture<ApnsPeer>, IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);

    private readonly TestClock clock = new(Start);
    private readonly List<ServiceProvider> providers = [];
    private ApnsPeerKey key = null!;
    private string device = "";

    public async Task InitializeAsync()
    {
        await peer.ResetAsync();
        await peer.SetClockAsync(Start);
        key = await peer.CreateKeyAsync();
        device = await peer.RegisterDeviceAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var provider in providers)
        {
            await provider.DisposeAsync();
        }
    }

    private ApnsClient Client(Action<Dictionary<string, string?>>? change = null) => Services(change).GetRequiredService<ApnsClient>();

    private ServiceProvider Services(Action<Dictionary<string, string?>>? change = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Push:Apns:Endpoint"] = peer.ApnsUrl,
            ["Push:Apns:KeyId"] = key.KeyId,
            ["Push:Apns:TeamId"] = key.TeamId,
            ["Push:Apns:BundleId"] = key.BundleId,
            ["Push:Apns:PrivateKey"] = key.PrivateKeyPem,
        };
        change?.Invoke(settings);
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddSingleton<TimeProvider>(clock);
        services.AddApns();
        var provider = services.BuildServiceProvider();
        providers.Add(provider);
        return provider;
    }

    private ApnsNotification Note(string? token = null, string title = "Storm warning", string body = "Gales of 120 km/h expected tonight.",
        string? image = null, bool immediate = true, string collapseId = "article-42", int badge = 3, string? threadId = null,
        IReadOnlyDictionary<string, string>? data = null) =>
        new(token ?? device, title, body, image, "https://news.example/a/42", collapseId, immediate, Start.UtcDateTime.AddHours(6), badge, threadId,
            data ?? new Dictionary<string, string>());

    private async Task AdvanceAsync(TimeSpan by)
    {
        clock.Advance(by);
        await peer.AdvanceClockAsync(by);
    }

    private async Task<string> Explain() =>
        string.Join("; ", (await peer.RequestsAsync()).Select(r => $"#{r.Seq} {r.Status} {r.Reason} ({r.Detail})")) + " " + peer.StandardError;

    private async Task<ApnsAnswer> SentAsync(ApnsClient client, ApnsNotification n)
    {
        var answer = await client.SendAsync(n, CancellationToken.None);
        Assert.True(answer.Outcome == ApnsOutcome.Sent, $"{answer} — peer: {await Explain()}");
        return answer;
    }

    // ---- what APNs receives ----

    [Fact]
    public async Task SendsOverHttp2WithTheHeadersAndPayloadApnsReads()
    {
        var answer = await SentAsync(Client(), Note(image: "https://news.example/img/42.jpg", badge: 7, threadId: "storms",
            data: new Dictionary<string, string> { ["articleId"] = "42", ["aps"] = "must not replace aps" }));

        var received = Assert.Single(await peer.NotificationsAsync(device));
        Assert.Equal("2.0", received.HttpVersion);
        Assert.Equal(received.Headers["apns-id"], answer.ApnsId);
        Assert.Equal(200, answer.Status);
        Assert.StartsWith("bearer ", received.Headers["authorization"], StringComparison.Ordinal);
        Assert.Equal("alert", received.Headers["apns-push-type"]);
        Assert.Equal("10", received.Headers["apns-priority"]);
        Assert.Equal(Start.AddHours(6).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), received.Headers["apns-expiration"]);
        Assert.Equal("article-42", received.Headers["apns-collapse-id"]);
        Assert.Equal(key.BundleId, received.Headers["apns-topic"]);

        var aps = received.Payload.GetProperty("aps");
        Assert.Equal("Storm warning", aps.GetProperty("alert").GetProperty("title").GetString());
        Assert.Equal("Gales of 120 km/h expected tonight.", aps.GetProperty("alert").GetProperty("body").GetString());
        Assert.Equal(7, aps.GetProperty("badge").GetInt32());
        Assert.Equal("default", aps.GetProperty("sound").GetString());
        Assert.Equal("storms", aps.GetProperty("thread-id").GetString());
        Assert.Equal(1, aps.GetProperty("mutable-content").GetInt32());
        Assert.Equal("https://news.example/a/42", received.Payload.GetProperty("url").GetString());
        Assert.Equal("https://news.example/img/42.jpg", received.Payload.GetProperty("image").GetString());
        Assert.Equal("42", received.Payload.GetProperty("articleId").GetString());
    }

    [Fact]
    public async Task SendsPriorityFiveAndNoMutableContentForANotImmediateTextOnlyNotification()
    {
        await SentAsync(Client(), Note(immediate: false, badge: 0));

        var received = Assert.Single(await peer.NotificationsAsync(device));
        Assert.Equal("5", received.Headers["apns-priority"]);
        var aps = received.Payload.GetProperty("aps");
        Assert.Equal(0, aps.GetProperty("badge").GetInt32());
        Assert.False(aps.TryGetProperty("mutable-content", out _));
        Assert.False(aps.TryGetProperty("thread-id", out _));
        Assert.False(received.Payload.TryGetProperty("image", out _));
    }

    [Fact]
    public async Task SendsACollapseIdOver64BytesAsTheSameShortHashEveryTime()
    {
        var longId = "digest-" + string.Concat(Enumerable.Repeat("日本語", 10)); // 97 bytes
        var client = Client();
        await SentAsync(client, Note(collapseId: longId));
        await SentAsync(client, Note(collapseId: longId));
        await SentAsync(client, Note(collapseId: longId + "x"));

        var ids = (await peer.NotificationsAsync(device)).Select(n => n.Headers["apns-collapse-id"]).ToList();
        Assert.All(ids, id => Assert.InRange(Encoding.UTF8.GetByteCount(id), 1, 64));
        Assert.Equal(ids[0], ids[1]);
        Assert.NotEqual(ids[0], ids[2]);
        Assert.NotEqual(longId, ids[0]);
    }

    [Fact]
    public async Task ClipsLongEmojiAndCjkTextAtAWholeCharacterToStayWithin4096Bytes()
    {
        var body = string.Concat(Enumerable.Repeat("👨‍👩‍👧‍👦新闻🇯🇵e\u0301 ", 400));
        await SentAsync(Client(), Note(body: body));

        var received = Assert.Single(await peer.NotificationsAsync(device));
        Assert.InRange(received.Bytes, 3000, 4096);
        var sent = received.Payload.GetProperty("aps").GetProperty("alert").GetProperty("body").GetString()!;
        Assert.EndsWith("…", sent, StringComparison.Ordinal);
        var kept = sent[..^1];
        Assert.StartsWith(kept, body, StringComparison.Ordinal);
        Assert.Contains(kept.Length, StringInfo.ParseCombiningCharacters(body));
        Assert.Equal("Storm warning", received.Payload.GetProperty("aps").GetProperty("alert").GetProperty("title").GetString());
    }

    // ---- connections and the provider token ----

    [Fact]
    public async Task TwoHundredParallelSendsShareOneProviderTokenAndAtMostTwoHttp2Connections()
    {
        var services = Services();
        var answers = await Task.WhenAll(Enumerable.Range(0, 200).Select(i =>
            services.GetRequiredService<ApnsClient>().SendAsync(Note(collapseId: $"a{i}"), CancellationToken.None)));

        Assert.All(answers, a => Assert.Equal(ApnsOutcome.Sent, a.Outcome));
        var received = await peer.NotificationsAsync(device);
        Assert.Equal(200, received.Count);
        Assert.All(received, n => Assert.Equal("2.0", n.HttpVersion));
        Assert.InRange(received.Select(n => n.Session).Distinct().Count(), 1, 2);
        var stats = await peer.StatsAsync();
        Assert.InRange(stats.Sessions, 1, 2);
        Assert.Equal(1, stats.ProviderTokens);
        Assert.Equal(1, services.GetRequiredService<ApnsProviderToken>().IssuedCount);
    }

    [Fact]
    public async Task AColdBurstWaitsForTheFirstAnswerAndIsMultiplexedOverOneConnection()
    {
        // Without the wait, each pending group of streams could open a connection before the first one's settings
        // arrived (a CI run under load saw a third, idle one).
        var services = Services();
        var answers = await Task.WhenAll(Enumerable.Range(0, 200).Select(i =>
            services.GetRequiredService<ApnsClient>().SendAsync(Note(collapseId: $"c{i}"), CancellationToken.None)));

        Assert.All(answers, a => Assert.Equal(ApnsOutcome.Sent, a.Outcome));
        Assert.Equal(1, (await peer.StatsAsync()).Sessions);
    }

    [Fact]
    public async Task RenewsTheProviderTokenWhenItIsTokenRefreshMinutesOldAndNotBefore()
    {
        var client = Client();
        await SentAsync(client, Note());
        await AdvanceAsync(TimeSpan.FromMinutes(39));
        await SentAsync(client, Note());
        await AdvanceAsync(TimeSpan.FromMinutes(1));
        await SentAsync(client, Note());
        await AdvanceAsync(TimeSpan.FromMinutes(19));
        await SentAsync(client, Note());

        var tokens = (await peer.NotificationsAsync(device)).Select(n => n.Headers["authorization"]).ToList();
        Assert.Equal(tokens[0], tokens[1]);
        Assert.NotEqual(tokens[1], tokens[2]);
        Assert.Equal(tokens[2], tokens[3]);
        var stats = await peer.StatsAsync();
        Assert.Equal(2, stats.ProviderTokens);
        Assert.Equal(0, stats.TokenUpdatesRefused);
    }

    [Fact]
    public async Task RenewsAndResendsOnExpiredProviderTokenWhenTheTokenIs25MinutesOld()
    {
        var client = Client();
        await SentAsync(client, Note());
        await AdvanceAsync(TimeSpan.FromMinutes(25));
        await peer.ScriptAsync(403, "ExpiredProviderToken");

        await SentAsync(client, Note());

        var requests = await peer.RequestsAsync();
        Assert.Equal([200, 403, 200], requests.Select(r => r.Status));
        var tokens = (await peer.NotificationsAsync(device)).Select(n => n.Headers["authorization"]).ToList();
        Assert.NotEqual(tokens[0], tokens[1]);
        Assert.Equal(0, (await peer.StatsAsync()).TokenUpdatesRefused);
    }

    [Fact]
    public async Task AnswersAuthFailedWithoutRenewingOnExpiredProviderTokenWhenTheTokenIs5MinutesOld()
    {
        var services = Services();
        var client = services.GetRequiredService<ApnsClient>();
        await SentAsync(client, Note());
        await AdvanceAsync(TimeSpan.FromMinutes(5));
        await peer.ScriptAsync(403, "ExpiredProviderToken");

        var answer = await client.SendAsync(Note(), CancellationToken.None);

        Assert.Equal(ApnsOutcome.AuthFailed, answer.Outcome);
        Assert.Equal(403, answer.Status);
        Assert.Contains("20 minutes", answer.Detail, StringComparison.Ordinal);
        Assert.Equal(2, (await peer.RequestsAsync()).Count);
        Assert.Equal(1, services.GetRequiredService<ApnsProviderToken>().IssuedCount);
        await SentAsync(client, Note());
        Assert.Equal(1, (await peer.StatsAsync()).ProviderTokens);
    }

    // ---- what each answer means ----

    [Theory]
    [InlineData(400, "BadDeviceToken", ApnsOutcome.TokenGone)]
    [InlineData(400, "DeviceTokenNotForTopic", ApnsOutcome.TokenGone)]
    [InlineData(400, "TopicDisallowed", ApnsOutcome.AuthFailed)]
    [InlineData(400, "BadTopic", ApnsOutcome.AuthFailed)]
    [InlineData(400, "MissingTopic", ApnsOutcome.AuthFailed)]
    [InlineData(400, "BadCollapseId", ApnsOutcome.Rejected)]
    [InlineData(400, "PayloadEmpty", ApnsOutcome.Rejected)]
    [InlineData(413, "PayloadTooLarge", ApnsOutcome.Rejected)]
    [InlineData(403, "InvalidProviderToken", ApnsOutcome.AuthFailed)]
    [InlineData(403, "MissingProviderToken", ApnsOutcome.AuthFailed)]
    [InlineData(403, "Forbidden", ApnsOutcome.AuthFailed)]
    [InlineData(429, "TooManyRequests", ApnsOutcome.Retry)]
    [InlineData(429, "TooManyProviderTokenUpdates", ApnsOutcome.Retry)]
    [InlineData(500, "InternalServerError", ApnsOutcome.Retry)]
    [InlineData(503, "ServiceUnavailable", ApnsOutcome.Retry)]
    public async Task MapsEachApnsAnswerToWhatTheCallerDoes(int status, string reason, ApnsOutcome expected)
    {
        await peer.ScriptAsync(status, reason);

        var answer = await Client().SendAsync(Note(), CancellationToken.None);

        Assert.Equal(expected, answer.Outcome);
        Assert.Equal(status, answer.Status);
        Assert.Equal(reason, answer.Reason);
        Assert.StartsWith($"{status} {reason}: ", answer.Detail, StringComparison.Ordinal);
        Assert.Null(answer.UnregisteredAt);
    }

    [Fact]
    public async Task PassesOnRetryAfterWithTooManyRequests()
    {
        await peer.ScriptAsync(429, "TooManyRequests", retryAfterSeconds: 120);

        var answer = await Client().SendAsync(Note(), CancellationToken.None);

        Assert.Equal(ApnsOutcome.Retry, answer.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(120), answer.RetryAfter);
    }

    [Fact]
    public async Task AnswersTokenGoneWithTheTimestampOfAnUnregisteredDevice()
    {
        var removedAt = Start.AddDays(-1).AddMilliseconds(123);
        await peer.UnregisterAsync(device, removedAt);

        var answer = await Client().SendAsync(Note(), CancellationToken.None);

        Assert.Equal(ApnsOutcome.TokenGone, answer.Outcome);
        Assert.Equal(410, answer.Status);
        Assert.Equal("Unregistered", answer.Reason);
        Assert.Equal(removedAt.UtcDateTime, answer.UnregisteredAt);
        Assert.Equal(DateTimeKind.Utc, answer.UnregisteredAt!.Value.Kind);
        Assert.Contains("removed from the device", answer.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnswersTokenGoneForATokenApnsDoesNotKnow()
    {
        var answer = await Client().SendAsync(Note(token: Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) + new string('0', 32)), CancellationToken.None);

        Assert.Equal((ApnsOutcome.TokenGone, 400, "BadDeviceToken"), (answer.Outcome, answer.Status, answer.Reason));
    }

    [Fact]
    public async Task AnswersTokenGoneForADeviceOfAnotherApp()
    {
        var other = await peer.RegisterDeviceAsync(bundleId: "com.example.other");

        var answer = await Client().SendAsync(Note(token: other), CancellationToken.None);

        Assert.Equal((ApnsOutcome.TokenGone, 400, "DeviceTokenNotForTopic"), (answer.Outcome, answer.Status, answer.Reason));
    }

    [Fact]
    public async Task AnswersAuthFailedWhenTheBundleIdIsNotTheKeys()
    {
        var answer = await Client(s => s["Push:Apns:BundleId"] = "com.example.wrong").SendAsync(Note(), CancellationToken.None);

        Assert.Equal((ApnsOutcome.AuthFailed, 400, "TopicDisallowed"), (answer.Outcome, answer.Status, answer.Reason));
    }

    [Fact]
    public async Task AnswersAuthFailedWhenThePrivateKeyIsAnotherKeys()
    {
        var other = await peer.CreateKeyAsync(key.BundleId);

        var answer = await Client(s => s["Push:Apns:PrivateKey"] = other.PrivateKeyPem).SendAsync(Note(), CancellationToken.None);

        Assert.Equal((ApnsOutcome.AuthFailed, 403, "InvalidProviderToken"), (answer.Outcome, answer.Status, answer.Reason));
        Assert.Contains("KeyId", answer.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnswersAuthFailedWithoutSendingOrShowingTheKeyWhenThePrivateKeyIsNotOne()
    {
        const string garbage = "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWJ1dC1ub3QtYS1rZXk=\n-----END PRIVATE KEY-----";

        var answer = await Client(s => s["Push:Apns:PrivateKey"] = garbage).SendAsync(Note(), CancellationToken.None);

        Assert.Equal((ApnsOutcome.AuthFailed, 0), (answer.Outcome, answer.Status));
        Assert.Contains("PrivateKey", answer.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("c2VjcmV0", answer.Detail, StringComparison.Ordinal);
        Assert.Empty(await peer.RequestsAsync());
    }

    [Fact]
    public async Task AnswersAuthFailedWithoutSendingWhenNotConfigured()
    {
        var answer = await Client(s => s.Remove("Push:Apns:TeamId")).SendAsync(Note(), CancellationToken.None);

        Assert.Equal(ApnsOutcome.AuthFailed, answer.Outcome);
        Assert.Contains("TeamId", answer.Detail, StringComparison.Ordinal);
        Assert.Empty(await peer.RequestsAsync());
    }

    [Fact]
    public async Task AnswersRetryWhenApnsCannotBeReached()
    {
        var answer = await Client(s => s["Push:Apns:Endpoint"] = $"http://127.0.0.1:{LoopbackPort.Free()}").SendAsync(Note(), CancellationToken.None);

        Assert.Equal((ApnsOutcome.Retry, 0), (answer.Outcome, answer.Status));
        Assert.Contains("Could not reach APNs", answer.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ThrowsOnlyWhenTheCallerCancels()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Client().SendAsync(Note(), cancelled.Token));
    }
}
