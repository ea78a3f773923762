using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace NewsPush.Tests.Web.Webhooks;

/// <summary>
/// The chat-robot peer on its own, through a plain <see cref="HttpClient"/>, with signatures computed by the small signers below
/// (not the peer's and not NewsPush's). Every test sets the peer clock it needs; none depends on the machine's.
/// </summary>
public sealed class ChatRobotPeerTests(ChatRobotPeer peer) : IClassFixture<ChatRobotPeer>, IDisposable
{
    private static readonly DateTimeOffset FakeNow = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);
    private const string DingTalkVectorSecret = "SEC0123456789abcdef";
    private const long DingTalkVectorTimestamp = 1700000000000;
    private const string WebhookVectorSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string WebhookVectorId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private const long WebhookVectorTimestamp = 1614265330;
    private const string WebhookVectorBody = """{"test": 2432232314}""";

    private readonly HttpClient client = new(new HttpClientHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(30) };

    public void Dispose() => client.Dispose();

    // ---- the test's own signers ----

    private static string DingTalkSign(string secret, long timestampMs) =>
        Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestampMs}\n{secret}")));

    private static string FeishuSign(string secret, long timestampSeconds) =>
        Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes($"{timestampSeconds}\n{secret}"), Array.Empty<byte>()));

    private static string StandardWebhookSign(string secret, string id, long timestampSeconds, string body) =>
        "v1," + Convert.ToBase64String(HMACSHA256.HashData(Convert.FromBase64String(secret["whsec_".Length..]),
            Encoding.UTF8.GetBytes($"{id}.{timestampSeconds}.{body}")));

    // ---- helpers ----

    private static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static string Markdown(string title, string text) => JsonSerializer.Serialize(new { msgtype = "markdown", markdown = new { title, text } });

    private static string FeishuText(long? timestamp, string? sign, string text) =>
        JsonSerializer.Serialize(new { timestamp = timestamp?.ToString(System.Globalization.CultureInfo.InvariantCulture), sign, msg_type = "text", content = new { text } });

    private static string WeComMarkdown(string content) => JsonSerializer.Serialize(new { msgtype = "markdown", markdown = new { content } });

    private async Task<HttpResponseMessage> PostAsync(Uri url, string json) => await client.PostAsync(url, Json(json));

    private async Task<JsonElement> PostForJsonAsync(Uri url, string json)
    {
        using var response = await PostAsync(url, json);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private static Uri Signed(PeerRobot robot, long timestampMs, string sign) =>
        new($"{robot.Url}&timestamp={timestampMs}&sign={Uri.EscapeDataString(sign)}");

    private Task<JsonElement> DingTalkAsync(PeerRobot robot, string json, long timestampMs) =>
        PostForJsonAsync(Signed(robot, timestampMs, DingTalkSign(robot.Secret!, timestampMs)), json);

    private Task<JsonElement> DingTalkAsync(PeerRobot robot, string json) => PostForJsonAsync(robot.Url, json);

    private static void AssertErr(JsonElement answer, int errcode, string errmsg)
    {
        Assert.Equal(errcode, answer.GetProperty("errcode").GetInt32());
        Assert.Equal(errmsg, answer.GetProperty("errmsg").GetString());
    }

    private static void AssertCode(JsonElement answer, int code, string msg)
    {
        Assert.Equal(code, answer.GetProperty("code").GetInt32());
        Assert.Equal(msg, answer.GetProperty("msg").GetString());
    }

    private async Task<(HttpStatusCode Status, string Body, HttpResponseMessage Response)> SlackAsync(PeerRobot robot, string json)
    {
        var response = await PostAsync(robot.Url, json);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    private async Task<HttpResponseMessage> WebhookAsync(Uri url, string id, long timestampSeconds, string signature, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = Json(body) };
        request.Headers.Add("webhook-id", id);
        request.Headers.Add("webhook-timestamp", timestampSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", signature);
        return await client.SendAsync(request);
    }

    // ---- registration ----

    [Fact]
    public async Task GivesEachKindItsProviderShapedUrlAndRefusesADuplicateId()
    {
        var id = NewId("r");

        var dingtalk = await peer.AddRobotAsync("dingtalk", id + "d");
        var feishu = await peer.AddRobotAsync("feishu", id + "f");
        var wecom = await peer.AddRobotAsync("wecom", id + "w");
        var slack = await peer.AddRobotAsync("slack", $"T0/B0/{id}s");
        var generic = await peer.AddRobotAsync("generic", id + "g");

        Assert.Equal($"{peer.BaseUrl}/dingtalk/robot/send?access_token={id}d", dingtalk.Url.ToString());
        Assert.Equal($"{peer.BaseUrl}/feishu/open-apis/bot/v2/hook/{id}f", feishu.Url.ToString());
        Assert.Equal($"{peer.BaseUrl}/wecom/cgi-bin/webhook/send?key={id}w", wecom.Url.ToString());
        Assert.Equal($"{peer.BaseUrl}/slack/services/T0/B0/{id}s", slack.Url.ToString());
        Assert.Equal($"{peer.BaseUrl}/generic/{id}g", generic.Url.ToString());
        Assert.Null(dingtalk.Secret);
        Assert.StartsWith("whsec_", generic.Secret, StringComparison.Ordinal);
        Assert.InRange(Convert.FromBase64String(generic.Secret!["whsec_".Length..]).Length, 24, 64);
        var duplicate = await Assert.ThrowsAsync<HttpRequestException>(() => peer.AddRobotAsync("wecom", id + "d"));
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        var badSecret = await Assert.ThrowsAsync<HttpRequestException>(() => peer.AddRobotAsync("generic", NewId("g"), secret: "whsec_c2hvcnQ="));
        Assert.Equal(HttpStatusCode.BadRequest, badSecret.StatusCode);
    }

    // ---- DingTalk ----

    [Fact]
    public void DingTalkSignerReproducesTheResearchVector()
    {
        var sign = DingTalkSign(DingTalkVectorSecret, DingTalkVectorTimestamp);

        Assert.Equal("TSZbRFUuvaSQaRKUpF970OPCb2/LcQAP3wOvwZIzBZk=", sign);
        Assert.Equal("TSZbRFUuvaSQaRKUpF970OPCb2%2FLcQAP3wOvwZIzBZk%3D", Uri.EscapeDataString(sign));
    }

    [Fact]
    public async Task DingTalkAcceptsTheVectorSignWithinAnHourAndRecordsTitleAndText()
    {
        var robot = await peer.AddRobotAsync("dingtalk", NewId("d"), DingTalkVectorSecret);
        var at = DateTimeOffset.FromUnixTimeMilliseconds(DingTalkVectorTimestamp).AddMinutes(59);
        await peer.SetClockAsync(at);

        var answer = await PostForJsonAsync(
            new Uri($"{robot.Url}&timestamp={DingTalkVectorTimestamp}&sign=TSZbRFUuvaSQaRKUpF970OPCb2%2FLcQAP3wOvwZIzBZk%3D"),
            Markdown("Storm warning", "#### Coastal roads close at 18:00"));

        AssertErr(answer, 0, "ok");
        var message = Assert.Single(await peer.MessagesAsync(robot.Id));
        Assert.Equal("markdown", message.MsgType);
        Assert.Equal("Storm warning\n#### Coastal roads close at 18:00", message.Text);
        Assert.Equal(at, message.At);
        Assert.Equal("Storm warning", message.Body.GetProperty("markdown").GetProperty("title").GetString());
    }

    [Fact]
    public async Task DingTalkRefusesASignMadeWithAnotherSecret()
    {
        var robot = await peer.AddRobotAsync("dingtalk", NewId("d"), "SECright");
        await peer.SetClockAsync(FakeNow);
        var ts = FakeNow.ToUnixTimeMilliseconds();

        var answer = await PostForJsonAsync(Signed(robot, ts, DingTalkSign("SECwrong", ts)), Markdown("t", "x"));

        Assert.Equal(310000, answer.GetProperty("errcode").GetInt32());
        Assert.StartsWith("sign not match", answer.GetProperty("errmsg").GetString(), StringComparison.Ordinal);
        Assert.Empty(await peer.MessagesAsync(robot.Id));
        var request = Assert.Single(await peer.RequestsAsync(robot.Id));
        Assert.Equal((200, 310000, false), (request.HttpStatus, request.Code, request.Accepted));
    }

    [Fact]
    public async Task DingTalkRefusesASignWhosePlusWasNotUrlEncoded()
    {
        var robot = await peer.AddRobotAsync("dingtalk", NewId("d"), DingTalkVectorSecret);
        await peer.SetClockAsync(FakeNow);
        var ts = FakeNow.ToUnixTimeMilliseconds();
        while (!DingTalkSign(robot.Secret!, ts).Contains('+', StringComparison.Ordinal))
        {
            ts++;
        }
        var sign = DingTalkSign(robot.Secret!, ts);

        var raw = await PostForJsonAsync(new Uri($"{robot.Url}&timestamp={ts}&sign={sign}"), Markdown("t", "x"));
        var encoded = await PostForJsonAsync(Signed(robot, ts, sign), Markdown("t", "x"));

        Assert.Equal(310000, raw.GetProperty("errcode").GetInt32());
        AssertErr(encoded, 0, "ok");
    }

    [Fact]
    public async Task DingTalkRefusesATimestampTwoHoursOffTheClock()
    {
        var robot = await peer.AddRobotAsync("dingtalk", NewId("d"), "SECclock");
        await peer.SetClockAsync(FakeNow);

        var late = await DingTalkAsync(robot, Markdown("t", "x"), FakeNow.AddHours(-2).ToUnixTimeMilliseconds());
        var early = await DingTalkAsync(robot, Markdown("t", "x"), FakeNow.AddHours(2).ToUnixTimeMilliseconds());
        var missing = await DingTalkAsync(robot, Markdown("t", "x"));
        var real = await DingTalkAsync(robot, Markdown("t", "x"), DateTimeOffset.UtcNow.AddDays(-400).ToUnixTimeMilliseconds());

        AssertErr(late, 310000, "invalid timestamp");
        AssertErr(early, 310000, "invalid timestamp");
        AssertErr(missing, 310000, "invalid timestamp");
        AssertErr(real, 310000, "invalid timestamp");
        Assert.Empty(await peer.MessagesAsync(robot.Id));
    }

    [Fact]
    public async Task DingTalkRefusesAMessageWithoutTheRobotsKeyword()
    {
        var robot = await peer.AddRobotAsync("dingtalk", NewId("d"), keywords: ["NewsPush"]);
        await peer.SetClockAsync(FakeNow);

        var without = await DingTalkAsync(robot, Markdown("Storm warning", "Coastal roads close"));
        var inTitle = await DingTalkAsync(robot, Markdown("NewsPush: storm", "Coastal roads close"));
        var inText = await DingTalkAsync(robot, """{"msgtype":"text","text":{"content":"via NewsPush"}}""");

        AssertErr(without, 310000, "keywords not in content");
        AssertErr(inTitle, 0, "ok");
        AssertErr(inText, 0, "ok");
        Assert.Equal(["NewsPush: storm\nCoastal roads close", "via NewsPush"], (await peer.MessagesAsync(robot.Id)).Select(m => m.Text));
    }

    [Theory]
    [InlineData("""{"msgtype":"markdown","markdown":{"text":"no title"}}""")]
    [InlineData("""{"msgtype":"voice","voice":{"content":"x"}}""")]
    [InlineData("""{"msgtype":"text","text":{}}""")]
    [InlineData("""{"msgtype":"actionCard","actionCard":{"title":"t","text":"x"}}""")]
    [InlineData("""{"msgtype":"link","link":{"title":"t","text":"x"}}""")]
    [InlineData("""{"msgtype":"feedCard","feedCard":{"links":[]}}""")]
    [InlineData("""{"msgtype":"text","text":{"content":"x"}""")]
    [InlineData("""["not an object"]""")]
    public async Task DingTalkAnswers40035ToABodyOfTheWrongShape(string json)
    {
        var robot = await peer.AddRobotAsync("dingtalk", NewId("d"));
        await peer.SetClockAsync(FakeNow);

        AssertErr(await DingTalkAsync(robot, json), 40035, "缺少参数 json");
    }

    [Fact]
    public async Task DingTalkAnswers40035ToJsonSentAsPlainText()
    {
        var robot = await peer.AddRobotAsync("dingtalk", NewId("d"));
        await peer.SetClockAsync(FakeNow);

        using var response = await client.PostAsync(robot.Url, new StringContent("""{"msgtype":"text","text":{"content":"x"}}""", Encoding.UTF8, "text/plain"));

        AssertErr(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement, 40035, "缺少参数 json");
    }

    [Fact]
    public async Task DingTalkAcceptsEveryMessageShape()
    {
        var robot = await peer.AddRobotAsync("dingtalk", NewId("d"));
        await peer.SetClockAsync(FakeNow);
        string[] bodies =
        [
            """{"msgtype":"text","text":{"content":"plain"},"at":{"isAtAll":false}}""",
            """{"msgtype":"link","link":{"title":"L","text":"lt","messageUrl":"https://newspush.test/s/1"}}""",
            """{"msgtype":"actionCard","actionCard":{"title":"A","text":"at","singleTitle":"Read","singleURL":"https://newspush.test/s/2"}}""",
            """{"msgtype":"actionCard","actionCard":{"title":"B","text":"bt","btns":[{"title":"Yes","actionURL":"https://newspush.test/y"}]}}""",
            """{"msgtype":"feedCard","feedCard":{"links":[{"title":"F1","messageURL":"https://newspush.test/1"},{"title":"F2","messageURL":"https://newspush.test/2"}]}}""",
        ];

        foreach (var body in bodies)
        {
            AssertErr(await DingTalkAsync(robot, body), 0, "ok");
        }

        Assert.Equal(["plain", "L\nlt", "A\nat\nRead", "B\nbt\nYes", "F1\nF2"], (await peer.MessagesAsync(robot.Id)).Select(m => m.Text));
    }

    [Fact]
    public async Task DingTalkAnswersTheUnknownTokenError()
    {
        await peer.SetClockAsync(FakeNow);

        AssertErr(await PostForJsonAsync(new Uri($"{peer.BaseUrl}/dingtalk/robot/send?access_token=nobody"), Markdown("t", "x")), 300001, "token is not exist");
    }

    [Fact]
    public async Task DingTalkRefusesThe21stMessageInAMinuteThenRedirectsForTenMinutes()
    {
        var robot = await peer.AddRobotAsync("dingtalk", NewId("d"));
        await peer.SetClockAsync(FakeNow);
        for (var i = 0; i < 20; i++)
        {
            AssertErr(await DingTalkAsync(robot, Markdown("t", $"#{i}")), 0, "ok");
            await peer.AdvanceClockAsync(TimeSpan.FromSeconds(2));
        }

        var tooFast = await DingTalkAsync(robot, Markdown("t", "#21"));
        using var blocked = await PostAsync(robot.Url, Markdown("t", "#22"));
        await peer.AdvanceClockAsync(TimeSpan.FromMinutes(9));
        using var stillBlocked = await PostAsync(robot.Url, Markdown("t", "#23"));
        await peer.AdvanceClockAsync(TimeSpan.FromMinutes(2));
        var again = await DingTalkAsync(robot, Markdown("t", "#24"));

        AssertErr(tooFast, 410100, "send too fast, exceed 20 times per minute");
        Assert.Equal(HttpStatusCode.Redirect, blocked.StatusCode);
        Assert.NotNull(blocked.Headers.Location);
        Assert.Empty(await blocked.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.Redirect, stillBlocked.StatusCode);
        AssertErr(again, 0, "ok");
        Assert.Equal(21, (await peer.MessagesAsync(robot.Id)).Count);
        Assert.Equal([200, 302, 302, 200], (await peer.RequestsAsync(robot.Id)).Skip(20).Select(r => r.HttpStatus));
    }

    [Fact]
    public async Task DingTalkCountsTheMinuteAsASlidingWindow()
    {
        var robot = await peer.AddRobotAsync("dingtalk", NewId("d"), perMinute: 2);
        await peer.SetClockAsync(FakeNow);
        AssertErr(await DingTalkAsync(robot, Markdown("t", "1")), 0, "ok");
        await peer.AdvanceClockAsync(TimeSpan.FromSeconds(30));
        AssertErr(await DingTalkAsync(robot, Markdown("t", "2")), 0, "ok");
        await peer.AdvanceClockAsync(TimeSpan.FromSeconds(31));

        // The first left the window 61 s after it was sent; the second is 31 s old.
        AssertErr(await DingTalkAsync(robot, Markdown("t", "3")), 0, "ok");
        AssertErr(await DingTalkAsync(robot, Markdown("t", "4")), 410100, "send too fast, exceed 2 times per minute");
    }

    // ---- Feishu ----

    [Fact]
    public void FeishuSignerReproducesTheResearchVectors()
    {
        Assert.Equal("OrBzY1Y01Gq+HgJsl+7OfWcMVwc7YocohQm5iiZwjhU=", FeishuSign("feishu-secret", 1700000000));
        Assert.Equal("sN+9ZKa5w6BQmKyxCaxNA1DWEgtEnZaOcfEOCqZ26fg=", FeishuSign("orbit-test-secret", 1756800000));
    }

    [Fact]
    public async Task FeishuAcceptsTheVectorSignAndRecordsTheText()
    {
        var robot = await peer.AddRobotAsync("feishu", NewId("f"), "feishu-secret");
        await peer.SetClockAsync(DateTimeOffset.FromUnixTimeSeconds(1700000000).AddMinutes(-30));

        var answer = await PostForJsonAsync(robot.Url, FeishuText(1700000000, "OrBzY1Y01Gq+HgJsl+7OfWcMVwc7YocohQm5iiZwjhU=", "Storm warning"));

        AssertCode(answer, 0, "success");
        var message = Assert.Single(await peer.MessagesAsync(robot.Id));
        Assert.Equal(("text", "Storm warning"), (message.MsgType, message.Text));
    }

    [Fact]
    public async Task FeishuRefusesAWrongSwappedOrStaleSign()
    {
        var robot = await peer.AddRobotAsync("feishu", NewId("f"), "feishu-secret");
        await peer.SetClockAsync(FakeNow);
        var ts = FakeNow.ToUnixTimeSeconds();
        var swapped = Convert.ToBase64String(HMACSHA256.HashData(Array.Empty<byte>(), Encoding.UTF8.GetBytes($"{ts}\nfeishu-secret")));
        var dingTalkStyle = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes("feishu-secret"), Encoding.UTF8.GetBytes($"{ts}\nfeishu-secret")));
        const string fail = "sign match fail or timestamp is not within one hour from current time";

        AssertCode(await PostForJsonAsync(robot.Url, FeishuText(ts, FeishuSign("other", ts), "x")), 19021, fail);
        AssertCode(await PostForJsonAsync(robot.Url, FeishuText(ts, swapped, "x")), 19021, fail);
        AssertCode(await PostForJsonAsync(robot.Url, FeishuText(ts, dingTalkStyle, "x")), 19021, fail);
        AssertCode(await PostForJsonAsync(robot.Url, FeishuText(ts - 7200, FeishuSign("feishu-secret", ts - 7200), "x")), 19021, fail);
        AssertCode(await PostForJsonAsync(robot.Url, FeishuText(ts * 1000, FeishuSign("feishu-secret", ts * 1000), "x")), 19021, fail);
        AssertCode(await PostForJsonAsync(robot.Url, FeishuText(null, null, "x")), 19021, fail);
        AssertCode(await PostForJsonAsync(robot.Url, FeishuText(ts, FeishuSign("feishu-secret", ts), "x")), 0, "success");
    }

    [Fact]
    public async Task FeishuRefusesTheSixthMessageInASecond()
    {
        var robot = await peer.AddRobotAsync("feishu", NewId("f"));
        await peer.SetClockAsync(FakeNow);
        for (var i = 0; i < 5; i++)
        {
            AssertCode(await PostForJsonAsync(robot.Url, FeishuText(null, null, $"#{i}")), 0, "success");
        }

        var sixth = await PostForJsonAsync(robot.Url, FeishuText(null, null, "#6"));
        await peer.AdvanceClockAsync(TimeSpan.FromSeconds(1));
        var later = await PostForJsonAsync(robot.Url, FeishuText(null, null, "#7"));

        Assert.Equal(11232, sixth.GetProperty("code").GetInt32());
        Assert.StartsWith("frequency limited psm[lark.oapi.app_platform_runtime]appID[", sixth.GetProperty("msg").GetString(), StringComparison.Ordinal);
        AssertCode(later, 0, "success");
    }

    [Fact]
    public async Task FeishuRefusesTheHundredAndFirstMessageInAMinute()
    {
        var robot = await peer.AddRobotAsync("feishu", NewId("f"));
        await peer.SetClockAsync(FakeNow);
        for (var i = 0; i < 100; i++)
        {
            AssertCode(await PostForJsonAsync(robot.Url, FeishuText(null, null, $"#{i}")), 0, "success");
            await peer.AdvanceClockAsync(TimeSpan.FromMilliseconds(500));
        }

        Assert.Equal(11232, (await PostForJsonAsync(robot.Url, FeishuText(null, null, "#101"))).GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task FeishuRefusesAMessageWithoutTheKeyword()
    {
        var robot = await peer.AddRobotAsync("feishu", NewId("f"), keywords: ["NewsPush"]);
        await peer.SetClockAsync(FakeNow);

        AssertCode(await PostForJsonAsync(robot.Url, FeishuText(null, null, "Storm warning")), 19024, "Key Words Not Found");
        AssertCode(await PostForJsonAsync(robot.Url, FeishuText(null, null, "NewsPush: storm warning")), 0, "success");
    }

    [Fact]
    public async Task FeishuAcceptsPostsAndCardsAndRecordsTheirTexts()
    {
        var robot = await peer.AddRobotAsync("feishu", NewId("f"));
        await peer.SetClockAsync(FakeNow);
        const string post = """
            {"msg_type":"post","content":{"post":{"zh_cn":{"title":"Storm","content":[[{"tag":"text","text":"Roads close "},{"tag":"a","text":"read","href":"https://newspush.test/s/1"}]]}}}}
            """;
        const string card = """
            {"msg_type":"interactive","card":{"header":{"title":{"tag":"plain_text","content":"Storm"}},"elements":[{"tag":"div","text":{"tag":"lark_md","content":"**Roads** close"}},{"tag":"action","actions":[{"tag":"button","text":{"tag":"plain_text","content":"Read"},"url":"https://newspush.test/s/1"}]}]}}
            """;

        AssertCode(await PostForJsonAsync(robot.Url, post), 0, "success");
        AssertCode(await PostForJsonAsync(robot.Url, card), 0, "success");

        Assert.Equal(["Storm\nRoads close read", "Storm\n**Roads** close\nRead"], (await peer.MessagesAsync(robot.Id)).Select(m => m.Text));
    }

    [Theory]
    [InlineData("""{"msg_type":"interactive"}""")]
    [InlineData("""{"msg_type":"interactive","card":{"config":{}}}""")]
    [InlineData("""{"msg_type":"post","content":{"post":{}}}""")]
    [InlineData("""{"msg_type":"text","content":{}}""")]
    [InlineData("""{"msg_type":"sticker","content":{"text":"x"}}""")]
    [InlineData("""{"msg_type":"text",""")]
    public async Task FeishuAnswersBadRequestToTheWrongShape(string json)
    {
        var robot = await peer.AddRobotAsync("feishu", NewId("f"));
        await peer.SetClockAsync(FakeNow);

        AssertCode(await PostForJsonAsync(robot.Url, json), 9499, "Bad Request");
    }

    [Fact]
    public async Task FeishuAnswersTheInvalidTokenErrorToAnUnknownHook()
    {
        await peer.SetClockAsync(FakeNow);

        AssertCode(await PostForJsonAsync(new Uri($"{peer.BaseUrl}/feishu/open-apis/bot/v2/hook/nobody"), FeishuText(null, null, "x")),
            19001, "param invalid: incoming webhook access token invalid");
    }

    // ---- WeCom ----

    [Fact]
    public async Task WeComCountsMarkdownLengthInUtf8Bytes()
    {
        var robot = await peer.AddRobotAsync("wecom", NewId("w"));
        await peer.SetClockAsync(FakeNow);
        var fits = new string('新', 1365) + "a"; // 1366 characters, 4096 bytes
        Assert.Equal(4096, Encoding.UTF8.GetByteCount(fits));

        var accepted = await PostForJsonAsync(robot.Url, WeComMarkdown(fits));
        var tooLong = await PostForJsonAsync(robot.Url, WeComMarkdown(fits + "a"));
        var textTooLong = await PostForJsonAsync(robot.Url, JsonSerializer.Serialize(new { msgtype = "text", text = new { content = new string('x', 2049) } }));

        AssertErr(accepted, 0, "ok");
        AssertErr(tooLong, 40058, "markdown.content exceed max length 4096");
        AssertErr(textTooLong, 40058, "text.content exceed max length 2048");
        Assert.Equal(fits, Assert.Single(await peer.MessagesAsync(robot.Id)).Text);
    }

    [Fact]
    public async Task WeComRefusesThe21stMessageInAMinuteWithoutBlocking()
    {
        var robot = await peer.AddRobotAsync("wecom", NewId("w"));
        await peer.SetClockAsync(FakeNow);
        for (var i = 0; i < 20; i++)
        {
            AssertErr(await PostForJsonAsync(robot.Url, WeComMarkdown($"#{i}")), 0, "ok");
        }

        var over = await PostForJsonAsync(robot.Url, WeComMarkdown("#21"));
        await peer.AdvanceClockAsync(TimeSpan.FromSeconds(61));
        var after = await PostForJsonAsync(robot.Url, WeComMarkdown("#22"));

        AssertErr(over, 45009, "api freq out of limit");
        AssertErr(after, 0, "ok");
    }

    [Fact]
    public async Task WeComAcceptsNewsAndRefusesNineArticles()
    {
        var robot = await peer.AddRobotAsync("wecom", NewId("w"));
        await peer.SetClockAsync(FakeNow);
        string News(int n) => JsonSerializer.Serialize(new
        {
            msgtype = "news",
            news = new { articles = Enumerable.Range(1, n).Select(i => new { title = $"T{i}", description = $"D{i}", url = $"https://newspush.test/s/{i}" }) },
        });

        AssertErr(await PostForJsonAsync(robot.Url, News(2)), 0, "ok");
        Assert.Equal(40058, (await PostForJsonAsync(robot.Url, News(9))).GetProperty("errcode").GetInt32());
        Assert.Equal(40058, (await PostForJsonAsync(robot.Url, """{"msgtype":"file","file":{}}""")).GetProperty("errcode").GetInt32());
        Assert.Equal("T1\nD1\nT2\nD2", Assert.Single(await peer.MessagesAsync(robot.Id)).Text);
    }

    [Fact]
    public async Task WeComAnswersInvalidWebhookUrlToAnUnknownKey()
    {
        await peer.SetClockAsync(FakeNow);

        AssertErr(await PostForJsonAsync(new Uri($"{peer.BaseUrl}/wecom/cgi-bin/webhook/send?key=nobody"), WeComMarkdown("x")), 93000, "invalid webhook url");
    }

    // ---- Slack ----

    [Fact]
    public async Task SlackAnswersNoTextToAMessageWithoutTextOrBlocks()
    {
        var robot = await peer.AddRobotAsync("slack", NewId("s"));
        await peer.SetClockAsync(FakeNow);

        var empty = await SlackAsync(robot, "{}");
        var blank = await SlackAsync(robot, """{"text":"  ","blocks":[]}""");

        Assert.Equal((HttpStatusCode.BadRequest, "no_text"), (empty.Status, empty.Body));
        Assert.Equal((HttpStatusCode.BadRequest, "no_text"), (blank.Status, blank.Body));
        Assert.Equal("text/plain", empty.Response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task SlackAnswersInvalidBlocksToASectionOver3000Characters()
    {
        var robot = await peer.AddRobotAsync("slack", NewId("s"));
        await peer.SetClockAsync(FakeNow);
        string Section(int length) => JsonSerializer.Serialize(new
        {
            text = "fallback",
            blocks = new object[]
            {
                new { type = "header", text = new { type = "plain_text", text = "Storm" } },
                new { type = "section", text = new { type = "mrkdwn", text = new string('x', length) } },
            },
        });

        var tooLong = await SlackAsync(robot, Section(3001));
        var fits = await SlackAsync(robot, Section(3000));

        Assert.Equal((HttpStatusCode.BadRequest, "invalid_blocks"), (tooLong.Status, tooLong.Body));
        Assert.Equal((HttpStatusCode.OK, "ok"), (fits.Status, fits.Body));
        Assert.Equal("fallback\nStorm\n" + new string('x', 3000), Assert.Single(await peer.MessagesAsync(robot.Id)).Text);
    }

    [Theory]
    [InlineData("""{"blocks":[{"type":"video"}]}""")]
    [InlineData("""{"blocks":[{"type":"header","text":{"type":"mrkdwn","text":"*bold*"}}]}""")]
    [InlineData("""{"text":"t","blocks":{"type":"divider"}}""")]
    [InlineData("""{"blocks":[{"type":"section"}]}""")]
    [InlineData("""{"blocks":[{"type":"image","image_url":"https://newspush.test/i.png"}]}""")]
    public async Task SlackAnswersInvalidBlocksToBlocksItDoesNotKnow(string json)
    {
        var robot = await peer.AddRobotAsync("slack", NewId("s"));
        await peer.SetClockAsync(FakeNow);

        var answer = await SlackAsync(robot, json);

        Assert.Equal((HttpStatusCode.BadRequest, "invalid_blocks"), (answer.Status, answer.Body));
    }

    [Fact]
    public async Task SlackAnswersInvalidBlocksToAHeaderOver150CharactersOrMoreThan50Blocks()
    {
        var robot = await peer.AddRobotAsync("slack", NewId("s"));
        await peer.SetClockAsync(FakeNow);
        var longHeader = JsonSerializer.Serialize(new { blocks = new[] { new { type = "header", text = new { type = "plain_text", text = new string('h', 151) } } } });
        var many = JsonSerializer.Serialize(new { text = "t", blocks = Enumerable.Repeat(new { type = "divider" }, 51) });

        Assert.Equal("invalid_blocks", (await SlackAsync(robot, longHeader)).Body);
        Assert.Equal("invalid_blocks", (await SlackAsync(robot, many)).Body);
    }

    [Fact]
    public async Task SlackAnswers429WithRetryAfterToASecondMessageWithinASecond()
    {
        var robot = await peer.AddRobotAsync("slack", NewId("s"));
        await peer.SetClockAsync(FakeNow);

        var first = await SlackAsync(robot, """{"text":"one"}""");
        var second = await SlackAsync(robot, """{"text":"two"}""");
        await peer.AdvanceClockAsync(TimeSpan.FromSeconds(1));
        var third = await SlackAsync(robot, """{"text":"three"}""");

        Assert.Equal((HttpStatusCode.OK, "ok"), (first.Status, first.Body));
        Assert.Equal((HttpStatusCode.TooManyRequests, "rate_limited"), (second.Status, second.Body));
        Assert.Equal(TimeSpan.FromSeconds(1), second.Response.Headers.RetryAfter?.Delta);
        Assert.Equal((HttpStatusCode.OK, "ok"), (third.Status, third.Body));
        Assert.Equal(["one", "three"], (await peer.MessagesAsync(robot.Id)).Select(m => m.Text));
    }

    [Fact]
    public async Task SlackAnswersChannelIsArchivedAfterTheChannelIsArchived()
    {
        var robot = await peer.AddRobotAsync("slack", NewId("s"));
        await peer.SetClockAsync(FakeNow);
        await peer.ArchiveAsync(robot.Id);

        var answer = await SlackAsync(robot, """{"text":"hello"}""");

        Assert.Equal((HttpStatusCode.Gone, "channel_is_archived"), (answer.Status, answer.Body));
    }

    [Fact]
    public async Task SlackAnswersNoServiceToAnUnknownHook()
    {
        await peer.SetClockAsync(FakeNow);

        using var response = await PostAsync(new Uri($"{peer.BaseUrl}/slack/services/T0/B0/nobody"), """{"text":"hello"}""");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no_service", await response.Content.ReadAsStringAsync());
        var request = Assert.Single(await peer.RequestsAsync("T0/B0/nobody"));
        Assert.Equal((404, "no_service", false), (request.HttpStatus, request.Reason, request.Accepted));
    }

    // ---- Standard Webhooks ----

    [Fact]
    public void StandardWebhookSignerReproducesTheResearchVector()
    {
        Assert.Equal("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
            StandardWebhookSign(WebhookVectorSecret, WebhookVectorId, WebhookVectorTimestamp, WebhookVectorBody));
    }

    [Fact]
    public async Task GenericAcceptsTheVectorOnTimeAndRefusesItTenMinutesLateOrTampered()
    {
        var robot = await peer.AddRobotAsync("generic", NewId("g"), WebhookVectorSecret);
        await peer.SetClockAsync(DateTimeOffset.FromUnixTimeSeconds(WebhookVectorTimestamp));
        const string signature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

        using var accepted = await WebhookAsync(robot.Url, WebhookVectorId, WebhookVectorTimestamp, signature, WebhookVectorBody);
        using var tampered = await WebhookAsync(robot.Url, WebhookVectorId, WebhookVectorTimestamp, signature, """{"test": 2432232315}""");
        await peer.AdvanceClockAsync(TimeSpan.FromMinutes(10));
        using var late = await WebhookAsync(robot.Url, WebhookVectorId, WebhookVectorTimestamp, signature, WebhookVectorBody);

        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.True(JsonDocument.Parse(await accepted.Content.ReadAsStringAsync()).RootElement.GetProperty("ok").GetBoolean());
        Assert.Equal(HttpStatusCode.Unauthorized, tampered.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, late.StatusCode);
        Assert.Equal("Message timestamp too old", JsonDocument.Parse(await late.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());
        var message = Assert.Single(await peer.MessagesAsync(robot.Id));
        Assert.Equal((WebhookVectorId, WebhookVectorBody, false), (message.WebhookId, message.Text, message.Duplicate));
        Assert.Equal(2432232314, message.Body.GetProperty("test").GetInt64());
    }

    [Fact]
    public async Task GenericRefusesATimestampMoreThanFiveMinutesAheadAndMissingHeaders()
    {
        var robot = await peer.AddRobotAsync("generic", NewId("g"));
        await peer.SetClockAsync(FakeNow);
        var ahead = FakeNow.AddMinutes(6).ToUnixTimeSeconds();
        var nearlyAhead = FakeNow.AddMinutes(4).ToUnixTimeSeconds();
        const string body = """{"type":"story.published","data":{"id":42}}""";

        using var tooNew = await WebhookAsync(robot.Url, "msg_a", ahead, StandardWebhookSign(robot.Secret!, "msg_a", ahead, body), body);
        using var fine = await WebhookAsync(robot.Url, "msg_b", nearlyAhead, StandardWebhookSign(robot.Secret!, "msg_b", nearlyAhead, body), body);
        using var unsigned = await PostAsync(robot.Url, body);

        Assert.Equal(HttpStatusCode.Unauthorized, tooNew.StatusCode);
        Assert.Equal(HttpStatusCode.OK, fine.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);
        Assert.Equal("story.published", Assert.Single(await peer.MessagesAsync(robot.Id)).MsgType);
    }

    [Fact]
    public async Task GenericMarksTheSecondDeliveryOfAWebhookIdAsDuplicate()
    {
        var robot = await peer.AddRobotAsync("generic", NewId("g"));
        await peer.SetClockAsync(FakeNow);
        var ts = FakeNow.ToUnixTimeSeconds();
        const string body = """{"type":"story.published","data":{"id":7}}""";
        var signature = StandardWebhookSign(robot.Secret!, "msg_twice", ts, body);

        using var first = await WebhookAsync(robot.Url, "msg_twice", ts, signature, body);
        await peer.AdvanceClockAsync(TimeSpan.FromSeconds(5));
        using var second = await WebhookAsync(robot.Url, "msg_twice", ts, signature, body);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal([false, true], (await peer.MessagesAsync(robot.Id)).Select(m => m.Duplicate));
        var requests = await peer.RequestsAsync(robot.Id);
        Assert.All(requests, r => Assert.Equal((200, true), (r.HttpStatus, r.Accepted)));
    }

    // ---- behaviours, recording, reset, lifetime ----

    [Fact]
    public async Task ABehaviourAnswersTheNextRequestsThenTheRobotIsNormalAgain()
    {
        var robot = await peer.AddRobotAsync("dingtalk", NewId("d"));
        await peer.SetClockAsync(FakeNow);
        await peer.SetBehaviourAsync(robot.Id, 500, body: """{"errcode":-1,"errmsg":"系统繁忙"}""", retryAfterSeconds: 3, times: 2);

        using var first = await PostAsync(robot.Url, Markdown("t", "1"));
        using var second = await PostAsync(robot.Url, Markdown("t", "2"));
        var third = await DingTalkAsync(robot, Markdown("t", "3"));

        Assert.Equal(HttpStatusCode.InternalServerError, first.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(3), first.Headers.RetryAfter?.Delta);
        Assert.Equal("application/json", first.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.InternalServerError, second.StatusCode);
        AssertErr(third, 0, "ok");
        Assert.Equal("t\n3", Assert.Single(await peer.MessagesAsync(robot.Id)).Text);
        var requests = await peer.RequestsAsync(robot.Id);
        Assert.Equal([(500, -1, "系统繁忙", false), (500, -1, "系统繁忙", false), (200, 0, "ok", true)],
            requests.Select(r => (r.HttpStatus, r.Code ?? 0, r.Reason, r.Accepted)));
        Assert.All(requests, r => Assert.Equal(FakeNow, r.At));
    }

    [Fact]
    public async Task ABehaviourWithoutTimesLastsUntilCleared()
    {
        var robot = await peer.AddRobotAsync("slack", NewId("s"));
        await peer.SetClockAsync(FakeNow);
        await peer.SetBehaviourAsync(robot.Id, 503, body: "service_unavailable", contentType: "text/plain");

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await SlackAsync(robot, """{"text":"x"}""")).Status);
        }
        await peer.ClearBehaviourAsync(robot.Id);

        Assert.Equal(HttpStatusCode.OK, (await SlackAsync(robot, """{"text":"x"}""")).Status);
        var unknown = await Assert.ThrowsAsync<HttpRequestException>(() => peer.SetBehaviourAsync("nobody-" + Guid.NewGuid(), 500));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task WaitForMessagesReturnsOnceEnoughArrivedAndTimesOutNamingTheRefusals()
    {
        var robot = await peer.AddRobotAsync("wecom", NewId("w"));
        await peer.SetClockAsync(FakeNow);
        await PostForJsonAsync(robot.Url, WeComMarkdown("one"));
        await PostForJsonAsync(robot.Url, """{"msgtype":"markdown","markdown":{}}""");

        var arrived = await peer.WaitForMessagesAsync(1, TimeSpan.FromSeconds(5), robot.Id);
        var timeout = await Assert.ThrowsAsync<TimeoutException>(() => peer.WaitForMessagesAsync(2, TimeSpan.FromMilliseconds(200), robot.Id));

        Assert.Equal("one", Assert.Single(arrived).Text);
        Assert.Contains("40058", timeout.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResetClearsRecordsBlocksAndWindowsAndPutsTheClockBackToRealTime()
    {
        var dingtalk = await peer.AddRobotAsync("dingtalk", NewId("d"), "SECreset", perMinute: 1);
        var slack = await peer.AddRobotAsync("slack", NewId("s"));
        await peer.SetClockAsync(FakeNow.AddYears(-3));
        var old = FakeNow.AddYears(-3).ToUnixTimeMilliseconds();
        AssertErr(await DingTalkAsync(dingtalk, Markdown("t", "1"), old), 0, "ok");
        AssertErr(await DingTalkAsync(dingtalk, Markdown("t", "2"), old), 410100, "send too fast, exceed 1 times per minute");
        await peer.ArchiveAsync(slack.Id);

        await peer.ResetAsync();

        Assert.Empty(await peer.MessagesAsync());
        Assert.Empty(await peer.RequestsAsync());
        var stats = await peer.StatsAsync();
        Assert.Equal(0, stats.GetProperty("requests").GetInt32());
        Assert.Equal(0, stats.GetProperty("accepted").GetInt32());
        // The robots stay; the block, the window and the archive flag do not; the clock is the machine's again.
        AssertErr(await DingTalkAsync(dingtalk, Markdown("t", "3"), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()), 0, "ok");
        Assert.Equal(HttpStatusCode.OK, (await SlackAsync(slack, """{"text":"back"}""")).Status);
        AssertErr(await DingTalkAsync(dingtalk, Markdown("t", "4"), old), 310000, "invalid timestamp");
        Assert.Equal(2, (await peer.MessagesAsync()).Count);
    }

    [Fact]
    public async Task CountsRequestsPerKindInTheStats()
    {
        await peer.ResetAsync();
        await peer.SetClockAsync(FakeNow);
        var wecom = await peer.AddRobotAsync("wecom", NewId("w"));
        await PostForJsonAsync(wecom.Url, WeComMarkdown("ok"));
        await PostForJsonAsync(wecom.Url, "{}");

        var stats = await peer.StatsAsync();

        Assert.Equal(2, stats.GetProperty("requests").GetInt32());
        Assert.Equal(1, stats.GetProperty("accepted").GetInt32());
        Assert.Equal(1, stats.GetProperty("rejected").GetInt32());
        Assert.Equal(2, stats.GetProperty("kinds").GetProperty("wecom").GetProperty("requests").GetInt32());
        Assert.Equal(2, stats.GetProperty("statuses").GetProperty("200").GetInt32());
    }

    [Fact]
    public async Task TheClockStandsStillUntilAdvanced()
    {
        await peer.SetClockAsync(FakeNow);

        Assert.Equal(FakeNow, await peer.NowAsync());
        await peer.AdvanceClockAsync(TimeSpan.FromMinutes(90));
        Assert.Equal(FakeNow.AddMinutes(90), await peer.NowAsync());
    }

    [Fact]
    public async Task DisposingThePeerStopsNode()
    {
        string baseUrl;
        await using (var own = await ChatRobotPeer.StartAsync())
        {
            baseUrl = own.BaseUrl;
            Assert.Empty(await own.MessagesAsync());
        }
        using var http = new HttpClient();

        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(new Uri($"{baseUrl}/_control/stats")));
    }
}
