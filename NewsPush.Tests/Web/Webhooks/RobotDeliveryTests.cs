using Microsoft.Extensions.DependencyInjection;
using NewsPush.Data.Entities;
using NewsPush.Web.Webhooks;

namespace NewsPush.Tests.Web.Webhooks;

/// <summary>
/// Robots through the real engine against <see cref="ChatRobotPeer"/>, which checks each provider's signature as the
/// provider does and answers like it (including its rate limits). The peer's clock follows the site's fake clock.
/// </summary>
public abstract class RobotDeliveryTests<TFactory>(TFactory factory, ChatRobotPeer peer) where TFactory : RobotFactory
{
    private static string NewId(string prefix) => prefix + Guid.NewGuid().ToString("N")[..10];

    private async Task SyncClockAsync() => await peer.SetClockAsync(factory.Clock.Now);

    private async Task AdvanceAsync(TimeSpan by)
    {
        factory.Clock.Advance(by);
        await SyncClockAsync();
    }

    [Fact]
    public async Task ASignedDingTalkRobotGetsTheStoryAsAnActionCardThatLinksToIt()
    {
        await SyncClockAsync();
        var robot = await peer.AddRobotAsync("dingtalk", NewId("dt"), secret: "SEC" + Guid.NewGuid().ToString("N"), keywords: ["NewsPush"]);
        var id = await factory.AddRobotAsync(robot, WebhookKind.DingTalk, keyword: "NewsPush");
        var delivery = await factory.QueueForRobotAsync(id, RobotFactory.Story("Storm closes the harbour", slug: "storm-harbour"));

        await factory.DispatchAsync();

        var message = Assert.Single(await peer.MessagesAsync(robot.Id));
        Assert.Equal("actionCard", message.MsgType);
        Assert.Contains("Storm closes the harbour", message.Text, StringComparison.Ordinal);
        var link = message.Body.GetProperty("actionCard").GetProperty("singleURL").GetString()!;
        Assert.Matches("^http://localhost/t/c/[^?]+\\?a=1&u=%2Farticle%2Fstorm-harbour$", link);
        Assert.Equal(DeliveryStatus.Sent, (await factory.DeliveryAsync(delivery.Id)).Status);
        var row = await factory.RobotAsync(id);
        Assert.Equal(factory.Clock.Now.UtcDateTime, row.LastDeliveryAt);
        Assert.Null(row.LastError);
    }

    [Fact]
    public async Task ThirtyStoriesInOneMinuteToOneDingTalkRobotMakeTwentyRequestsAndOneSummaryCarriesTheRest()
    {
        await SyncClockAsync();
        var robot = await peer.AddRobotAsync("dingtalk", NewId("burst"), secret: "SEC" + Guid.NewGuid().ToString("N"));
        var id = await factory.AddRobotAsync(robot, WebhookKind.DingTalk);
        var titles = Enumerable.Range(1, 30).Select(i => $"Election night update {i:00}").ToList();

        // One story every two seconds: 30 in a minute, each dispatched as it comes.
        foreach (var title in titles)
        {
            await factory.QueueForRobotAsync(id, RobotFactory.Story(title));
            await factory.DispatchAsync();
            await AdvanceAsync(TimeSpan.FromSeconds(2));
        }
        var inTheMinute = await peer.RequestsAsync(robot.Id);
        Assert.Equal(20, inTheMinute.Count);
        Assert.All(inTheMinute, r => Assert.True(r.Accepted, $"{r.Code} {r.Reason}"));
        var waiting = (await factory.RobotDeliveriesAsync(id)).Where(d => d.Status == DeliveryStatus.Queued).ToList();
        Assert.Equal(10, waiting.Count);
        Assert.All(waiting, d => Assert.Equal(0, d.Attempts));

        // The window reopens a minute after the first request: the ten go out as one markdown summary.
        await AdvanceAsync(TimeSpan.FromSeconds(2));
        await factory.DispatchAsync();

        var messages = await peer.MessagesAsync(robot.Id);
        Assert.Equal(21, messages.Count);
        var summary = messages[^1];
        Assert.Equal("markdown", summary.MsgType);
        Assert.Contains("10 stories", summary.Text, StringComparison.Ordinal);
        foreach (var title in titles)
        {
            Assert.Equal(1, messages.Count(m => m.Text.Contains(title, StringComparison.Ordinal)));
        }
        // No 60-second window holds more than 20 requests.
        var times = (await peer.RequestsAsync(robot.Id)).Select(r => r.At).Order().ToList();
        for (var i = 20; i < times.Count; i++)
        {
            Assert.True(times[i] - times[i - 20] >= TimeSpan.FromMinutes(1), $"requests {i - 20} and {i} are {times[i] - times[i - 20]} apart");
        }
        Assert.All(await factory.RobotDeliveriesAsync(id), d => Assert.Equal(DeliveryStatus.Sent, d.Status));
    }

    [Fact]
    public async Task AWrongSecretPausesTheRobotWithDingTalksReasonAndAFixSendsWhatWaited()
    {
        await SyncClockAsync();
        var robot = await peer.AddRobotAsync("dingtalk", NewId("sign"), secret: "SEC" + Guid.NewGuid().ToString("N"));
        var id = await factory.AddRobotAsync(robot, WebhookKind.DingTalk, secret: "SECnotthesecret0000");
        var delivery = await factory.QueueForRobotAsync(id, RobotFactory.Story("Minister resigns"));

        await factory.DispatchAsync();

        var refused = Assert.Single(await peer.RequestsAsync(robot.Id));
        Assert.Equal(310000, refused.Code);
        var row = await factory.RobotAsync(id);
        Assert.True(row.NeedsFix);
        Assert.Contains("sign not match", row.PauseReason, StringComparison.Ordinal);
        var waiting = await factory.DeliveryAsync(delivery.Id);
        Assert.Equal((DeliveryStatus.Queued, 0), (waiting.Status, waiting.Attempts));

        // Paused: nothing more is tried, however often the dispatcher runs.
        await AdvanceAsync(TimeSpan.FromMinutes(5));
        await factory.DispatchAsync();
        Assert.Single(await peer.RequestsAsync(robot.Id));

        // An editor enters the right secret: the robot resumes and the story goes out once.
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var admin = scope.ServiceProvider.GetRequiredService<RobotAdmin>();
            var form = (await admin.FormAsync(id, CancellationToken.None))!;
            form.Secret = robot.Secret;
            var (outcome, _, errors) = await admin.SaveAsync(id, form, await factory.EditorAsync(), CancellationToken.None);
            Assert.True(outcome == RobotSaveOutcome.Saved, string.Join(" ", errors.Values));
        }
        Assert.False((await factory.RobotAsync(id)).NeedsFix);
        await factory.DispatchAsync();
        Assert.Single(await peer.MessagesAsync(robot.Id));
        Assert.Equal(DeliveryStatus.Sent, (await factory.DeliveryAsync(delivery.Id)).Status);
    }

    [Fact]
    public async Task SendTooFastPausesTheRobotTenMinutesThenItResumesAndNothingIsLostOrDoubled()
    {
        await SyncClockAsync();
        // The group's robot is stricter than DingTalk's rule (5 a minute): the sixth request is "send too fast".
        var robot = await peer.AddRobotAsync("dingtalk", NewId("fast"), perMinute: 5);
        var id = await factory.AddRobotAsync(robot, WebhookKind.DingTalk);
        var titles = Enumerable.Range(1, 8).Select(i => $"Market moves {i}").ToList();
        foreach (var title in titles)
        {
            await factory.QueueForRobotAsync(id, RobotFactory.Story(title));
            await factory.DispatchAsync();
        }

        var requests = await peer.RequestsAsync(robot.Id);
        Assert.True(requests.Count == 6, string.Join("\n", requests));
        Assert.Equal(410100, requests[^1].Code);
        var row = await factory.RobotAsync(id);
        Assert.Equal(factory.Clock.Now.UtcDateTime.AddMinutes(10), row.PausedUntil);
        Assert.Contains("send too fast", row.PauseReason, StringComparison.Ordinal);

        // Nine minutes on: still paused, nothing tried (DingTalk would answer 302).
        await AdvanceAsync(TimeSpan.FromMinutes(9));
        await factory.DispatchAsync();
        Assert.Equal(6, (await peer.RequestsAsync(robot.Id)).Count);

        await AdvanceAsync(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        await factory.DispatchAsync();
        var messages = await peer.MessagesAsync(robot.Id);
        Assert.Equal(6, messages.Count);
        foreach (var title in titles)
        {
            Assert.Equal(1, messages.Count(m => m.Text.Contains(title, StringComparison.Ordinal)));
        }
        Assert.All(await factory.RobotDeliveriesAsync(id), d => Assert.Equal(DeliveryStatus.Sent, d.Status));
    }

    [Fact]
    public async Task Slack429IsWaitedOutForItsRetryAfterThenSentOnce()
    {
        await SyncClockAsync();
        var robot = await peer.AddRobotAsync("slack", NewId("sl"));
        var id = await factory.AddRobotAsync(robot, WebhookKind.Slack);
        await peer.SetBehaviourAsync(robot.Id, 429, body: "rate_limited", retryAfterSeconds: 7, times: 1);
        var delivery = await factory.QueueForRobotAsync(id, RobotFactory.Story("Bridge reopens <today> & tonight"));

        await factory.DispatchAsync();
        var waiting = await factory.DeliveryAsync(delivery.Id);
        Assert.Equal(DeliveryStatus.Queued, waiting.Status);
        Assert.Equal(factory.Clock.Now.UtcDateTime.AddSeconds(7), waiting.NextAttemptAt);

        await AdvanceAsync(TimeSpan.FromSeconds(6));
        await factory.DispatchAsync();
        Assert.Single(await peer.RequestsAsync(robot.Id));

        await AdvanceAsync(TimeSpan.FromSeconds(1));
        await factory.DispatchAsync();
        var message = Assert.Single(await peer.MessagesAsync(robot.Id));
        var header = message.Body.GetProperty("blocks")[0];
        Assert.Equal("header", header.GetProperty("type").GetString());
        Assert.Equal("Bridge reopens <today> & tonight", header.GetProperty("text").GetProperty("text").GetString());
        Assert.Equal(DeliveryStatus.Sent, (await factory.DeliveryAsync(delivery.Id)).Status);
    }

    [Fact]
    public async Task FeishuWeComAndGenericRobotsAcceptTheirSignedMessages()
    {
        await SyncClockAsync();
        var feishu = await peer.AddRobotAsync("feishu", NewId("fs"), secret: "feishu-" + Guid.NewGuid().ToString("N"), keywords: ["NewsPush"]);
        var wecom = await peer.AddRobotAsync("wecom", NewId("wc"));
        var generic = await peer.AddRobotAsync("generic", NewId("gn"));
        var feishuId = await factory.AddRobotAsync(feishu, WebhookKind.Feishu, keyword: "NewsPush");
        var wecomId = await factory.AddRobotAsync(wecom, WebhookKind.WeCom);
        var genericId = await factory.AddRobotAsync(generic, WebhookKind.Generic);
        var story = RobotFactory.Story("台风登陆：港口关闭");
        await factory.QueueForRobotAsync(feishuId, story);
        await factory.QueueForRobotAsync(wecomId, story);
        var sent = await factory.QueueForRobotAsync(genericId, story);

        await factory.DispatchAsync();

        var card = Assert.Single(await peer.MessagesAsync(feishu.Id));
        Assert.Equal("interactive", card.MsgType);
        Assert.Contains("台风登陆：港口关闭", card.Text, StringComparison.Ordinal);
        Assert.Contains("台风登陆：港口关闭", Assert.Single(await peer.MessagesAsync(wecom.Id)).Text, StringComparison.Ordinal);
        var hook = Assert.Single(await peer.MessagesAsync(generic.Id));
        Assert.False(hook.Duplicate);
        Assert.StartsWith("msg_", hook.WebhookId, StringComparison.Ordinal);
        Assert.Equal("news.breaking", hook.Body.GetProperty("type").GetString());
        Assert.Equal("台风登陆：港口关闭", hook.Body.GetProperty("data").GetProperty("title").GetString());
        Assert.All(await factory.RobotDeliveriesAsync(genericId), d => Assert.Equal(DeliveryStatus.Sent, d.Status));
        _ = sent;
    }

    [Fact]
    public async Task AServerErrorIsRetriedWithTheSameWebhookIdAndArrivesOnce()
    {
        await SyncClockAsync();
        var generic = await peer.AddRobotAsync("generic", NewId("retry"));
        var id = await factory.AddRobotAsync(generic, WebhookKind.Generic);
        await peer.SetBehaviourAsync(generic.Id, 503, times: 1);
        var delivery = await factory.QueueForRobotAsync(id, RobotFactory.Story("Power cut downtown"));

        await factory.DispatchAsync();
        Assert.Equal((DeliveryStatus.Queued, 1), ((await factory.DeliveryAsync(delivery.Id)).Status, (await factory.DeliveryAsync(delivery.Id)).Attempts));
        await AdvanceAsync(TimeSpan.FromMinutes(2));
        await factory.DispatchAsync();

        var message = Assert.Single(await peer.MessagesAsync(generic.Id));
        Assert.False(message.Duplicate);
        Assert.Equal(DeliveryStatus.Sent, (await factory.DeliveryAsync(delivery.Id)).Status);
        Assert.Contains("503", (await factory.RobotAsync(id)).LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RobotsThatReceiveAlertsHearOfAPausedChannelAndOfARobotThatNeedsAFix()
    {
        await SyncClockAsync();
        var ops = await peer.AddRobotAsync("slack", NewId("ops"));
        var opsId = await factory.AddRobotAsync(ops, WebhookKind.Slack, alerts: true);
        var broken = await peer.AddRobotAsync("wecom", NewId("broken"));
        var brokenId = await factory.AddRobotAsync(broken, WebhookKind.WeCom, alerts: true);
        await peer.SetBehaviourAsync(broken.Id, 200, body: "{\"errcode\":93000,\"errmsg\":\"invalid webhook url\"}", contentType: "application/json");

        await using (var scope = factory.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<NewsPush.Web.Push.ChannelHealth>().PauseAsync(DeliveryChannel.Email,
                new NewsPush.Web.Push.ChannelFault(ChannelPauseKind.Configuration, "535 5.7.8 Authentication failed"), CancellationToken.None);
        }
        await factory.DispatchAsync();
        await AdvanceAsync(TimeSpan.FromSeconds(2));
        await factory.DispatchAsync();

        var heard = await peer.MessagesAsync(ops.Id);
        Assert.Contains(heard, m => m.Text.Contains("The Email channel is paused", StringComparison.Ordinal) && m.Text.Contains("535 5.7.8", StringComparison.Ordinal));
        // The WeCom robot refused its alert: it waits for a fix, and the other robot is told, once.
        Assert.True((await factory.RobotAsync(brokenId)).NeedsFix);
        Assert.Equal(1, heard.Count(m => m.Text.Contains("needs a fix", StringComparison.Ordinal) && m.Text.Contains("invalid webhook url", StringComparison.Ordinal)));
        Assert.Empty(await peer.MessagesAsync(broken.Id));
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<NewsPush.Web.Push.ChannelHealth>().ResumeAsync(DeliveryChannel.Email, CancellationToken.None);
        }
        _ = opsId;
    }

    [Fact]
    public async Task FailedDeliveriesAreToldToTheAlertRobotsOnceAnHour()
    {
        await SyncClockAsync();
        var ops = await peer.AddRobotAsync("slack", NewId("opsf"));
        await factory.AddRobotAsync(ops, WebhookKind.Slack, alerts: true);
        var picky = await peer.AddRobotAsync("wecom", NewId("picky"));
        var pickyId = await factory.AddRobotAsync(picky, WebhookKind.WeCom);
        await peer.SetBehaviourAsync(picky.Id, 200, body: "{\"errcode\":40058,\"errmsg\":\"markdown.content exceed max length 4096\"}", contentType: "application/json");

        await factory.QueueForRobotAsync(pickyId, RobotFactory.Story("Refused once"));
        await factory.DispatchAsync();
        await AdvanceAsync(TimeSpan.FromSeconds(2));
        await factory.DispatchAsync();
        await factory.QueueForRobotAsync(pickyId, RobotFactory.Story("Refused twice"));
        await AdvanceAsync(TimeSpan.FromSeconds(2));
        await factory.DispatchAsync();
        await AdvanceAsync(TimeSpan.FromSeconds(2));
        await factory.DispatchAsync();

        Assert.All(await factory.RobotDeliveriesAsync(pickyId), d => Assert.Equal(DeliveryStatus.Failed, d.Status));
        Assert.Contains("40058", (await factory.RobotDeliveriesAsync(pickyId))[0].LastError, StringComparison.Ordinal);
        var told = (await peer.MessagesAsync(ops.Id)).Where(m => m.Text.Contains("Deliveries failed on the Webhook channel", StringComparison.Ordinal)).ToList();
        var alert = Assert.Single(told);
        Assert.Contains("exceed max length 4096", alert.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAddressThatRedirectsToAPrivateOneIsNotFollowedAndTheReasonNamesIt()
    {
        // A receiver on its own port that answers every request with a redirect into the private network.
        var free = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        free.Start();
        var port = ((System.Net.IPEndPoint)free.LocalEndpoint).Port;
        free.Stop();
        using var listener = new System.Net.HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var requests = 0;
        var serving = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                System.Net.HttpListenerContext context;
                try { context = await listener.GetContextAsync(); } catch (System.Net.HttpListenerException) { return; } catch (ObjectDisposedException) { return; }
                Interlocked.Increment(ref requests);
                context.Response.StatusCode = 302;
                context.Response.RedirectLocation = "http://10.0.0.1/internal";
                context.Response.Close();
            }
        });
        var id = await factory.AddRobotAsync(new PeerRobot(NewId("r302"), "generic", new Uri($"http://127.0.0.1:{port}/hook"), null), WebhookKind.Generic);
        await factory.QueueForRobotAsync(id, RobotFactory.Story("Redirected inside"));

        await factory.DispatchAsync();

        Assert.Equal(1, requests);
        var row = await factory.RobotAsync(id);
        Assert.True(row.NeedsFix);
        Assert.Equal("The address answered 302 (a redirect to http://10.0.0.1/internal); redirects are not followed. Check the URL.", row.PauseReason);
        listener.Stop();
        await serving;
    }

    [Fact]
    public async Task AnAddressThatRedirectsIsNotFollowedAndTheRobotWaitsForAFix()
    {
        await SyncClockAsync();
        var generic = await peer.AddRobotAsync("generic", NewId("redir"));
        var id = await factory.AddRobotAsync(generic, WebhookKind.Generic);
        await peer.SetBehaviourAsync(generic.Id, 302, times: 1);
        await factory.QueueForRobotAsync(id, RobotFactory.Story("Redirected"));

        await factory.DispatchAsync();

        Assert.Single(await peer.RequestsAsync(generic.Id));
        var row = await factory.RobotAsync(id);
        Assert.True(row.NeedsFix);
        Assert.Contains("redirects are not followed", row.PauseReason, StringComparison.Ordinal);
        Assert.Empty(await peer.MessagesAsync(generic.Id));
    }
}

public sealed class SqliteRobotDeliveryTests(RobotFactory factory, ChatRobotPeer peer)
    : RobotDeliveryTests<RobotFactory>(factory, peer), IClassFixture<RobotFactory>, IClassFixture<ChatRobotPeer>;

public sealed class PostgreSqlRobotDeliveryTests(RobotPostgreSqlFactory factory, ChatRobotPeer peer)
    : RobotDeliveryTests<RobotPostgreSqlFactory>(factory, peer), IClassFixture<RobotPostgreSqlFactory>, IClassFixture<ChatRobotPeer>;
