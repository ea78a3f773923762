using System.Net;
using System.Text;
using System.Text.Json;
using NewsPush.Data.Entities;
using NewsPush.Web.Webhooks;

namespace NewsPush.Tests.Web.Webhooks;

/// <summary>Signatures against the research notes' vectors, the limits' arithmetic, how answers are read, the address rules.</summary>
public sealed class RobotRulesTests
{
    [Fact]
    public void SignaturesMatchTheVectors()
    {
        Assert.Equal("TSZbRFUuvaSQaRKUpF970OPCb2/LcQAP3wOvwZIzBZk=", RobotMessages.DingTalkSign("SEC0123456789abcdef", 1700000000000));
        Assert.Equal("OrBzY1Y01Gq+HgJsl+7OfWcMVwc7YocohQm5iiZwjhU=", RobotMessages.FeishuSign("feishu-secret", 1700000000));
        Assert.Equal("sN+9ZKa5w6BQmKyxCaxNA1DWEgtEnZaOcfEOCqZ26fg=", RobotMessages.FeishuSign("orbit-test-secret", 1756800000));
        Assert.Equal("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", RobotMessages.StandardWebhookSign(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, Encoding.UTF8.GetBytes("{\"test\": 2432232314}")));
    }

    [Fact]
    public void TheDingTalkSignatureGoesUrlEncodedInTheQuery()
    {
        var robot = new RobotTarget(1, WebhookKind.DingTalk, "https://oapi.dingtalk.com/robot/send?access_token=t", "SEC0123456789abcdef", null);
        using var request = RobotMessages.Build(robot, new RobotPost("msg_1", RobotPostKind.Test, "T", "x", null, []), DateTimeOffset.FromUnixTimeMilliseconds(1700000000000));
        Assert.Equal("https://oapi.dingtalk.com/robot/send?access_token=t&timestamp=1700000000000&sign=TSZbRFUuvaSQaRKUpF970OPCb2%2FLcQAP3wOvwZIzBZk%3D",
            request.RequestUri!.OriginalString);
    }

    [Fact]
    public void AKeywordTheMessageLacksIsAddedAndMarkdownStaysWithinWeComsLimit()
    {
        var items = Enumerable.Range(1, 200).Select(i => new RobotItem($"故事 {i} " + new string('长', 30), "", $"https://news.example/t/{i}", "World")).ToList();
        var text = RobotMessages.Markdown(new RobotPost("m", RobotPostKind.Summary, "200 stories", "", null, items), "NewsPush");
        Assert.True(Encoding.UTF8.GetByteCount(text) <= RobotMessages.MaxMarkdownBytes);
        Assert.Contains("NewsPush", text, StringComparison.Ordinal);
        Assert.Matches(@"… and \d+ more on NewsPush\.", text);
        Assert.Contains("1. [故事 1 ", text, StringComparison.Ordinal);
        // Square brackets in a title cannot break the link.
        Assert.Contains("[A (live) blog](https://x/)", RobotMessages.Markdown(new RobotPost("m", RobotPostKind.Summary, "t", "", null, [new RobotItem("A [live] blog", "", "https://x/", null)]), null));
    }

    [Fact]
    public void LimitsFollowTheProviderAndNeverExceedIt()
    {
        Assert.Equal(new RobotLimits(20, null), RobotLimits.For(WebhookKind.DingTalk, 0));
        Assert.Equal(new RobotLimits(20, null), RobotLimits.For(WebhookKind.DingTalk, 500));
        Assert.Equal(new RobotLimits(10, null), RobotLimits.For(WebhookKind.WeCom, 10));
        Assert.Equal(new RobotLimits(100, 5), RobotLimits.For(WebhookKind.Feishu, 0));
        Assert.Equal(new RobotLimits(60, 1), RobotLimits.For(WebhookKind.Slack, 0));
        Assert.Equal(new RobotLimits(300, null), RobotLimits.For(WebhookKind.Generic, 300));

        var now = new DateTime(2026, 12, 1, 12, 0, 0, DateTimeKind.Utc);
        var twenty = Enumerable.Range(0, 20).Select(i => now.AddSeconds(-59 + i)).ToList();
        Assert.Equal(0, RobotLimits.For(WebhookKind.DingTalk, 0).Free(twenty, now, out var reopens));
        Assert.Equal(now.AddSeconds(1), reopens);
        Assert.Equal(1, RobotLimits.For(WebhookKind.DingTalk, 0).Free(twenty, now.AddSeconds(1), out _));
        // Feishu: room in the minute, but five in the last second.
        var burst = Enumerable.Range(0, 5).Select(i => now.AddMilliseconds(-500 + i)).ToList();
        Assert.Equal(0, RobotLimits.For(WebhookKind.Feishu, 0).Free(burst, now, out reopens));
        Assert.Equal(now.AddMilliseconds(500), reopens);
        Assert.Equal(5, RobotLimits.For(WebhookKind.Feishu, 0).Free(burst, now.AddSeconds(1), out _));
    }

    [Theory]
    [InlineData(WebhookKind.DingTalk, 200, """{"errcode":0,"errmsg":"ok"}""", RobotVerdict.Accepted)]
    [InlineData(WebhookKind.DingTalk, 200, """{"errcode":310000,"errmsg":"keywords not in content"}""", RobotVerdict.NeedsFix)]
    [InlineData(WebhookKind.DingTalk, 200, """{"errcode":410100,"errmsg":"send too fast, exceed 20 times per minute"}""", RobotVerdict.TooFast)]
    [InlineData(WebhookKind.DingTalk, 302, "", RobotVerdict.TooFast)]
    [InlineData(WebhookKind.DingTalk, 200, """{"errcode":40035,"errmsg":"缺少参数 json"}""", RobotVerdict.Refused)]
    [InlineData(WebhookKind.Feishu, 200, """{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"}""", RobotVerdict.NeedsFix)]
    [InlineData(WebhookKind.Feishu, 200, """{"code":11232,"msg":"frequency limited"}""", RobotVerdict.RateLimited)]
    [InlineData(WebhookKind.Feishu, 200, """{"StatusCode":0,"StatusMessage":"success"}""", RobotVerdict.Accepted)]
    [InlineData(WebhookKind.WeCom, 200, """{"errcode":45009,"errmsg":"api freq out of limit"}""", RobotVerdict.RateLimited)]
    [InlineData(WebhookKind.WeCom, 200, """{"errcode":93000,"errmsg":"invalid webhook url"}""", RobotVerdict.NeedsFix)]
    [InlineData(WebhookKind.Slack, 200, "ok", RobotVerdict.Accepted)]
    [InlineData(WebhookKind.Slack, 429, "rate_limited", RobotVerdict.RateLimited)]
    [InlineData(WebhookKind.Slack, 410, "channel_is_archived", RobotVerdict.NeedsFix)]
    [InlineData(WebhookKind.Slack, 400, "invalid_blocks", RobotVerdict.Refused)]
    [InlineData(WebhookKind.Slack, 500, "", RobotVerdict.Transient)]
    [InlineData(WebhookKind.Generic, 204, "", RobotVerdict.Accepted)]
    [InlineData(WebhookKind.Generic, 410, "", RobotVerdict.NeedsFix)]
    [InlineData(WebhookKind.Generic, 502, "", RobotVerdict.RateLimited)]
    [InlineData(WebhookKind.Generic, 301, "", RobotVerdict.NeedsFix)]
    public void AnswersAreReadAsTheProviderMeansThem(WebhookKind kind, int status, string body, RobotVerdict verdict) =>
        Assert.Equal(verdict, RobotReplies.Read(kind, (HttpStatusCode)status, null, body).Verdict);

    [Fact]
    public void ASlackRetryAfterIsKept() =>
        Assert.Equal(TimeSpan.FromSeconds(30), RobotReplies.Read(WebhookKind.Slack, HttpStatusCode.TooManyRequests, TimeSpan.FromSeconds(30), "rate_limited").RetryAfter);

    [Theory]
    [InlineData("127.0.0.1", false)]
    [InlineData("10.0.0.1", false)]
    [InlineData("172.16.5.4", false)]
    [InlineData("192.168.1.1", false)]
    [InlineData("169.254.169.254", false)]
    [InlineData("100.64.0.1", false)]
    [InlineData("0.0.0.0", false)]
    [InlineData("224.0.0.1", false)]
    [InlineData("::1", false)]
    [InlineData("fc00::1", false)]
    [InlineData("fe80::1", false)]
    [InlineData("::ffff:10.0.0.1", false)]
    [InlineData("::ffff:127.0.0.1", false)]
    [InlineData("64:ff9b::a00:1", false)]
    [InlineData("93.184.215.14", true)]
    [InlineData("8.8.8.8", true)]
    [InlineData("2606:4700:4700::1111", true)]
    public void OnlyPublicAddressesArePublic(string address, bool isPublic) => Assert.Equal(isPublic, WebhookAddressPolicy.IsPublic(IPAddress.Parse(address)));

    [Fact]
    public async Task ANameThatTurnsPrivateAfterTheCheckIsRefusedWhenConnecting()
    {
        // DNS rebinding: public when the robot was saved, loopback when the message goes.
        var answers = new Queue<IPAddress>([IPAddress.Parse("93.184.215.14"), IPAddress.Loopback]);
        var policy = new WebhookAddressPolicy(false, (_, _) => Task.FromResult<IPAddress[]>([answers.Dequeue()]));
        Assert.Null(await policy.CheckAsync("https://rebind.example/hook", CancellationToken.None));
        using var http = new HttpClient(new SocketsHttpHandler { ConnectCallback = policy.ConnectAsync, AllowAutoRedirect = false });
        var client = new WebhookClient(http);
        var reply = await client.SendAsync(new RobotTarget(1, WebhookKind.Generic, "https://rebind.example/hook", null, null),
            new RobotPost("msg_1", RobotPostKind.Test, "T", "", null, []), DateTimeOffset.UtcNow, CancellationToken.None);
        Assert.Equal(RobotVerdict.NeedsFix, reply.Verdict);
        Assert.Contains("rebind.example resolves to 127.0.0.1, a private or local address: not connected.", reply.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheGenericBodyIsDocumentedJson()
    {
        var robot = new RobotTarget(1, WebhookKind.Generic, "https://hooks.example.com/x", RobotMessages.NewGenericSecret(), null);
        using var request = RobotMessages.Build(robot, new RobotPost("msg_abc", RobotPostKind.Story, "Title", "Summary", "https://n/t/c/x", []), DateTimeOffset.FromUnixTimeSeconds(1764000000));
        using var body = JsonDocument.Parse(await request.Content!.ReadAsStringAsync());
        Assert.Equal("news.breaking", body.RootElement.GetProperty("type").GetString());
        Assert.Equal("Title", body.RootElement.GetProperty("data").GetProperty("title").GetString());
        Assert.Equal("msg_abc", request.Headers.GetValues("webhook-id").Single());
        Assert.Equal("1764000000", request.Headers.GetValues("webhook-timestamp").Single());
        Assert.StartsWith("v1,", request.Headers.GetValues("webhook-signature").Single(), StringComparison.Ordinal);
    }
}
