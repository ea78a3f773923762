using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NewsPush.Data.Entities;
using NewsPush.Tests.Infrastructure;
using NewsPush.Web.Push;

namespace NewsPush.Tests.Web.Webhooks;

/// <summary>A reader's own Slack or signed webhook, added in preferences: their digest goes there, within their cap, once.</summary>
public sealed class ReaderWebhookTests(RobotFactory factory, ChatRobotPeer peer) : IClassFixture<RobotFactory>, IClassFixture<ChatRobotPeer>
{
    private static Dictionary<string, string> Form(string name, string kind, Uri url, bool breaking = true) => new()
    {
        ["Name"] = name, ["Kind"] = kind, ["Url"] = url.AbsoluteUri, ["ReceivesBreaking"] = breaking ? "true" : "false",
    };

    [Fact]
    public async Task AReadersSlackGetsTheirDigestAndOnlyTheyCanRemoveIt()
    {
        var reader = await factory.CreateReaderAsync("hook", p => { p.TimeZoneId = "Europe/Madrid"; p.DigestLocalTime = new TimeOnly(7, 30); p.EmailEnabled = false; });
        var slack = await peer.AddRobotAsync("slack", "rd" + Guid.NewGuid().ToString("N")[..10]);
        using var client = await factory.CreateLoggedInClientAsync(reader.Email!);
        var added = await client.PostFormAsync("/preferences", Form("My Slack", "Slack", slack.Url, breaking: false), "/preferences/webhooks");
        Assert.Equal(HttpStatusCode.Redirect, added.StatusCode);
        var page = WebUtility.HtmlDecode(await client.GetStringAsync("/preferences"));
        Assert.Contains("\"My Slack\" was added: your digests go there too.", page, StringComparison.Ordinal);
        Assert.Contains("My Slack", page, StringComparison.Ordinal);
        Assert.DoesNotContain(slack.Url.AbsolutePath, page, StringComparison.Ordinal);
        Assert.True(await factory.WithDbAsync(db => db.ReaderPreferences.Where(p => p.UserId == reader.Id).Select(p => p.WebhookEnabled).SingleAsync()));

        await peer.SetClockAsync(factory.Clock.Now);
        factory.SetLocalTime("Europe/Madrid", new DateTime(2026, 11, 26, 7, 31, 0));
        await peer.SetClockAsync(factory.Clock.Now);
        await factory.RunAndDeliverAsync();
        await factory.DispatchAsync();

        var digest = Assert.Single(await peer.MessagesAsync(slack.Id));
        Assert.Equal("header", digest.Body.GetProperty("blocks")[0].GetProperty("type").GetString());
        var stories = (await factory.DigestsOfAsync(reader.Id)).Single();
        var deliveries = await factory.DeliveriesOfAsync(reader.Id);
        Assert.Single(deliveries, d => d.Channel == DeliveryChannel.Webhook && d.ContentKind == DeliveryContentKind.Digest && d.Status == DeliveryStatus.Sent);
        Assert.Single(deliveries, d => d.Channel == DeliveryChannel.Inbox);
        Assert.Contains("/t/c/", digest.Text, StringComparison.Ordinal);
        _ = stories;

        // Breaking news is not for this hook (unticked).
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var plan = (await scope.ServiceProvider.GetRequiredService<AudiencePlanner>().PlanAsync([reader.Id], factory.Clock.Now.UtcDateTime, false, CancellationToken.None,
                DeliveryContentKind.Breaking))[reader.Id];
            Assert.DoesNotContain(plan.Endpoints, e => e.Channel == DeliveryChannel.Webhook);
        }

        // Someone else cannot remove it; the reader can, after a confirmation on the page.
        var hookId = await factory.WithDbAsync(db => db.WebhookEndpoints.Where(w => w.UserId == reader.Id).Select(w => w.Id).SingleAsync());
        Assert.Contains($"data-confirm=\"Remove the webhook “My Slack”?\"", page, StringComparison.Ordinal);
        var other = await factory.CreateReaderAsync("hook-other");
        using var otherClient = await factory.CreateLoggedInClientAsync(other.Email!);
        Assert.Equal(HttpStatusCode.NotFound, (await otherClient.PostFormAsync("/preferences", postUrl: $"/preferences/webhooks/{hookId}/delete")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await client.PostFormAsync("/preferences", postUrl: $"/preferences/webhooks/{hookId}/delete")).StatusCode);
        Assert.False(await factory.WithDbAsync(db => db.ReaderPreferences.Where(p => p.UserId == reader.Id).Select(p => p.WebhookEnabled).SingleAsync()));
        Assert.Contains("No webhook yet.", await client.GetStringAsync("/preferences"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AGenericHookShowsItsSecretOnceAndATestReachesItSigned()
    {
        var reader = await factory.CreateReaderAsync("hookgen", p => p.EmailEnabled = false);
        var generic = await peer.AddRobotAsync("generic", "rg" + Guid.NewGuid().ToString("N")[..10]);
        using var client = await factory.CreateLoggedInClientAsync(reader.Email!);
        await client.PostFormAsync("/preferences", Form("My service", "Generic", generic.Url), "/preferences/webhooks");
        var page = WebUtility.HtmlDecode(await client.GetStringAsync("/preferences"));
        var secret = System.Text.RegularExpressions.Regex.Match(page, "id=\"webhook-secret\">(whsec_[^<]+)<").Groups[1].Value;
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, WebUtility.HtmlDecode(await client.GetStringAsync("/preferences")), StringComparison.Ordinal);

        // The peer verifies with the secret it was registered with: register the one we made.
        var verifying = await peer.AddRobotAsync("generic", "rv" + Guid.NewGuid().ToString("N")[..10], secret: secret);
        var hookId = await factory.WithDbAsync(db => db.WebhookEndpoints.Where(w => w.UserId == reader.Id).Select(w => w.Id).SingleAsync());
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var secrets = scope.ServiceProvider.GetRequiredService<NewsPush.Web.Webhooks.RobotSecrets>();
            await factory.WithDbAsync(db => db.WebhookEndpoints.Where(w => w.Id == hookId).ExecuteUpdateAsync(s => s.SetProperty(w => w.Url, secrets.Protect(verifying.Url.AbsoluteUri))));
        }
        await peer.SetClockAsync(factory.Clock.Now);
        var token = HttpTestExtensions.AntiforgeryToken(page);
        using var test = new HttpRequestMessage(HttpMethod.Post, "/api/push/test");
        test.Headers.Add("RequestVerificationToken", token);
        var answer = await client.SendAsync(test);
        Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
        Assert.Contains("My service", await answer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await factory.DispatchAsync();
        var message = Assert.Single(await peer.MessagesAsync(verifying.Id));
        Assert.Equal("test", message.Body.GetProperty("type").GetString());
    }
}
