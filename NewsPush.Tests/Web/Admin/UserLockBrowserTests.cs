using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using NewsPush.Tests.Infrastructure;

namespace NewsPush.Tests.Web.Admin;

/// <summary>Locking and deleting a user ask first; a lock can be undone from its message.</summary>
public sealed class UserLockBrowserTests(BrowserHost<SqliteFactory> host) : IClassFixture<BrowserHost<SqliteFactory>>
{
    [Fact]
    public async Task AnAdminIsAskedBeforeLockingOrDeletingAndCanUndoALock()
    {
        var email = $"lock-{Guid.NewGuid():N}"[..17] + "@test.local";
        var user = await host.Factory.CreateUserAsync(email);
        await using var tab = await host.LoggedInPageAsync(NewsPushFactory.AdminEmail);
        var page = tab.Page;
        await page.GotoAsync("/admin/users?q=" + Uri.EscapeDataString(email));
        var row = page.Locator($"#user-{user.Id}");

        // Dismissing the question changes nothing.
        var questions = new List<string>();
        page.Dialog += async (_, dialog) =>
        {
            questions.Add(dialog.Message);
            if (questions.Count == 1 || dialog.Message.StartsWith("Delete", StringComparison.Ordinal)) { await dialog.DismissAsync(); } else { await dialog.AcceptAsync(); }
        };
        await row.GetByRole(AriaRole.Button, new() { Name = "Lock" }).ClickAsync();
        await Assertions.Expect(row).ToContainTextAsync("active");
        Assert.Contains($"Lock {email}?", questions[0]);
        Assert.False(await IsLockedAsync(user.Id));

        await row.GetByRole(AriaRole.Button, new() { Name = "Lock" }).ClickAsync();
        await Assertions.Expect(page.Locator(".alert[role=status]")).ToContainTextAsync("User locked");
        await Assertions.Expect(row).ToContainTextAsync("locked");
        Assert.True(await IsLockedAsync(user.Id));

        await page.Locator(".alert[role=status]").GetByRole(AriaRole.Button, new() { Name = "Undo" }).ClickAsync();
        await Assertions.Expect(page.Locator(".alert[role=status]")).ToContainTextAsync("User unlocked");
        await Assertions.Expect(row).ToContainTextAsync("active");
        Assert.False(await IsLockedAsync(user.Id));

        await row.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        Assert.Contains("This cannot be undone", questions[^1]);
        await Assertions.Expect(row).ToContainTextAsync("active");
        Assert.Null(await host.Factory.WithDbAsync(db => db.Users.Where(u => u.Id == user.Id).Select(u => u.DeletedAt).SingleAsync()));
    }

    private async Task<bool> IsLockedAsync(string id) =>
        await host.Factory.WithDbAsync(db => db.Users.Where(u => u.Id == id).Select(u => u.LockoutEnd).SingleAsync()) is { } end && end > DateTimeOffset.UtcNow;
}
