using Microsoft.Playwright;
using NewsPush.Tests.Infrastructure;

namespace NewsPush.Tests.Web.Admin;

/// <summary>An admin sends a broadcast from the admin page; a reader's open page shows the badge one higher, without a reload.</summary>
public sealed class BroadcastBrowserTests(BrowserHost<SqliteFactory> host) : IClassFixture<BrowserHost<SqliteFactory>>
{
    [Fact]
    public async Task ReadersOpenPageBadgeGoesUpWhenAnAdminSendsABroadcast()
    {
        var email = $"bcbrowser-{Guid.NewGuid():N}"[..20] + "@test.local";
        await host.Factory.CreateUserAsync(email);
        await using var readerTab = await host.LoggedInPageAsync(email);
        var reader = readerTab.Page;
        var errors = new List<string>();
        reader.Console += (_, m) => { if (m.Type == "error" && !m.Location.Contains("favicon", StringComparison.Ordinal)) { errors.Add($"{m.Text} {m.Location}"); } };
        await reader.GotoAsync("/");
        var badge = reader.Locator("#inbox-badge");
        var before = int.Parse(await badge.GetAttributeAsync("data-count") ?? "-1");
        await Assertions.Expect(reader.Locator("html[data-inbox-live='true']")).ToHaveCountAsync(1);
        await reader.EvaluateAsync("() => { window.__sameDocument = true; }");

        await using var adminTab = await host.LoggedInPageAsync(NewsPushFactory.AdminEmail);
        var admin = adminTab.Page;
        admin.Console += (_, m) => { if (m.Type == "error" && !m.Location.Contains("favicon", StringComparison.Ordinal)) { errors.Add($"admin: {m.Text} {m.Location}"); } };
        await admin.GotoAsync("/");
        await admin.GetByRole(AriaRole.Button, new() { Name = "Newsroom" }).ClickAsync();
        await admin.GetByRole(AriaRole.Link, new() { Name = "Broadcasts" }).ClickAsync();
        await admin.WaitForURLAsync("**/admin/broadcasts", new() { WaitUntil = WaitUntilState.Commit });
        var title = "Site maintenance " + Guid.NewGuid().ToString("N")[..6];
        await admin.GetByLabel("Title").FillAsync(title);
        await admin.GetByLabel("Message").FillAsync("Tonight 02:00–03:00 UTC.\nComments are read-only meanwhile.");
        await admin.GetByLabel("Link").FillAsync("/preferences");
        await admin.GetByRole(AriaRole.Button, new() { Name = "Send to every reader" }).ClickAsync();
        await Assertions.Expect(admin.GetByRole(AriaRole.Status)).ToContainTextAsync("Broadcast sent");
        await Assertions.Expect(admin.Locator("#broadcasts tbody tr").First).ToContainTextAsync(title);

        await Assertions.Expect(badge).ToHaveAttributeAsync("data-count", (before + 1).ToString());
        await Assertions.Expect(badge).ToBeVisibleAsync();
        Assert.True(await reader.EvaluateAsync<bool>("() => window.__sameDocument === true"), "the page was not reloaded");

        // The reader opens it from the inbox: the announcement, its link, and the badge back down.
        await reader.ClickAsync("#inbox-link");
        await reader.GetByRole(AriaRole.Link, new() { Name = title }).ClickAsync();
        await Assertions.Expect(reader.Locator(".inbox-body")).ToContainTextAsync("Comments are read-only meanwhile.");
        await Assertions.Expect(reader.GetByRole(AriaRole.Link, new() { Name = "Open" })).ToHaveAttributeAsync("href", "/preferences");
        await Assertions.Expect(badge).ToHaveAttributeAsync("data-count", before.ToString());
        Assert.True(errors.Count == 0, string.Join(" | ", errors));
    }
}
