using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using NewsPush.Data.Entities;
using NewsPush.Tests.Infrastructure;

namespace NewsPush.Tests.Web.Editor;

/// <summary>An editor writes and submits an article in a real browser; an admin publishes it; readers see it.</summary>
public sealed class NewsroomBrowserTests(BrowserHost<SqliteFactory> host) : IClassFixture<BrowserHost<SqliteFactory>>
{
    [Fact]
    public async Task EditorWritesAndSubmitsAdminPublishesAndItAppearsUnderItsColumn()
    {
        var column = await host.Factory.FirstVisibleColumnAsync();
        var title = NewsroomTestExtensions.Unique("Browser story");

        var editorTab = await host.LoggedInPageAsync(NewsPushFactory.EditorEmail);
        var editor = editorTab.Page;
        await editor.GotoAsync("/editor/articles/new");
        await editor.GetByLabel("Title").FillAsync(title);
        await editor.GetByLabel("Column").SelectOptionAsync(new SelectOptionValue { Label = column.Name });
        await editor.GetByLabel("Summary").FillAsync("Written in a browser.");
        await editor.GetByLabel("Body (Markdown)").FillAsync("## Lede\n\nThe **whole** story.");
        // The preview beside the text follows the typing, rendered by the server as publishing renders it.
        await Assertions.Expect(editor.Locator("#live-preview strong")).ToHaveTextAsync("whole");
        await Assertions.Expect(editor.Locator("#live-preview-title")).ToHaveTextAsync(title);
        await editor.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
        // The saved draft's own page, by its URL: its load event can be held up by the page's scripts on a busy machine.
        await Assertions.Expect(editor).ToHaveURLAsync(new Regex(@"/editor/articles/\d+$"));
        Assert.True(await editor.Locator("#article-status").CountAsync() > 0, editor.Url + await editor.Locator("main").InnerTextAsync());
        await Assertions.Expect(editor.Locator("#article-status")).ToHaveTextAsync("Draft");
        await editor.GetByRole(AriaRole.Button, new() { Name = "Submit for review" }).ClickAsync();
        await Assertions.Expect(editor.Locator("#article-status")).ToHaveTextAsync("InReview");
        await editorTab.DisposeAsync();

        var adminTab = await host.LoggedInPageAsync(NewsPushFactory.AdminEmail);
        var admin = adminTab.Page;
        await admin.GotoAsync("/editor/articles?status=InReview");
        await admin.GetByRole(AriaRole.Link, new() { Name = title }).ClickAsync();
        await admin.GetByRole(AriaRole.Button, new() { Name = "Publish now" }).ClickAsync();
        await Assertions.Expect(admin.Locator("#article-status")).ToHaveTextAsync("Published");
        await adminTab.DisposeAsync();

        await using var readerTab = await host.NewPageAsync();
        var reader = readerTab.Page;
        await reader.GotoAsync($"/column/{column.Slug}");
        await Assertions.Expect(reader.Locator("main")).ToContainTextAsync(title);

        Assert.Equal(ArticleStatus.Published, await host.Factory.WithDbAsync(db => db.Articles.Where(a => a.Title == title).Select(a => a.Status).SingleAsync()));
    }
}
