using System.Net;
using AngleSharp.Html.Parser;
using Microsoft.EntityFrameworkCore;
using NewsPush.Data.Entities;
using NewsPush.Tests.Infrastructure;
using static NewsPush.Tests.Web.Reader.ReaderTestData;

namespace NewsPush.Tests.Web.Reader;

/// <summary>Comments, replies, edits, deletes, reports — and script never surviving in a comment.</summary>
public sealed class CommentTests(SqliteFactory factory) : IClassFixture<SqliteFactory>
{
    /// <summary>Known filter-evasion vectors (OWASP XSS cheat sheet and friends) in Markdown and raw HTML.</summary>
    public static TheoryData<string> XssVectors() =>
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<IMG SRC=JaVaScRiPt:alert('XSS')>",
        "<svg/onload=alert(1)>",
        "<iframe src=\"javascript:alert(1)\"></iframe>",
        "<body onload=alert(1)>",
        "\"><script>alert(1)</script>",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
        "<div style=\"background:url(javascript:alert(1))\">x</div>",
        "<details open ontoggle=alert(1)>",
        "<input autofocus onfocus=alert(1)>",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        "<<script>script>alert(1)<</script>/script>",
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](&#106;avascript:alert(1))",
        "[click](javascript&colon;alert(1))",
        "[click](  javascript:alert(1))",
        "[click](vbscript:msgbox(1))",
        "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "![img](javascript:alert(1))",
        "![img](x \"onerror=alert(1)\")",
        "[a](https://example.com\"onmouseover=\"alert(1))",
        "<javascript:alert(1)>",
        "`<script>alert(1)</script>`",
        "<object data=\"javascript:alert(1)\"></object>",
        "<embed src=\"javascript:alert(1)\">",
        "<form action=\"javascript:alert(1)\"><button>x</button></form>",
        "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
        "<base href=\"javascript:alert(1)//\">",
        "<link rel=stylesheet href=\"javascript:alert(1)\">",
        "<style>@import 'javascript:alert(1)';</style>",
        "<a href=\"&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert(1)\">x</a>",
        "<scr<script>ipt>alert(1)</scr</script>ipt>",
        "<!--<img src=\"--><img src=x onerror=alert(1)//\">",
    ];

    private static async Task<string> CommentHtmlAsync(HttpClient client, string slug, long id)
    {
        var page = await client.GetStringAsync($"/article/{slug}");
        var doc = new HtmlParser().ParseDocument(page);
        var node = doc.GetElementById($"comment-{id}")?.QuerySelector(".comment-body");
        Assert.NotNull(node);
        return node.InnerHtml;
    }

    [Theory]
    [MemberData(nameof(XssVectors))]
    public async Task CommentsWithScriptVectorsAreRenderedInert(string vector)
    {
        var user = await factory.CreateUserAsync(Unique("xss") + "@test.local");
        var (articleId, slug) = await PublishAsync(factory, "XSS target", "Body");
        using var client = await factory.CreateLoggedInClientAsync(user.Email!);

        var response = await client.PostFormAsync($"/article/{slug}", new Dictionary<string, string> { ["NewComment.Body"] = vector }, $"/article/{slug}/comments");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var id = await factory.WithDbAsync(db => db.Comments.Where(c => c.ArticleId == articleId).Select(c => c.Id).SingleAsync());
        var html = await CommentHtmlAsync(client, slug, id);

        var fragment = new HtmlParser().ParseDocument("<div id=\"root\">" + html + "</div>").GetElementById("root")!;
        var elements = fragment.QuerySelectorAll("*").ToList();
        Assert.DoesNotContain(elements, e => e.LocalName is "script" or "iframe" or "svg" or "img" or "object" or "embed" or "form" or "input" or "style" or "meta" or "base" or "link" or "math" or "details" or "body");
        Assert.DoesNotContain(elements, e => e.Attributes.Any(a => a.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase) || a.Name == "style"));
        foreach (var e in elements)
        {
            foreach (var attr in e.Attributes.Where(a => a.Name is "href" or "src" or "action" or "data"))
            {
                var value = new string(attr.Value.Where(c => !char.IsWhiteSpace(c) && !char.IsControl(c)).ToArray()).ToLowerInvariant();
                Assert.True(value.StartsWith("http://", StringComparison.Ordinal) || value.StartsWith("https://", StringComparison.Ordinal) || value.StartsWith("mailto:", StringComparison.Ordinal),
                    $"unsafe {attr.Name}={attr.Value} from {vector}");
            }
        }
    }

    [Fact]
    public async Task ReaderPostsAReplyAndItIsShownUnderItsParent()
    {
        var alice = await factory.CreateUserAsync(Unique("alice") + "@test.local");
        var bob = await factory.CreateUserAsync(Unique("bob") + "@test.local");
        var (articleId, slug) = await PublishAsync(factory, "Thread target", "Body");
        using var a = await factory.CreateLoggedInClientAsync(alice.Email!);
        using var b = await factory.CreateLoggedInClientAsync(bob.Email!);

        await a.PostFormAsync($"/article/{slug}", new Dictionary<string, string> { ["NewComment.Body"] = "First **thought**" }, $"/article/{slug}/comments");
        var parentId = await factory.WithDbAsync(db => db.Comments.Where(c => c.ArticleId == articleId).Select(c => c.Id).SingleAsync());
        var reply = await b.PostFormAsync($"/article/{slug}", new Dictionary<string, string> { ["NewComment.Body"] = "A reply", ["NewComment.ParentId"] = parentId.ToString() }, $"/article/{slug}/comments");

        Assert.Equal(HttpStatusCode.Redirect, reply.StatusCode);
        var page = new HtmlParser().ParseDocument(await b.GetStringAsync($"/article/{slug}"));
        var parentLi = page.GetElementById($"comment-{parentId}")!.ParentElement!;
        Assert.Contains("A reply", parentLi.TextContent);
        Assert.Contains("<strong>thought</strong>", page.GetElementById($"comment-{parentId}")!.InnerHtml);
        Assert.Contains("Comments (2)", page.Body!.TextContent);
    }

    [Fact]
    public async Task AuthorEditsAndDeletesOwnCommentButNotOthers()
    {
        var author = await factory.CreateUserAsync(Unique("auth") + "@test.local");
        var other = await factory.CreateUserAsync(Unique("oth") + "@test.local");
        var (articleId, slug) = await PublishAsync(factory, "Edit target", "Body");
        using var mine = await factory.CreateLoggedInClientAsync(author.Email!);
        using var theirs = await factory.CreateLoggedInClientAsync(other.Email!);
        await mine.PostFormAsync($"/article/{slug}", new Dictionary<string, string> { ["NewComment.Body"] = "Original text" }, $"/article/{slug}/comments");
        var id = await factory.WithDbAsync(db => db.Comments.Where(c => c.ArticleId == articleId).Select(c => c.Id).SingleAsync());

        var othersEditForm = await theirs.GetAsync($"/comments/{id}/edit");
        var othersDelete = await theirs.PostFormAsync($"/article/{slug}", new Dictionary<string, string>(), $"/comments/{id}/delete");
        var edit = await mine.PostFormAsync($"/comments/{id}/edit", new Dictionary<string, string> { ["Form.Body"] = "Edited text" });
        var afterEdit = await mine.GetStringAsync($"/article/{slug}");
        var delete = await mine.PostFormAsync($"/article/{slug}", new Dictionary<string, string>(), $"/comments/{id}/delete");
        var afterDelete = await mine.GetStringAsync($"/article/{slug}");

        Assert.Equal(HttpStatusCode.NotFound, othersEditForm.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, othersDelete.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, edit.StatusCode);
        Assert.Contains("Edited text", afterEdit);
        Assert.Contains("edited", afterEdit);
        Assert.Equal(HttpStatusCode.Redirect, delete.StatusCode);
        Assert.DoesNotContain("Edited text", afterDelete);
        Assert.Equal(CommentStatus.Deleted, await factory.WithDbAsync(db => db.Comments.Where(c => c.Id == id).Select(c => c.Status).SingleAsync()));
    }

    [Fact]
    public async Task EmptyOrTooLongCommentsGetAValidationMessage()
    {
        var user = await factory.CreateUserAsync(Unique("val") + "@test.local");
        var (articleId, slug) = await PublishAsync(factory, "Validation target", "Body");
        using var client = await factory.CreateLoggedInClientAsync(user.Email!);

        var empty = await client.PostFormAsync($"/article/{slug}", new Dictionary<string, string> { ["NewComment.Body"] = "   " }, $"/article/{slug}/comments");
        var tooLong = await client.PostFormAsync($"/article/{slug}", new Dictionary<string, string> { ["NewComment.Body"] = new string('x', 5001) }, $"/article/{slug}/comments");
        var badParent = await client.PostFormAsync($"/article/{slug}", new Dictionary<string, string> { ["NewComment.Body"] = "hi", ["NewComment.ParentId"] = "999999999" }, $"/article/{slug}/comments");
        var notANumber = await client.PostFormAsync($"/article/{slug}", new Dictionary<string, string> { ["NewComment.Body"] = "hi", ["NewComment.ParentId"] = "abc" }, $"/article/{slug}/comments");

        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Contains("Write something before posting.", await empty.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Contains("at most 5,000 characters", await tooLong.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, badParent.StatusCode);
        Assert.Contains("no longer exists", await badParent.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, notANumber.StatusCode);
        Assert.Equal(0, await factory.WithDbAsync(db => db.Comments.CountAsync(c => c.ArticleId == articleId)));
    }

    [Fact]
    public async Task AnEmptyOrTooLongCommentOnAnArticleWithCommentsShowsTheMessageAndKeepsTheText()
    {
        var user = await factory.CreateUserAsync(Unique("val2") + "@test.local");
        var (_, slug) = await PublishAsync(factory, "Validation with comments", "Body");
        using var client = await factory.CreateLoggedInClientAsync(user.Email!);
        await client.PostFormAsync($"/article/{slug}", new Dictionary<string, string> { ["NewComment.Body"] = "An earlier comment" }, $"/article/{slug}/comments");
        var typed = "Kept text " + new string('y', 5000);

        var empty = await client.PostFormAsync($"/article/{slug}", new Dictionary<string, string> { ["NewComment.Body"] = " " }, $"/article/{slug}/comments");
        var tooLong = await client.PostFormAsync($"/article/{slug}", new Dictionary<string, string> { ["NewComment.Body"] = typed }, $"/article/{slug}/comments");

        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Contains("Write something before posting.", await empty.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        var page = new HtmlParser().ParseDocument(await tooLong.Content.ReadAsStringAsync());
        Assert.Contains("at most 5,000 characters", page.Body!.TextContent);
        Assert.Equal(typed, page.GetElementById("NewComment_Body")?.TextContent.Trim());
        Assert.Contains("An earlier comment", page.QuerySelector(".comments")!.TextContent);
    }

    [Fact]
    public async Task ReaderReportsACommentOnceWithAReason()
    {
        var author = await factory.CreateUserAsync(Unique("ra") + "@test.local");
        var reporter = await factory.CreateUserAsync(Unique("rr") + "@test.local");
        var (articleId, slug) = await PublishAsync(factory, "Report target", "Body");
        using var a = await factory.CreateLoggedInClientAsync(author.Email!);
        using var r = await factory.CreateLoggedInClientAsync(reporter.Email!);
        await a.PostFormAsync($"/article/{slug}", new Dictionary<string, string> { ["NewComment.Body"] = "Rude words" }, $"/article/{slug}/comments");
        var id = await factory.WithDbAsync(db => db.Comments.Where(c => c.ArticleId == articleId).Select(c => c.Id).SingleAsync());

        var noReason = await r.PostFormAsync($"/comments/{id}/report", new Dictionary<string, string> { ["Form.Reason"] = "" });
        await r.PostFormAsync($"/comments/{id}/report", new Dictionary<string, string> { ["Form.Reason"] = "Insults" });
        await r.PostFormAsync($"/comments/{id}/report", new Dictionary<string, string> { ["Form.Reason"] = "Insults again" });

        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.Contains("Say briefly what is wrong", await noReason.Content.ReadAsStringAsync());
        var (reports, count) = await factory.WithDbAsync(async db => (await db.CommentReports.CountAsync(x => x.CommentId == id), await db.Comments.Where(c => c.Id == id).Select(c => c.ReportCount).SingleAsync()));
        Assert.Equal(1, reports);
        Assert.Equal(1, count);
    }

    [Fact]
    public async Task AnonymousVisitorsCannotCommentAndSeeALoginLink()
    {
        var (_, slug) = await PublishAsync(factory, "Anon target", "Body");
        using var client = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var page = await client.GetStringAsync($"/article/{slug}");
        var post = await client.PostAsync($"/article/{slug}/comments", new FormUrlEncodedContent(new Dictionary<string, string> { ["NewComment.Body"] = "x" }));

        Assert.Contains("to rate, bookmark and comment", page);
        Assert.DoesNotContain("Post comment", page);
        Assert.True(post.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Redirect);
        if (post.StatusCode == HttpStatusCode.Redirect)
        {
            Assert.Contains("/account/login", post.Headers.Location!.ToString());
        }
    }

    [Fact]
    public async Task BlockedCommenterIsToldSo()
    {
        var user = await factory.CreateUserAsync(Unique("blk") + "@test.local");
        await factory.WithDbAsync(db => db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.CommentingBlocked, true)));
        var (_, slug) = await PublishAsync(factory, "Blocked target", "Body");
        using var client = await factory.CreateLoggedInClientAsync(user.Email!);

        var response = await client.PostFormAsync($"/article/{slug}", new Dictionary<string, string> { ["NewComment.Body"] = "hello" }, $"/article/{slug}/comments");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("blocked you from commenting", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task EditAndReportPagesRenderAndRejectEmptyInput()
    {
        var author = await factory.CreateUserAsync(Unique("ea") + "@test.local");
        var (articleId, slug) = await PublishAsync(factory, "Edit form target", "Body");
        using var client = await factory.CreateLoggedInClientAsync(author.Email!);
        await client.PostFormAsync($"/article/{slug}", new Dictionary<string, string> { ["NewComment.Body"] = "To be edited" }, $"/article/{slug}/comments");
        var id = await factory.WithDbAsync(db => db.Comments.Where(c => c.ArticleId == articleId).Select(c => c.Id).SingleAsync());

        var editPage = await client.GetStringAsync($"/comments/{id}/edit");
        var reportPage = await client.GetStringAsync($"/comments/{id}/report");
        var emptyEdit = await client.PostFormAsync($"/comments/{id}/edit", new Dictionary<string, string> { ["Form.Body"] = "" });
        var missing = await client.GetAsync("/comments/999999/report");

        Assert.Contains("To be edited", editPage);
        Assert.Contains("What is wrong with it?", reportPage);
        Assert.Equal(HttpStatusCode.BadRequest, emptyEdit.StatusCode);
        Assert.Contains("Write something before", await emptyEdit.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task CommentHiddenByAModeratorDisappearsFromTheCachedPage()
    {
        var author = await factory.CreateUserAsync(Unique("mod") + "@test.local");
        var (articleId, slug) = await PublishAsync(factory, "Moderated target", "Body");
        using var client = await factory.CreateLoggedInClientAsync(author.Email!);
        using var anonymous = factory.CreateClient();
        await client.PostFormAsync($"/article/{slug}", new Dictionary<string, string> { ["NewComment.Body"] = "Spam spam spam" }, $"/article/{slug}/comments");
        Assert.Contains("Spam spam spam", await anonymous.GetStringAsync($"/article/{slug}"));

        await factory.WithDbAsync(async db =>
        {
            var c = await db.Comments.SingleAsync(c => c.ArticleId == articleId);
            c.Status = CommentStatus.Hidden;
            await db.SaveChangesAsync();
        });

        Assert.DoesNotContain("Spam spam spam", await anonymous.GetStringAsync($"/article/{slug}"));
        Assert.DoesNotContain("Spam spam spam", await client.GetStringAsync($"/article/{slug}"));
    }
}
