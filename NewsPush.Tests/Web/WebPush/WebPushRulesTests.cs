using System.Text;
using System.Text.Json;
using NewsPush.Data.Entities;
using NewsPush.Web.Push;
using NewsPush.Web.WebPush;

namespace NewsPush.Tests.Web.WebPush;

/// <summary>The rules of the Web Push channel that need no server: which endpoints we post to, labels, keys, payloads.</summary>
public sealed class WebPushRulesTests
{
    private static readonly IReadOnlyList<string> Public = WebPushOptions.PublicPushServices;

    [Theory]
    [InlineData("https://fcm.googleapis.com/fcm/send/abc:def")]
    [InlineData("https://updates.push.services.mozilla.com/wpush/v2/gAAAA")]
    [InlineData("https://wns2-par02p.notify.windows.com/w/?token=BQYAAA")]
    [InlineData("https://web.push.apple.com/QGuQyavXutnMH")]
    [InlineData("https://FCM.GoogleAPIs.com./fcm/send/x")]
    public void PublicPushServicesAreAllowed(string endpoint) => Assert.Null(PushEndpointPolicy.Check(endpoint, Public));

    [Theory]
    [InlineData("https://169.254.169.254/latest/meta-data", "not one this site sends to")]
    [InlineData("https://googleapis.com.evil.example/x", "not one this site sends to")]
    [InlineData("https://evilgoogleapis.com/x", "not one this site sends to")]
    [InlineData("https://googleapis.com/x", "not one this site sends to")]
    [InlineData("http://fcm.googleapis.com/fcm/send/x", "must use https")]
    [InlineData("https://fcm.googleapis.com:8443/fcm/send/x", "standard https port")]
    [InlineData("https://user:pw@fcm.googleapis.com/fcm/send/x", "user name or password")]
    [InlineData("ftp://fcm.googleapis.com/x", "not an http(s) address")]
    [InlineData("/relative", "not an http(s) address")]
    [InlineData("", "no endpoint")]
    public void OtherEndpointsAreRefusedWithAReason(string endpoint, string reason) =>
        Assert.Contains(reason, PushEndpointPolicy.Check(endpoint, Public));

    [Fact]
    public void AnOverlongEndpointIsRefused() =>
        Assert.Contains("longer than", PushEndpointPolicy.Check("https://fcm.googleapis.com/" + new string('a', 800), Public));

    [Fact]
    public void PlainHttpAndAnyPortOnlyForAListedLoopbackHost()
    {
        string[] loopback = ["127.0.0.1"];
        Assert.Null(PushEndpointPolicy.Check("http://127.0.0.1:41234/push/1", loopback));
        // Loopback is not allowed unless listed: the default list never lets a reader aim us at our own machine.
        Assert.NotNull(PushEndpointPolicy.Check("http://127.0.0.1:41234/push/1", Public));
        Assert.NotNull(PushEndpointPolicy.Check("http://localhost:41234/push/1", loopback));
        // A listed host that is not loopback still needs https on 443.
        Assert.Contains("https", PushEndpointPolicy.Check("http://push.example.org/x", ["push.example.org"]));
    }

    [Theory]
    [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0", "Edge on Windows")]
    [InlineData("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox on Linux")]
    [InlineData("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1", "Safari on iPhone")]
    [InlineData("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36", "Chrome on Android")]
    [InlineData("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15", "Safari on macOS")]
    [InlineData("curl/8.5.0", "A browser")]
    [InlineData(null, "A browser")]
    public void BrowsersGetAShortName(string? userAgent, string label) => Assert.Equal(label, BrowserLabel.From(userAgent));

    [Fact]
    public void GeneratedVapidKeysValidateAndMismatchedOnesDoNot()
    {
        var a = VapidKeyPair.Generate();
        var b = VapidKeyPair.Generate();
        Assert.Null(VapidKeyPair.Validate(a.PublicKey, a.PrivateKey));
        Assert.Equal("the public key does not belong to the private key", VapidKeyPair.Validate(a.PublicKey, b.PrivateKey));
        Assert.Equal("the private key must be 32 bytes", VapidKeyPair.Validate(a.PublicKey, a.PrivateKey[..20]));
        Assert.Equal("the keys must be base64url", VapidKeyPair.Validate("not base64url!", a.PrivateKey));
        Assert.Equal("the public key must be a 65-byte uncompressed P-256 point", VapidKeyPair.Validate(a.PrivateKey, a.PrivateKey));
    }

    private static readonly Delivery Delivery = new() { Id = 7, TrackingToken = "tok123", CreatedAt = new DateTime(2026, 11, 20, 12, 0, 0, DateTimeKind.Utc) };

    private static DeliveryContent Digest(string title, string summary, int stories = 1) => new(
        DeliveryContentKind.Digest, 42, title, summary, "/inbox/42",
        Enumerable.Range(1, stories).Select(i => new ContentStory(100 + i, $"Story {i}", "s", "World", $"story-{i}", "r")).ToList());

    [Fact]
    public void ADigestOpensItsTopStoryThroughTheTrackingLink()
    {
        var p = WebPushPayload.For(Delivery, Digest("Your morning digest", "Three stories"), unread: 4, Delivery.CreatedAt);

        Assert.Equal(("digest", "digest-42"), (p.Kind, p.Tag));
        Assert.Equal("/article/story-1", p.ArticleUrl);
        Assert.Equal("/t/c/tok123?a=101&u=%2Farticle%2Fstory-1", p.Url);
        Assert.Equal(4, p.Badge);
        Assert.Equal("digest-42", WebPushPayload.TopicFor(Digest("t", "s")));
        using var json = JsonDocument.Parse(p.ToUtf8());
        Assert.Equal(1, json.RootElement.GetProperty("v").GetInt32());
        Assert.Equal("Your morning digest", json.RootElement.GetProperty("title").GetString());
    }

    [Fact]
    public void BreakingNewsIsTaggedAndTopicedPerStorySoAnUpdateReplacesIt()
    {
        var content = new DeliveryContent(DeliveryContentKind.Breaking, 9, "Quake", "M7", null, [new ContentStory(55, "Quake", "M7", "World", "quake", "")]);
        var p = WebPushPayload.For(Delivery, content, 0, Delivery.CreatedAt);
        Assert.Equal("story-55", p.Tag);
        var topic = WebPushPayload.TopicFor(content)!;
        Assert.Equal("story-55", topic);
        Assert.Matches("^[A-Za-z0-9_-]{1,32}$", topic);
        Assert.Matches("^[A-Za-z0-9_-]{1,32}$", WebPushPayload.TopicFor(Digest("t", "s") with { Id = long.MaxValue })!);
    }

    [Fact]
    public void ANotificationWithoutStoriesOpensItsLocalLinkButNeverAnotherSite()
    {
        var local = new DeliveryContent(DeliveryContentKind.Test, 1, "Test", "Works", "/preferences", []);
        var foreign = local with { Url = "https://evil.example/phish" };
        Assert.Equal("/t/c/tok123?u=%2Fpreferences", WebPushPayload.For(Delivery, local, 0, Delivery.CreatedAt).Url);
        Assert.Equal("/t/c/tok123?u=%2F", WebPushPayload.For(Delivery, foreign, 0, Delivery.CreatedAt).Url);
    }

    [Fact]
    public void ALongTitleAndBodyAreShortenedToFitOneRecord()
    {
        var title = string.Concat(Enumerable.Repeat("Breaking: ", 30)); // 300 characters
        var body = string.Concat(Enumerable.Repeat("All the details of the story. ", 400)); // 12,000 characters
        var bytes = WebPushPayload.For(Delivery, Digest(title, body), 0, Delivery.CreatedAt).ToUtf8();

        Assert.InRange(bytes.Length, WebPushPayload.MaxBytes - 8, WebPushPayload.MaxBytes);
        using var json = JsonDocument.Parse(bytes);
        // The body is what gets cut; a 300-character title still fits whole.
        Assert.Equal(title, json.RootElement.GetProperty("title").GetString());
        Assert.EndsWith("…", json.RootElement.GetProperty("body").GetString());
        Assert.Equal("/t/c/tok123?a=101&u=%2Farticle%2Fstory-1", json.RootElement.GetProperty("url").GetString());
    }

    [Fact]
    public void ChineseTextIsSentAsUtf8AndCutAtAWholeCharacter()
    {
        var title = new string('新', 200);
        var body = string.Concat(Enumerable.Repeat("今天的新闻摘要🙂", 600));
        var bytes = WebPushPayload.For(Delivery, Digest(title, body), 0, Delivery.CreatedAt).ToUtf8();

        Assert.True(bytes.Length <= WebPushPayload.MaxBytes);
        Assert.Contains("新新新", Encoding.UTF8.GetString(bytes)); // not \u65B0 escapes
        using var json = JsonDocument.Parse(bytes);
        var cut = json.RootElement.GetProperty("body").GetString()!;
        Assert.EndsWith("…", cut);
        Assert.False(char.IsHighSurrogate(cut[^2]), "the cut must not split the emoji's surrogate pair");
        Assert.Equal(title, json.RootElement.GetProperty("title").GetString());
    }

    [Fact]
    public void AnEnormousTitleIsShortenedToo()
    {
        var bytes = WebPushPayload.For(Delivery, Digest(new string('T', 9000), new string('b', 9000)), 0, Delivery.CreatedAt).ToUtf8();
        using var json = JsonDocument.Parse(bytes);
        Assert.True(bytes.Length <= WebPushPayload.MaxBytes);
        Assert.True(json.RootElement.GetProperty("title").GetString()!.Length >= 1500, "the title keeps at least half the room");
    }
}
