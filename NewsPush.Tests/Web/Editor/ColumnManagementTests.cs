using System.Net;
using Microsoft.EntityFrameworkCore;
using NewsPush.Tests.Infrastructure;

namespace NewsPush.Tests.Web.Editor;

public sealed class ColumnManagementTests(SqliteFactory factory) : IClassFixture<SqliteFactory>
{
    [Fact]
    public async Task HiddenColumnVanishesFromMenuAndFrontPageAtOnceAndComesBack()
    {
        using var editor = await factory.CreateLoggedInClientAsync(NewsPushFactory.EditorEmail);
        var name = NewsroomTestExtensions.Unique("Weather");
        Assert.Equal(HttpStatusCode.Redirect, (await editor.PostFormAsync("/editor/columns", new Dictionary<string, string> { ["name"] = name, ["description"] = "Rain" })).StatusCode);
        var column = await factory.WithDbAsync(db => db.Columns.SingleAsync(c => c.Name == name));
        using var reader = factory.CreateClient();
        Assert.Contains($"href=\"/column/{column.Slug}\"", await reader.GetStringAsync("/"));

        await editor.PostFormAsync("/editor/columns", new Dictionary<string, string> { ["hidden"] = "true" }, $"/editor/columns/{column.Id}/visibility");
        Assert.DoesNotContain($"/column/{column.Slug}", await reader.GetStringAsync("/"));

        await editor.PostFormAsync("/editor/columns", new Dictionary<string, string> { ["hidden"] = "false" }, $"/editor/columns/{column.Id}/visibility");
        Assert.Contains($"href=\"/column/{column.Slug}\"", await reader.GetStringAsync("/"));
    }

    [Fact]
    public async Task RenameAndReorderShowInTheMenuAndTheSearchFilter()
    {
        using var editor = await factory.CreateLoggedInClientAsync(NewsPushFactory.EditorEmail);
        var columns = await factory.WithDbAsync(db => db.Columns.AsNoTracking().Where(c => !c.IsHidden).OrderBy(c => c.SortOrder).ThenBy(c => c.Id).ToListAsync());
        var (first, second) = (columns[0], columns[1]);
        using var reader = factory.CreateClient();
        _ = await reader.GetStringAsync("/");
        Assert.Contains($">{WebUtility.HtmlEncode(second.Name)}</option>", await reader.GetStringAsync("/search"));

        var newName = NewsroomTestExtensions.Unique("Renamed");
        await editor.PostFormAsync("/editor/columns", new Dictionary<string, string> { ["name"] = newName, ["description"] = "d" }, $"/editor/columns/{second.Id}/rename");
        await editor.PostFormAsync("/editor/columns", new Dictionary<string, string> { ["offset"] = "-1" }, $"/editor/columns/{second.Id}/move");

        var menu = await reader.GetStringAsync("/");
        Assert.Contains(newName, menu);
        Assert.True(menu.IndexOf($"/column/{second.Slug}\"", StringComparison.Ordinal) < menu.IndexOf($"/column/{first.Slug}\"", StringComparison.Ordinal),
            "the moved column comes first in the menu");
        var filter = await reader.GetStringAsync("/search");
        Assert.Contains($">{newName}</option>", filter);
        Assert.True(filter.IndexOf($"value=\"{second.Slug}\"", StringComparison.Ordinal) < filter.IndexOf($"value=\"{first.Slug}\"", StringComparison.Ordinal),
            "the moved column comes first in the search page's column filter");
        Assert.True(await factory.WithDbAsync(db => db.AuditLog.AnyAsync(e => e.Action == "column.reordered" && e.EntityId == second.Id.ToString())));
    }

    [Fact]
    public async Task RefusesDuplicateColumnAddress()
    {
        using var editor = await factory.CreateLoggedInClientAsync(NewsPushFactory.EditorEmail);
        var existing = await factory.FirstVisibleColumnAsync();
        await editor.PostFormAsync("/editor/columns", new Dictionary<string, string> { ["name"] = "Copy", ["slug"] = existing.Slug });
        Assert.Contains($"A column with the address &#x27;{existing.Slug}&#x27; already exists.", await editor.GetStringAsync("/editor/columns"));
    }
}
