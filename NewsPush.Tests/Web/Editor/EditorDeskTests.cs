using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NewsPush.Data.Entities;
using NewsPush.Tests.Infrastructure;

namespace NewsPush.Tests.Web.Editor;

/// <summary>The editor's desk over HTTP, on a real database (both providers).</summary>
public abstract class EditorDeskTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : NewsPushFactory
{
    [Fact]
    public async Task WalksTheWholeWorkflowAndAuditsEveryStep()
    {
        using var editor = await factory.CreateLoggedInClientAsync(NewsPushFactory.EditorEmail);
        var column = await factory.FirstVisibleColumnAsync();
        var title = NewsroomTestExtensions.Unique("Workflow story");
        var id = await editor.CreateArticleAsync(title, column.Id);
        Assert.Equal(ArticleStatus.Draft, await factory.StatusOfAsync(id));

        (string Action, ArticleStatus Expected, DateTime? At)[] steps =
        [
            ("Submit", ArticleStatus.InReview, null),
            ("ReturnToDraft", ArticleStatus.Draft, null),
            ("Submit", ArticleStatus.InReview, null),
            ("Schedule", ArticleStatus.Scheduled, DateTime.UtcNow.AddDays(2)),
            ("Unschedule", ArticleStatus.InReview, null),
            ("Schedule", ArticleStatus.Scheduled, DateTime.UtcNow.AddDays(2)),
            ("Publish", ArticleStatus.Published, null),
            ("Archive", ArticleStatus.Archived, null),
            ("Restore", ArticleStatus.Draft, null),
        ];
        foreach (var (action, expected, at) in steps)
        {
            var response = await editor.TransitionAsync(id, action, at);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal(expected, await factory.StatusOfAsync(id));
        }

        var audited = await factory.WithDbAsync(db => db.AuditLog.Where(e => e.EntityType == nameof(Article) && e.EntityId == id.ToString())
            .OrderBy(e => e.Id).Select(e => e.Action).ToListAsync());
        Assert.Equal(["article.created", .. steps.Select(s => $"article.{s.Action.ToLowerInvariant()}")], audited);
        Assert.All(await factory.WithDbAsync(db => db.AuditLog.Where(e => e.EntityId == id.ToString()).Select(e => e.ActorName).ToListAsync()),
            actor => Assert.Equal(NewsPushFactory.EditorEmail, actor));
    }

    [Theory]
    [InlineData("Publish")]
    [InlineData("Schedule")]
    [InlineData("Archive")]
    [InlineData("Unschedule")]
    public async Task RefusesIllegalTransitionFromDraftAndSaysWhy(string action)
    {
        using var editor = await factory.CreateLoggedInClientAsync(NewsPushFactory.EditorEmail);
        var column = await factory.FirstVisibleColumnAsync();
        var id = await editor.CreateArticleAsync(NewsroomTestExtensions.Unique("Illegal"), column.Id);

        var response = await editor.TransitionAsync(id, action, DateTime.UtcNow.AddDays(1));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(ArticleStatus.Draft, await factory.StatusOfAsync(id));
        var page = WebUtility.HtmlDecode(await editor.GetStringAsync($"/editor/articles/{id}"));
        Assert.Contains("An article that is a draft cannot be", page);
        Assert.True(await factory.WithDbAsync(db => db.AuditLog.AnyAsync(e => e.EntityId == id.ToString() && e.Action == "article.transition-refused")));
    }

    [Fact]
    public async Task ListFiltersByStatusColumnAuthorAndText()
    {
        using var editor = await factory.CreateLoggedInClientAsync(NewsPushFactory.EditorEmail);
        var column = await factory.FirstVisibleColumnAsync();
        var title = NewsroomTestExtensions.Unique("Filterable");
        var id = await editor.CreateArticleAsync(title, column.Id);
        await editor.TransitionAsync(id, "Submit");

        var row = $">{title}</a>";
        var byText = await editor.GetStringAsync($"/editor/articles?q={title.ToUpperInvariant()}");
        Assert.Contains(row, byText);
        Assert.Contains("1 article(s)", byText);
        Assert.Contains(row, await editor.GetStringAsync($"/editor/articles?status=InReview&columnId={column.Id}&q={title}"));
        Assert.DoesNotContain(row, await editor.GetStringAsync($"/editor/articles?status=Draft&q={title}"));
        var otherColumn = await factory.WithDbAsync(db => db.Columns.Where(c => c.Id != column.Id).Select(c => c.Id).FirstAsync());
        Assert.DoesNotContain(row, await editor.GetStringAsync($"/editor/articles?columnId={otherColumn}&q={title}"));
        var authorId = await factory.WithDbAsync(db => db.Users.Where(u => u.Email == NewsPushFactory.EditorEmail).Select(u => u.Id).SingleAsync());
        Assert.Contains(row, await editor.GetStringAsync($"/editor/articles?authorId={authorId}&q={title}"));
        Assert.DoesNotContain(row, await editor.GetStringAsync($"/editor/articles?authorId=nobody&q={title}"));
    }

    [Fact]
    public async Task PreviewRendersMarkdownWithoutScriptsAndEditSavesTags()
    {
        using var editor = await factory.CreateLoggedInClientAsync(NewsPushFactory.EditorEmail);
        var column = await factory.FirstVisibleColumnAsync();
        var id = await editor.CreateArticleAsync(NewsroomTestExtensions.Unique("Preview"), column.Id);

        var preview = await editor.PostFormAsync($"/editor/articles/{id}", new Dictionary<string, string>
        {
            ["Form.Title"] = "Preview title", ["Form.BodyMarkdown"] = "## Heading\n\n**strong** <script>alert(1)</script>",
            ["Form.ColumnId"] = column.Id.ToString(), ["Form.Tags"] = "", ["preview"] = "1",
        });
        var html = await preview.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
        Assert.Matches("<h2[^>]*>Heading</h2>", html);
        Assert.Contains("<strong>strong</strong>", html);
        Assert.DoesNotContain("<script>alert(1)</script>", html);

        async Task<List<string>> TagsAsync() => (await factory.WithDbAsync(db => db.ArticleTags.Where(t => t.ArticleId == id).Select(t => t.Tag!.Slug).ToListAsync())).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["elections", "测试"], await TagsAsync());
        var save = await editor.PostFormAsync($"/editor/articles/{id}", new Dictionary<string, string>
        {
            ["Form.Title"] = "Edited title", ["Form.BodyMarkdown"] = "b", ["Form.ColumnId"] = column.Id.ToString(), ["Form.Tags"] = "elections, budget", ["save"] = "1",
        });
        Assert.Equal(HttpStatusCode.Redirect, save.StatusCode);
        Assert.Equal(["budget", "elections"], await TagsAsync());
    }

    [Theory]
    [InlineData("# Sign in again {style=\"position:fixed;inset:0;background:white\" class=\"modal\"}")] // generic attributes: a full-page overlay
    [InlineData("[Verify your account](https://evil.example/login){target=_blank style=\"font-size:40px\"}")]
    [InlineData("![x](https://cdn.example/p.png){width=1 height=1 onerror=\"alert(1)\"}")]
    [InlineData("<div dir=rtl><form action=\"https://evil.example\"><input name=p></form></div>")]
    public async Task PreviewShowsExactlyWhatPublishingWouldShow(string body)
    {
        using var editor = await factory.CreateLoggedInClientAsync(NewsPushFactory.EditorEmail);
        var column = await factory.FirstVisibleColumnAsync();
        var id = await editor.CreateArticleAsync(NewsroomTestExtensions.Unique("Same sanitizer"), column.Id);

        var preview = await editor.PostFormAsync($"/editor/articles/{id}", new Dictionary<string, string>
        {
            ["Form.Title"] = "Preview title", ["Form.BodyMarkdown"] = body, ["Form.ColumnId"] = column.Id.ToString(), ["Form.Tags"] = "", ["preview"] = "1",
        });

        Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
        var shown = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(await preview.Content.ReadAsStringAsync()).GetElementById("live-preview");
        Assert.NotNull(shown);
        var published = factory.Services.GetRequiredService<NewsPush.Web.Reader.MarkdownRenderer>().RenderArticle(body);
        var expected = new AngleSharp.Html.Parser.HtmlParser().ParseDocument($"<div id=\"expected\">{published}</div>").GetElementById("expected")!;
        Assert.Equal(expected.InnerHtml, shown.InnerHtml);
        Assert.Empty(shown.QuerySelectorAll("[style], [class], [onerror], [target], form, input"));

        // The live preview beside the editor (as the editor types) renders through the same sanitizer.
        var live = await editor.PostFormAsync($"/editor/articles/{id}", new Dictionary<string, string> { ["markdown"] = body }, "/editor/articles/preview");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        var html = System.Text.Json.JsonDocument.Parse(await live.Content.ReadAsStringAsync()).RootElement.GetProperty("html").GetString();
        Assert.Equal(published, html);
    }

    [Fact]
    public async Task DraftIsPrivateToItsAuthorUntilSubmittedButNotToAdmins()
    {
        using var author = await factory.CreateLoggedInClientAsync(NewsPushFactory.EditorEmail);
        var otherEmail = $"{NewsroomTestExtensions.Unique("editor2")}@test.local";
        await factory.CreateUserAsync(otherEmail, Roles.Editor);
        using var other = await factory.CreateLoggedInClientAsync(otherEmail);
        using var admin = await factory.CreateLoggedInClientAsync(NewsPushFactory.AdminEmail);
        var column = await factory.FirstVisibleColumnAsync();
        var title = NewsroomTestExtensions.Unique("Private draft");
        var id = await author.CreateArticleAsync(title, column.Id);

        Assert.Contains("/account/access-denied", (await other.GetAsync($"/editor/articles/{id}")).Headers.Location!.OriginalString);
        Assert.DoesNotContain($">{title}</a>", await other.GetStringAsync($"/editor/articles?q={title}"));
        var refused = await other.PostFormAsync("/editor/articles", new Dictionary<string, string> { ["action"] = "Submit" }, $"/editor/articles/{id}/transition");
        Assert.Contains("/account/access-denied", refused.Headers.Location!.OriginalString);
        Assert.Equal(ArticleStatus.Draft, await factory.StatusOfAsync(id));
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/editor/articles/{id}")).StatusCode);
        Assert.Contains($">{title}</a>", await admin.GetStringAsync($"/editor/articles?q={title}"));

        await author.TransitionAsync(id, "Submit");
        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync($"/editor/articles/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await other.TransitionAsync(id, "Publish")).StatusCode);
        Assert.Equal(ArticleStatus.Published, await factory.StatusOfAsync(id));
    }

    [Fact]
    public async Task CreateWithoutTitleOrColumnShowsValidationMessages()
    {
        using var editor = await factory.CreateLoggedInClientAsync(NewsPushFactory.EditorEmail);
        var response = await editor.PostFormAsync("/editor/articles/new", new Dictionary<string, string> { ["Form.Title"] = "", ["Form.ColumnId"] = "0" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("Give the article a title.", html);
        Assert.Contains("Choose a column.", html);
    }
}

public sealed class SqliteEditorDeskTests(SqliteFactory factory) : EditorDeskTests<SqliteFactory>(factory);

public sealed class PostgreSqlEditorDeskTests(PostgreSqlFactory factory) : EditorDeskTests<PostgreSqlFactory>(factory);
