using Microsoft.Playwright;
using NewsPush.Tests.Infrastructure;

namespace NewsPush.Tests.Web.Editor;

/// <summary>The editor keeps what is typed in the browser until it is saved, and offers it back after a reload.</summary>
public sealed class ArticleEditorBrowserTests(BrowserHost<SqliteFactory> host) : IClassFixture<BrowserHost<SqliteFactory>>
{
    [Fact]
    public async Task UnsavedTextComesBackAfterAReloadAndSavingForgetsIt()
    {
        var column = await host.Factory.FirstVisibleColumnAsync();
        using var client = await host.Factory.CreateLoggedInClientAsync(NewsPushFactory.EditorEmail);
        var id = await client.CreateArticleAsync(NewsroomTestExtensions.Unique("Autosave"), column.Id, "The saved body.");

        await using var tab = await host.LoggedInPageAsync(NewsPushFactory.EditorEmail);
        var page = tab.Page;
        await page.GotoAsync($"/editor/articles/{id}");
        await Assertions.Expect(page.Locator("#live-preview")).ToContainTextAsync("The saved body.");
        await page.GetByLabel("Body (Markdown)").FillAsync("A new paragraph the **editor** has not saved.");
        await Assertions.Expect(page.Locator("#autosave-status")).ToContainTextAsync("Unsaved changes kept in this browser");
        await Assertions.Expect(page.Locator("#live-preview strong")).ToHaveTextAsync("editor");

        // The tab is reloaded (a crash, an expired session): the server still has the saved body, the browser the new one.
        await page.ReloadAsync();
        await Assertions.Expect(page.GetByLabel("Body (Markdown)")).ToHaveValueAsync("The saved body.");
        var banner = page.GetByRole(AriaRole.Region, new() { Name = "Unsaved changes" });
        await Assertions.Expect(banner).ToBeVisibleAsync();
        await banner.GetByRole(AriaRole.Button, new() { Name = "Restore them" }).ClickAsync();
        await Assertions.Expect(page.GetByLabel("Body (Markdown)")).ToHaveValueAsync("A new paragraph the **editor** has not saved.");
        await Assertions.Expect(page.Locator("#live-preview strong")).ToHaveTextAsync("editor");

        await page.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("[role=status].alert")).ToContainTextAsync("Saved.");
        await page.ReloadAsync();
        await Assertions.Expect(page.GetByLabel("Body (Markdown)")).ToHaveValueAsync("A new paragraph the **editor** has not saved.");
        await Assertions.Expect(banner).ToBeHiddenAsync();
        Assert.Null(await page.EvaluateAsync<string?>($"() => localStorage.getItem('newspush:article-draft:{id}')"));
    }
}
