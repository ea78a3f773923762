using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using NewsPush.Data.Entities;
using NewsPush.Tests.Infrastructure;
using NewsPush.Web.Push;

namespace NewsPush.Tests.Web.Analytics;

/// <summary>The analytics pages in headless Chromium: each chart is drawn on its canvas with the API's figures, and its CSV downloads.</summary>
public sealed class AnalyticsBrowserTests(BrowserHost<AnalyticsSqliteFactory> browser) : IClassFixture<BrowserHost<AnalyticsSqliteFactory>>
{
    private async Task<long> SeedPushAsync()
    {
        var f = browser.Factory;
        var now = f.Clock.Now.UtcDateTime;
        var reader = await f.CreateReaderAsync("anb");
        var pushId = await f.WithDbAsync(async db =>
        {
            var article = await db.Articles.OrderBy(a => a.Id).Select(a => a.Id).FirstAsync();
            var push = new PushCampaign { ArticleId = article, Title = "Bridge closed", Message = "Traffic diverted", Status = CampaignStatus.Sent, CreatedAt = now, ApprovedAt = now, SentAt = now, UpdatedAt = now };
            db.PushCampaigns.Add(push);
            await db.SaveChangesAsync();
            var rows = Enumerable.Range(0, 6).Select(i => new Delivery
            {
                UserId = reader.Id, Channel = i < 4 ? DeliveryChannel.Email : DeliveryChannel.WebPush, EndpointId = i, ContentKind = DeliveryContentKind.Breaking,
                ContentId = push.Id, Status = DeliveryStatus.Sent, TrackingToken = TrackingTokens.New(), CreatedAt = now, SentAt = now,
            }).ToList();
            db.Deliveries.AddRange(rows);
            await db.SaveChangesAsync();
            var events = rows.Select(d => DeliveryEventLog.For(d, DeliveryEventType.Sent, true, now)).ToList();
            events.AddRange(rows.Take(3).Select(d => DeliveryEventLog.For(d, DeliveryEventType.Opened, true, now.AddMinutes(90))));
            events.Add(DeliveryEventLog.For(rows[0], DeliveryEventType.Clicked, true, now.AddMinutes(95), article));
            events.Add(DeliveryEventLog.For(rows[4], DeliveryEventType.Delivered, true, now.AddMinutes(1)));
            await db.AppendAsync(events, CancellationToken.None);
            return push.Id;
        });
        f.Clock.Advance(TimeSpan.FromHours(3));
        await f.RollUpAsync();
        return pushId;
    }

    [Fact]
    public async Task ChartsAreDrawnWithTheApisFiguresAndTheCsvDownloads()
    {
        var pushId = await SeedPushAsync();
        // The page runs under its own CSP (charts included); bypassing it only lets the test evaluate its probes.
        await using var handle = await browser.LoggedInPageAsync(NewsPushFactory.EditorEmail, bypassCsp: true);
        var page = handle.Page;
        await page.SetViewportSizeAsync(1280, 900);

        await page.GotoAsync($"/editor/analytics/pushes/{pushId}");
        foreach (var id in new[] { "chart-funnel", "chart-timeline" })
        {
            await Assertions.Expect(page.Locator($"#{id}")).ToHaveAttributeAsync("data-rendered", "true");
            // Something was painted: some pixel of the canvas is not transparent.
            var painted = await page.EvaluateAsync<bool>($$"""
                () => { const c = document.getElementById('{{id}}'); const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                        for (let i = 3; i < d.length; i += 4) { if (d[i] !== 0) return true; } return false; }
                """);
            Assert.True(painted, $"{id} is blank");
        }
        // The funnel chart plots exactly what the API answers.
        var api = JsonDocument.Parse(await page.EvaluateAsync<string>($"() => fetch('/api/analytics/pushes/{pushId}').then(r => r.text())")).RootElement;
        var plotted = JsonDocument.Parse((await page.Locator("#chart-funnel").GetAttributeAsync("data-plotted"))!).RootElement;
        var channels = api.GetProperty("channels").EnumerateArray().ToList();
        Assert.Equal(channels.Select(c => c.GetProperty("channel").ToString()), plotted.GetProperty("labels").EnumerateArray().Select(l => l.ToString()));
        // The axis names the channels a reader knows, not their numbers.
        Assert.Equal(["Email", "WebPush"], plotted.GetProperty("labels").EnumerateArray().Select(l => l.ToString()));
        var sets = plotted.GetProperty("datasets").EnumerateArray().ToDictionary(d => d.GetProperty("label").GetString()!, d => d.GetProperty("data").EnumerateArray().Select(x => x.GetInt64()).ToList());
        Assert.Equal(channels.Select(c => c.GetProperty("queued").GetInt64()), sets["Queued"]);
        Assert.Equal(channels.Select(c => c.GetProperty("openedUnique").GetInt64()), sets["Opened"]);
        Assert.Equal([4L, 2L], sets["Sent"]);
        Assert.Equal([3L, 0L], sets["Opened"]);
        // The table alternative says the same.
        await Assertions.Expect(page.Locator("#table-channels tr[data-channel='Email']")).ToContainTextAsync("4");

        // The CSV download of the funnel.
        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("#funnel-heading ~ figure a[download]").ClickAsync());
        Assert.Equal($"push-{pushId}-channels.csv", download.SuggestedFilename);
        var csv = await File.ReadAllTextAsync((await download.PathAsync())!);
        Assert.StartsWith("channel,queued,sent,failed,delivered,opened_unique", csv, StringComparison.Ordinal);
        Assert.Contains("Email,4,4,0,0,3,3,1,1,", csv, StringComparison.Ordinal);

        // The overview draws its charts too.
        await page.GotoAsync("/editor/analytics");
        await Assertions.Expect(page.Locator("#chart-overview")).ToHaveAttributeAsync("data-rendered", "true");
        await Assertions.Expect(page.Locator("#chart-channels")).ToHaveAttributeAsync("data-rendered", "true");
        var serious = (await Axe.RunAsync(page)).Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(serious.Count == 0, "axe on /editor/analytics:\n" + string.Join("\n", serious));
        await Screenshots.SaveAsync(page, "analytics-overview-1280");
    }
}
