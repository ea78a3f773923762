using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using NewsPush.Data.Entities;
using NewsPush.Tests.Infrastructure;
using NewsPush.Tests.Web.Push;
using NewsPush.Web.Campaigns;

namespace NewsPush.Tests.Web.Editor;

/// <summary>
/// The breaking-news pages in headless Chromium: editor A composes (the previews follow the typing) and sends for
/// review, editor B approves, the fan-out runs, and a reader's open page shows the inbox badge go up without a reload.
/// Screenshots at 1280 and 390 px go to TestResults/screenshots.
/// </summary>
public sealed class BreakingPushPagesBrowserTests(BrowserHost<PushSqliteFactory> host) : IClassFixture<BrowserHost<PushSqliteFactory>>
{
    private const string Headline = "Bridge closed after the storm";

    [Fact]
    public async Task AnEditorComposesASecondApprovesAndTheReadersBadgeGoesUpLive()
    {
        const string zone = "Atlantic/Azores";
        var reader = await host.Factory.CreateReaderAsync("live-push", p => { p.TimeZoneId = zone; p.EmailEnabled = false; });
        var second = await host.Factory.CreateUserAsync($"b-{Guid.NewGuid():N}"[..12] + "@test.local", Roles.Editor, Roles.Reader);
        var article = await host.Factory.WithDbAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.FirstAsync(
            db.Articles.Where(a => a.Status == ArticleStatus.Published).OrderBy(a => a.Id)));

        // The reader's page is open and live before anything happens.
        await using var readerTab = await host.LoggedInPageAsync(reader.Email!);
        var readerPage = readerTab.Page;
        await readerPage.GotoAsync("/");
        var badge = readerPage.Locator("#inbox-badge");
        await Assertions.Expect(badge).ToHaveAttributeAsync("data-count", "0");
        await Assertions.Expect(readerPage.Locator("html[data-inbox-live='true']")).ToHaveCountAsync(1);
        await readerPage.EvaluateAsync("() => { window.__sameDocument = true; }");

        // Editor A: the article picker, then the composer.
        await using var tabA = await host.LoggedInPageAsync(NewsPushFactory.EditorEmail, bypassCsp: true);
        var a = tabA.Page;
        var errors = new List<string>();
        a.Console += (_, m) => { if (m.Type == "error" && !m.Location.Contains("favicon", StringComparison.Ordinal)) { errors.Add($"{m.Text} {m.Location}"); } };
        await a.SetViewportSizeAsync(1280, 900);
        await a.GotoAsync("/editor/pushes");
        await a.GetByLabel("Published story (title)").FillAsync(article.Title[..Math.Min(12, article.Title.Length)]);
        await a.GetByRole(AriaRole.Button, new() { Name = "Find" }).ClickAsync();
        await a.Locator("#article-matches li").Filter(new() { HasText = article.Title }).First.GetByRole(AriaRole.Button).ClickAsync();
        await Assertions.Expect(a).ToHaveURLAsync(new Regex(@"/editor/pushes/\d+$"));
        await Assertions.Expect(a.Locator("h1")).ToHaveTextAsync("Compose a breaking-news push");
        await Assertions.Expect(a.Locator("html[data-composer-live='true']")).ToHaveCountAsync(1);
        var id = long.Parse(new Uri(a.Url).Segments[^1], System.Globalization.CultureInfo.InvariantCulture);

        await a.GetByLabel("Title").FillAsync("");
        await a.GetByLabel("Title").PressSequentiallyAsync(Headline);
        foreach (var preview in new[] { "#preview-browser", "#preview-android", "#preview-ios", "#preview-inbox", "#preview-email", "#preview-chat" })
        {
            await Assertions.Expect(a.Locator($"{preview} [data-preview=title]")).ToHaveTextAsync(Headline);
        }
        await Assertions.Expect(a.Locator("[data-count-of=Title]")).ToHaveTextAsync(Headline.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await a.GetByLabel("Text", new() { Exact = true }).FillAsync("Take the ring road; the ferries run every 20 minutes.");
        await Assertions.Expect(a.Locator("#preview-email [data-preview=message]")).ToHaveTextAsync("Take the ring road; the ferries run every 20 minutes.");
        await a.GetByLabel("Only readers in these time zones").FillAsync(zone);
        await Assertions.Expect(a.Locator("#audience-matched")).ToHaveTextAsync("1");
        await Assertions.Expect(a.Locator("#audience-samples li")).ToHaveCountAsync(1);
        await a.GetByLabel("On a recurring schedule").CheckAsync();
        await a.GetByLabel("Quartz cron schedule").FillAsync("0 30 11 ? * FRI");
        await Assertions.Expect(a.Locator("#next-runs li")).ToHaveCountAsync(5);
        await Assertions.Expect(a.Locator("#next-runs li").First).ToHaveTextAsync("Fri 2026-11-27 11:30");
        await a.GetByLabel("As soon as it is approved").CheckAsync();
        await Shots(a, "pushes-composer");

        await a.GetByRole(AriaRole.Button, new() { Name = "Send for review" }).ClickAsync();
        await Assertions.Expect(a.Locator("#push-state")).ToHaveTextAsync("In review");
        await Assertions.Expect(a.Locator("#approve-refused")).ToContainTextAsync("You wrote this push");
        await Assertions.Expect(a.GetByRole(AriaRole.Button, new() { Name = "Approve" })).ToHaveCountAsync(0);
        await a.GotoAsync("/editor/pushes");
        await Assertions.Expect(a.Locator($"tr[data-push-id='{id}'] .push-state")).ToHaveTextAsync("In review");
        await Shots(a, "pushes-list");

        // Editor B approves on the review page.
        await using var tabB = await host.LoggedInPageAsync(second.Email!, bypassCsp: true);
        var b = tabB.Page;
        await b.SetViewportSizeAsync(1280, 900);
        await b.GotoAsync($"/editor/pushes/{id}");
        await Assertions.Expect(b.Locator("#preview-android [data-preview=title]")).ToHaveTextAsync(Headline);
        await Shots(b, "pushes-review");
        b.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        await b.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await Assertions.Expect(b.Locator("#push-state")).ToHaveTextAsync("Sending");
        await Assertions.Expect(b.Locator("#push-approver")).ToContainTextAsync(second.DisplayName);

        await using (var scope = host.Factory.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<CampaignRunner>().RunAsync(CancellationToken.None);
        }
        await host.Factory.DispatchAsync();

        // The reader's open page: the badge goes up, no reload; the push is in the inbox.
        await Assertions.Expect(badge).ToHaveTextAsync("1");
        Assert.True(await readerPage.EvaluateAsync<bool>("() => window.__sameDocument === true"), "the reader's page was reloaded");
        Assert.Equal(Headline, Assert.Single((await host.Factory.InboxPageOfAsync(reader.Id)).Items).Title);
        await readerPage.ClickAsync("#inbox-link");
        await Assertions.Expect(readerPage.Locator("#inbox-list")).ToContainTextAsync(Headline);

        // Editor B's page (not reloaded) follows the progress until the fan-out is complete.
        await Assertions.Expect(b.Locator("#progress-state")).ToContainTextAsync("The fan-out is complete");
        await Assertions.Expect(b.Locator("#progress-channels tr[data-channel='Inbox'] td").Nth(2)).ToHaveTextAsync("1");
        await Shots(b, "pushes-progress");
        Assert.True(errors.Count == 0, string.Join(" | ", errors));
    }

    [Fact]
    public async Task AReviewerSendsItBackAnAdminSendsItAloneAndCancellingTakesItOutOfTheReadersInbox()
    {
        const string zone = "Atlantic/Cape_Verde";
        var reader = await host.Factory.CreateReaderAsync("cancel-push", p => { p.TimeZoneId = zone; p.EmailEnabled = false; });
        var author = await host.Factory.CreateUserAsync($"a-{Guid.NewGuid():N}"[..12] + "@test.local", Roles.Editor, Roles.Reader);
        var reviewer = await host.Factory.CreateUserAsync($"r-{Guid.NewGuid():N}"[..12] + "@test.local", Roles.Editor, Roles.Reader);
        var article = await host.Factory.WithDbAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.FirstAsync(
            db.Articles.Where(a => a.Status == ArticleStatus.Published).OrderBy(a => a.Id)));
        var asAuthor = Campaigns.CampaignFactory.Principal(author, Roles.Editor);
        var form = new CampaignForm { Title = "Dam warning downstream", Message = "Move to higher ground.", Segment = PushSegment.Everyone, TimeZones = [zone] };
        var id = await InScopeAsync(async flow =>
        {
            var (c, _) = await flow.CreateDraftAsync(article.Id, asAuthor, CancellationToken.None);
            Assert.Empty(await flow.UpdateAsync(c!.Id, form, asAuthor, CancellationToken.None));
            Assert.Null(await flow.SubmitAsync(c.Id, asAuthor, CancellationToken.None));
            return c.Id;
        });

        // The reviewer sends it back with a note; the author sees the note on the draft.
        await using (var tab = await host.LoggedInPageAsync(reviewer.Email!))
        {
            await tab.Page.GotoAsync($"/editor/pushes/{id}");
            await tab.Page.GetByLabel("Note for the author").FillAsync("Say which towns.");
            await tab.Page.GetByRole(AriaRole.Button, new() { Name = "Send back to draft" }).ClickAsync();
            await Assertions.Expect(tab.Page.Locator("#push-state")).ToHaveTextAsync("Draft");
        }
        await using (var tab = await host.LoggedInPageAsync(author.Email!))
        {
            await tab.Page.GotoAsync($"/editor/pushes/{id}");
            await Assertions.Expect(tab.Page.Locator("#review-note")).ToContainTextAsync("Sent back by the reviewer: Say which towns.");
        }
        form.IsCritical = true;
        form.Title = "Dam warning for Tarrafal and Assomada";
        await InScopeAsync(async flow =>
        {
            Assert.Empty(await flow.UpdateAsync(id, form, asAuthor, CancellationToken.None));
            Assert.Null(await flow.SubmitAsync(id, asAuthor, CancellationToken.None));
            return id;
        });

        // The reader's page is open; an admin sends the critical push alone, saying why.
        await using var readerTab = await host.LoggedInPageAsync(reader.Email!);
        await readerTab.Page.GotoAsync("/");
        var badge = readerTab.Page.Locator("#inbox-badge");
        await Assertions.Expect(readerTab.Page.Locator("html[data-inbox-live='true']")).ToHaveCountAsync(1);
        await using var adminTab = await host.LoggedInPageAsync(NewsPushFactory.AdminEmail, bypassCsp: true);
        var admin = adminTab.Page;
        admin.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        await admin.GotoAsync($"/editor/pushes/{id}");
        await admin.GetByLabel("Why it cannot wait for a second editor").FillAsync("The dam may fail within the hour");
        await admin.GetByRole(AriaRole.Button, new() { Name = "Send now without review" }).ClickAsync();
        await Assertions.Expect(admin.Locator("#push-state")).ToHaveTextAsync("Sending");
        await Assertions.Expect(admin.Locator("#facts-heading + dl")).ToContainTextAsync("The dam may fail within the hour");

        // Its inbox part is stored (the fan-out's first step) and the reader's badge goes up, no reload.
        await using (var scope = host.Factory.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<CampaignSender>().FanoutAsync(id, CancellationToken.None, maxBatches: 0);
        }
        await Assertions.Expect(badge).ToHaveTextAsync("1");

        // Cancelled: the push leaves the reader's inbox and the badge goes back down; the page says what was withdrawn.
        await admin.ReloadAsync();
        await admin.GetByRole(AriaRole.Button, new() { Name = "Cancel push" }).ClickAsync();
        await Assertions.Expect(admin.Locator("#push-state")).ToHaveTextAsync("Cancelled");
        await Assertions.Expect(admin.Locator("main")).ToContainTextAsync("Inbox: 0 sent, 1 withdrawn");
        await Assertions.Expect(badge).ToHaveAttributeAsync("data-count", "0");
        Assert.Empty((await host.Factory.InboxPageOfAsync(reader.Id)).Items);
        await Shots(admin, "pushes-cancelled");
    }

    [Fact]
    public async Task APredictedPushWithNoModelToScoreItSaysOnItsPageThatItWaits()
    {
        var now = host.Factory.Clock.Now.UtcDateTime;
        var id = await host.Factory.WithDbAsync(async db =>
        {
            var article = await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.FirstAsync(db.Articles.Where(a => a.Status == ArticleStatus.Published).OrderBy(a => a.Id));
            var push = new PushCampaign
            {
                ArticleId = article.Id, Title = "Storm: the readers most likely to care", Message = article.Summary, Segment = PushSegment.PredictedInterested,
                PredictedTopPercent = 10, Status = CampaignStatus.Sending, CreatedAt = now, UpdatedAt = now, ApprovedAt = now,
            };
            db.PushCampaigns.Add(push);
            await db.SaveChangesAsync();
            return push.Id;
        });
        // (bypassCsp: only for axe-core's injected script)
        await using var tab = await host.LoggedInPageAsync(NewsPushFactory.EditorEmail, bypassCsp: true);
        var page = tab.Page;
        await page.GotoAsync($"/editor/pushes/{id}");
        var waiting = page.Locator("#progress-waiting");
        await Assertions.Expect(waiting).ToBeVisibleAsync();
        await Assertions.Expect(waiting).ToContainTextAsync("Waiting: nothing has gone out.");
        await Assertions.Expect(waiting).ToContainTextAsync("No recommendation model is active");
        await Assertions.Expect(page.Locator("#progress-state")).ToContainTextAsync("The fan-out waits.");
        // The live progress keeps saying so (it polls every 2 s).
        await page.WaitForResponseAsync(r => r.Url.EndsWith($"/editor/pushes/{id}/progress", StringComparison.Ordinal));
        await Assertions.Expect(waiting).ToBeVisibleAsync();
        await Shots(page, "push-waiting-for-a-model");
    }

    private async Task<T> InScopeAsync<T>(Func<CampaignWorkflow, Task<T>> action)
    {
        await using var scope = host.Factory.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<CampaignWorkflow>());
    }

    private static async Task Shots(IPage page, string name)
    {
        await page.SetViewportSizeAsync(1280, 900);
        await Screenshots.SaveAsync(page, name + "-1280");
        var violations = await Axe.RunAsync(page);
        Assert.True(!violations.Any(v => v.Impact is "serious" or "critical"), name + ": " + string.Join("\n", violations));
        await page.SetViewportSizeAsync(390, 844);
        await Screenshots.SaveAsync(page, name + "-390");
        var overflow = await page.EvaluateAsync<string>("""
            () => document.documentElement.scrollWidth <= document.documentElement.clientWidth ? '' :
              [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
                .slice(0, 5).map(e => e.tagName + '#' + e.id + '.' + e.className).join(', ')
            """);
        Assert.True(overflow == "", $"{name} scrolls sideways at 390 px: {overflow}");
        await page.SetViewportSizeAsync(1280, 900);
    }
}
