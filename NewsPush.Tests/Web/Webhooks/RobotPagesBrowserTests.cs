using System.Text.RegularExpressions;
using NewsPush.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using NewsPush.Tests.Infrastructure;

namespace NewsPush.Tests.Web.Webhooks;

/// <summary>
/// The newsroom's "Chat robots" pages in headless Chromium, as an editor uses them: add a DingTalk robot of the
/// <see cref="ChatRobotPeer"/>, send it a test, see it need a fix when DingTalk refuses the signature, resume it,
/// remove it. Screenshots at 1280 and 390 px go to TestResults/screenshots.
/// </summary>
public sealed class RobotPagesBrowserTests(BrowserHost<RobotFactory> host, ChatRobotPeer peer)
    : IClassFixture<BrowserHost<RobotFactory>>, IClassFixture<ChatRobotPeer>
{
    private RobotFactory Factory => host.Factory;

    [Fact]
    public async Task AnEditorAddsTestsFixesResumesAndRemovesADingTalkRobot()
    {
        await Factory.WithDbAsync(async db => { await db.WebhookEndpoints.ExecuteDeleteAsync(); });
        var robot = await peer.AddRobotAsync("dingtalk", "ui-" + Guid.NewGuid().ToString("N")[..10], secret: "SEC" + Guid.NewGuid().ToString("N"));
        var token = Regex.Match(robot.Url.Query, "access_token=([^&]+)").Groups[1].Value;
        Assert.NotEmpty(token);
        await using var tab = await host.LoggedInPageAsync(NewsPushFactory.EditorEmail, bypassCsp: true);
        var page = tab.Page;
        await page.SetViewportSizeAsync(1280, 900);

        // No robots: the page says what to do.
        await page.GotoAsync("/newsroom/robots");
        await Assertions.Expect(page.Locator("#robots-empty")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#robots-empty")).ToContainTextAsync("No robots yet.");
        await Screenshots.SaveAsync(page, "robots-empty-1280");

        // Add a DingTalk robot for two columns.
        await page.GetByRole(AriaRole.Link, new() { Name = "Add a robot" }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Add a robot");
        await page.GetByLabel("Name").FillAsync("Editors' DingTalk group");
        await page.GetByLabel("Kind").SelectOptionAsync("DingTalk");
        await page.GetByLabel("Webhook URL").FillAsync(robot.Url.AbsoluteUri);
        await page.GetByLabel("Signing secret").FillAsync(robot.Secret!);
        var columns = page.Locator("input[name=BreakingColumns]");
        Assert.True(await columns.CountAsync() >= 2, "the seed has fewer than two columns");
        var picked = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            await columns.Nth(i).CheckAsync();
            picked.Add((await page.Locator($"label[for='{await columns.Nth(i).GetAttributeAsync("id")}']").InnerTextAsync()).Trim());
        }
        await Screenshots.SaveAsync(page, "robots-edit-1280");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add the robot" }).ClickAsync();

        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/newsroom/robots$"));
        await Assertions.Expect(page.GetByRole(AriaRole.Status).First).ToContainTextAsync("\"Editors' DingTalk group\" was added.");
        var card = page.Locator("[data-robot-id]");
        await Assertions.Expect(card).ToHaveCountAsync(1);
        await Assertions.Expect(card.Locator(".robot-state")).ToHaveTextAsync("On");
        await Assertions.Expect(card.Locator(".robot-url")).ToHaveTextAsync(new Regex(@"^127\.0\.0\.1:\d+/…"));
        await Assertions.Expect(card).ToContainTextAsync($"signed ({robot.Secret![..6]}…{robot.Secret[^4..]})");
        await Assertions.Expect(card).ToContainTextAsync("Breaking news from " + string.Join(", ", picked));
        var html = await page.ContentAsync();
        Assert.DoesNotContain(token, html, StringComparison.Ordinal);
        Assert.DoesNotContain(robot.Secret, html, StringComparison.Ordinal);
        await Screenshots.SaveAsync(page, "robots-list-1280");
        var listViolations = await Axe.RunAsync(page);
        Assert.True(!listViolations.Any(v => v.Impact is "serious" or "critical"), string.Join("\n", listViolations));
        await page.SetViewportSizeAsync(390, 844);
        await Screenshots.SaveAsync(page, "robots-list-390");
        await page.SetViewportSizeAsync(1280, 900);
        var id = long.Parse((await card.GetAttributeAsync("data-robot-id"))!, System.Globalization.CultureInfo.InvariantCulture);

        // A test goes out through the engine; its time shows under "Last delivery".
        await Assertions.Expect(card.Locator(".robot-last")).ToHaveTextAsync("–");
        await card.GetByRole(AriaRole.Button, new() { Name = "Send a test" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status).First).ToContainTextAsync("A test message is on its way");
        await peer.SetClockAsync(Factory.Clock.Now);
        await Factory.DispatchAsync();
        await page.ReloadAsync();
        await Assertions.Expect(card.Locator(".robot-last")).ToHaveTextAsync(new Regex(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$"));
        var test = Assert.Single(await peer.MessagesAsync(robot.Id));
        Assert.Contains("Test from NewsPush", test.Text, StringComparison.Ordinal);

        // DingTalk refuses the signature: the robot needs a fix, and the page says DingTalk's words.
        await peer.SetBehaviourAsync(robot.Id, 200, body: "{\"errcode\":310000,\"errmsg\":\"sign not match\"}", contentType: "application/json");
        Factory.Clock.Advance(TimeSpan.FromMinutes(1));
        await card.GetByRole(AriaRole.Button, new() { Name = "Send a test" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status).First).ToContainTextAsync("A test message is on its way");
        await peer.SetClockAsync(Factory.Clock.Now);
        await Factory.DispatchAsync();
        await page.ReloadAsync();
        await Assertions.Expect(card.Locator(".robot-state")).ToHaveTextAsync("Needs a fix");
        await Assertions.Expect(card.Locator(".robot-pause")).ToBeVisibleAsync();
        await Assertions.Expect(card.Locator(".robot-pause")).ToHaveClassAsync(new Regex(@"\balert-danger\b"));
        await Assertions.Expect(card.Locator(".robot-pause")).ToContainTextAsync("sign not match");
        await Assertions.Expect(card.Locator(".robot-error")).ToContainTextAsync("sign not match");
        var resume = card.GetByRole(AriaRole.Button, new() { Name = "Resume" });
        await Assertions.Expect(resume).ToBeVisibleAsync();
        await Screenshots.SaveAsync(page, "robots-needs-fix-1280");
        await page.SetViewportSizeAsync(390, 844);
        await Screenshots.SaveAsync(page, "robots-needs-fix-390");
        await page.SetViewportSizeAsync(1280, 900);
        var fixViolations = await Axe.RunAsync(page);
        Assert.True(!fixViolations.Any(v => v.Impact is "serious" or "critical"), string.Join("\n", fixViolations));

        // Fixed on DingTalk's side: Resume turns it on, and the next test goes out.
        await peer.ClearBehaviourAsync(robot.Id);
        await resume.ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status).First).ToContainTextAsync("The robot is on again");
        await Assertions.Expect(card.Locator(".robot-state")).ToHaveTextAsync("On");
        await Assertions.Expect(card.Locator(".robot-pause")).ToHaveCountAsync(0);
        await Assertions.Expect(card.GetByRole(AriaRole.Button, new() { Name = "Resume" })).ToHaveCountAsync(0);
        Factory.Clock.Advance(TimeSpan.FromMinutes(1));
        await card.GetByRole(AriaRole.Button, new() { Name = "Send a test" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status).First).ToContainTextAsync("A test message is on its way");
        await peer.SetClockAsync(Factory.Clock.Now);
        await Factory.DispatchAsync();
        // The first test, then the one held back while the robot needed a fix, and the new one: each once.
        Assert.Equal(3, (await peer.MessagesAsync(robot.Id)).Count);
        Assert.All(await Factory.RobotDeliveriesAsync(id), d => Assert.Equal(DeliveryStatus.Sent, d.Status));
        await page.ReloadAsync();
        await Assertions.Expect(card.Locator(".robot-state")).ToHaveTextAsync("On");

        // Remove asks first: dismissing keeps the robot, accepting removes it.
        page.Dialog += DismissOnce;
        await card.GetByRole(AriaRole.Button, new() { Name = "Remove" }).ClickAsync();
        page.Dialog -= DismissOnce;
        await Assertions.Expect(card).ToHaveCountAsync(1);
        Assert.True(await Factory.WithDbAsync(db => db.WebhookEndpoints.AnyAsync(w => w.Id == id)));
        string? asked = null;
        page.Dialog += async (_, dialog) =>
        {
            asked = dialog.Message;
            await dialog.AcceptAsync();
        };
        await card.GetByRole(AriaRole.Button, new() { Name = "Remove" }).ClickAsync();
        await Assertions.Expect(page.Locator("#robots-empty")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status).First).ToContainTextAsync("The robot was removed.");
        Assert.Equal("Remove the robot “Editors' DingTalk group”? Messages waiting for it will not be sent.", asked);
        Assert.False(await Factory.WithDbAsync(db => db.WebhookEndpoints.AnyAsync(w => w.Id == id)));

        static async void DismissOnce(object? sender, IDialog dialog) => await dialog.DismissAsync();
    }

    [Fact]
    public async Task AnEmptyNameAndABadUrlAreRefusedWithMessagesAtTheFields()
    {
        await using var tab = await host.LoggedInPageAsync(NewsPushFactory.EditorEmail, bypassCsp: true);
        var page = tab.Page;
        await page.SetViewportSizeAsync(390, 844);
        await page.GotoAsync("/newsroom/robots/new");
        await Screenshots.SaveAsync(page, "robots-edit-390");
        var blankViolations = await Axe.RunAsync(page);
        Assert.True(!blankViolations.Any(v => v.Impact is "serious" or "critical"), string.Join("\n", blankViolations));

        // The browser checks first: nothing is sent with an empty name.
        await page.GetByLabel("Webhook URL").FillAsync("not a web address");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add the robot" }).ClickAsync();
        Assert.EndsWith("/newsroom/robots/new", page.Url, StringComparison.Ordinal);
        Assert.NotEmpty(await page.GetByLabel("Name").EvaluateAsync<string>("e => e.validationMessage"));
        Assert.NotEmpty(await page.GetByLabel("Webhook URL").EvaluateAsync<string>("e => e.validationMessage"));

        // Without the browser's checks (an old browser, a script), the server refuses in words, at the fields.
        await page.Locator("form[action='/newsroom/robots/new']").EvaluateAsync("f => { f.noValidate = true; }");
        var response = await page.RunAndWaitForResponseAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = "Add the robot" }).ClickAsync(),
            r => r.Request.Method == "POST" && r.Url.EndsWith("/newsroom/robots/new", StringComparison.Ordinal));
        Assert.Equal(400, response.Status);
        var summary = page.Locator(".validation-summary-errors");
        await Assertions.Expect(summary).ToBeVisibleAsync();
        await Assertions.Expect(summary).ToContainTextAsync("Give the robot a name");
        await Screenshots.SaveAsync(page, "robots-edit-errors-390");
        await Assertions.Expect(page.GetByLabel("Name")).ToHaveAttributeAsync("aria-invalid", "true");
        await Assertions.Expect(page.Locator("#Name-error")).ToContainTextAsync("Give the robot a name");
        // Every error at once: the address is checked although the name was missing.
        await Assertions.Expect(page.Locator("#Url-error")).ToContainTextAsync("starting with https://");

        // With a name, only the address is refused.
        await page.Locator("form[action='/newsroom/robots/new']").EvaluateAsync("f => { f.noValidate = true; }");
        await page.GetByLabel("Name").FillAsync("Bad address");
        await page.GetByLabel("Webhook URL").FillAsync("not a web address");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add the robot" }).ClickAsync();
        await Assertions.Expect(page.Locator("#Url-error")).ToContainTextAsync("Give the full address the provider shows, starting with https://.");
        await Assertions.Expect(page.GetByLabel("Webhook URL")).ToHaveAttributeAsync("aria-invalid", "true");
        await Assertions.Expect(page.GetByLabel("Name")).Not.ToHaveAttributeAsync("aria-invalid", "true");
        await Assertions.Expect(page.GetByLabel("Name")).ToHaveValueAsync("Bad address");
        await Assertions.Expect(summary).ToContainTextAsync("starting with https://");
        await Screenshots.SaveAsync(page, "robots-edit-url-error-390");
        var violations = await Axe.RunAsync(page);
        Assert.True(!violations.Any(v => v.Impact is "serious" or "critical"), string.Join("\n", violations));
        Assert.False(await Factory.WithDbAsync(db => db.WebhookEndpoints.AnyAsync(w => w.Name == "" || w.Name == "Bad address")));
    }

    [Fact]
    public async Task ThePagesThisFeatureTouchesFitA390PixelPhoneWithoutSidewaysScrolling()
    {
        var article = await Factory.WithDbAsync(db => db.Articles.Where(a => a.Status == ArticleStatus.Published).OrderBy(a => a.Id).Select(a => a.Id).FirstAsync());
        var pages = new (string Path, string Name, bool SignedIn)[]
        {
            ("/preferences", "preferences", true), ("/newsroom/robots", "robots-list", true), ("/newsroom/robots/new", "robots-new", true),
            ($"/editor/articles/{article}", "editor-article-breaking", true), ("/", "home-signed-out", false), ("/account/login", "login-signed-out", false),
        };
        foreach (var (path, name, signedIn) in pages)
        {
            await using var tab = signedIn ? await host.LoggedInPageAsync(NewsPushFactory.EditorEmail) : await host.NewPageAsync();
            foreach (var width in new[] { 1280, 390 })
            {
                await tab.Page.SetViewportSizeAsync(width, 900);
                await tab.Page.GotoAsync(path);
                var overflow = await tab.Page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
                Assert.True(overflow <= 0, $"{path} at {width} px scrolls sideways by {overflow} px");
                await Screenshots.SaveAsync(tab.Page, $"{name}-{width}");
            }
        }
    }
}
