using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using NewsPush.Data.Entities;
using NewsPush.Tests.Infrastructure;
using static NewsPush.Tests.Web.Reader.ReaderTestData;

namespace NewsPush.Tests.Web.Areas;

/// <summary>/admin/deliveries as an admin sees it on a desktop and a phone: a paused channel, failed and expired deliveries with their reasons, and "retry failed" behind a confirmation.</summary>
public sealed class AdminDeliveriesBrowserTests(BrowserHost<SqliteFactory> browser) : IClassFixture<BrowserHost<SqliteFactory>>
{
    [Theory]
    [InlineData(1280, 900)]
    [InlineData(390, 844)]
    public async Task AnAdminSeesWhyDeliveriesFailedAndQueuesThemAgainAfterConfirming(int width, int height)
    {
        var reader = await browser.Factory.CreateUserAsync(Unique("dlv") + "@test.local");
        var now = DateTime.UtcNow;
        var ids = await browser.Factory.WithDbAsync(async db =>
        {
            await db.ChannelStates.Where(c => c.Channel == DeliveryChannel.Email).ExecuteDeleteAsync();
            db.ChannelStates.Add(new ChannelState
            {
                Channel = DeliveryChannel.Email, IsPaused = true, PauseKind = ChannelPauseKind.Configuration, PausedAt = now.AddMinutes(-20),
                NextProbeAt = now.AddMinutes(10), LastError = "535 5.7.8 Authentication credentials invalid", LastErrorAt = now.AddMinutes(-20), UpdatedAt = now,
            });
            Delivery Row(DeliveryStatus status, string? error, long contentId) => new()
            {
                UserId = reader.Id, Channel = DeliveryChannel.Email, ContentKind = DeliveryContentKind.Digest, ContentId = contentId, Status = status,
                Attempts = 1, Claims = 1, LastError = error, TrackingToken = Guid.NewGuid().ToString("N"), CreatedAt = now.AddHours(-50), DeliverBy = now.AddHours(-2),
            };
            var rows = new[]
            {
                Row(DeliveryStatus.Failed, "550 5.1.1 <" + reader.Email + ">: Mailbox unavailable", 900_001),
                Row(DeliveryStatus.Expired, "Not delivered before its deadline. Last error: 421 4.3.2 Service shutting down", 900_002),
            };
            db.Deliveries.AddRange(rows);
            await db.SaveChangesAsync();
            return rows.Select(r => r.Id).ToList();
        });
        await using var handle = await browser.LoggedInPageAsync(NewsPushFactory.AdminEmail, bypassCsp: true);
        var page = handle.Page;
        await page.SetViewportSizeAsync(width, height);

        await page.GotoAsync("/admin/deliveries?status=Failed");

        var email = page.Locator("#channels tr[data-channel='Email']");
        await Assertions.Expect(email).ToContainTextAsync("Paused: needs a fix");
        await Assertions.Expect(email).ToContainTextAsync("535 5.7.8 Authentication credentials invalid");
        await Assertions.Expect(page.Locator("#deliveries")).ToContainTextAsync("550 5.1.1");
        // Wide tables scroll inside their own box; the page itself never scrolls sideways.
        var overflow = await page.EvaluateAsync<string>("""
            () => document.documentElement.scrollWidth <= document.documentElement.clientWidth ? '' :
                [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
                    .slice(0, 5).map(e => e.tagName + '.' + e.className + ' right=' + Math.round(e.getBoundingClientRect().right)).join('; ')
            """);
        Assert.True(overflow == "", $"the page scrolls sideways at {width} px: {overflow}");
        var serious = (await Axe.RunAsync(page)).Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(serious.Count == 0, "axe on /admin/deliveries:\n" + string.Join("\n", serious));
        await Screenshots.SaveAsync(page, $"admin-deliveries-{width}");

        // Dismissing the confirmation changes nothing; accepting it queues both again.
        page.Dialog += DismissOnce;
        await email.GetByRole(AriaRole.Button, new() { Name = "Retry failed" }).ClickAsync();
        page.Dialog -= DismissOnce;
        Assert.Equal([DeliveryStatus.Failed, DeliveryStatus.Expired], await StatusesAsync(ids));

        string? question = null;
        page.Dialog += async (_, dialog) => { question = dialog.Message; await dialog.AcceptAsync(); };
        await email.GetByRole(AriaRole.Button, new() { Name = "Retry failed" }).ClickAsync();
        await Assertions.Expect(page.Locator(".alert[role=status]")).ToContainTextAsync("queued again");
        Assert.Matches(@"Queue \d+ failed and expired Email deliveries again\?", question);
        Assert.Equal([DeliveryStatus.Queued, DeliveryStatus.Queued], await StatusesAsync(ids));
    }

    private static async void DismissOnce(object? sender, IDialog dialog) => await dialog.DismissAsync();

    private Task<List<DeliveryStatus>> StatusesAsync(List<long> ids) =>
        browser.Factory.WithDbAsync(db => db.Deliveries.AsNoTracking().Where(d => ids.Contains(d.Id)).OrderBy(d => d.Id).Select(d => d.Status).ToListAsync());
}
