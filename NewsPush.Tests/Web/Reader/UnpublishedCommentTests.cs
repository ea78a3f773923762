using System.Net;
using Microsoft.EntityFrameworkCore;
using NewsPush.Data.Entities;
using NewsPush.Tests.Infrastructure;
using static NewsPush.Tests.Web.Reader.ReaderTestData;

namespace NewsPush.Tests.Web.Reader;

/// <summary>Once its article is withdrawn, a comment is not readable through its report or edit page.</summary>
public abstract class UnpublishedCommentTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : AbuseFactory
{
    private async Task<(long CommentId, int ArticleId, HttpClient Author, HttpClient Other)> CommentOnAnArticleAsync(string text)
    {
        var author = await factory.CreateUserAsync(Unique("ua") + "@test.local");
        var other = await factory.CreateUserAsync(Unique("uo") + "@test.local");
        var (articleId, slug) = await factory.PublishAsync("Soon withdrawn " + text);
        var a = await factory.CreateLoggedInClientAsync(author.Email!);
        var o = await factory.CreateLoggedInClientAsync(other.Email!);
        Assert.Equal(HttpStatusCode.Redirect,
            (await a.PostFormAsync($"/article/{slug}", new Dictionary<string, string> { ["NewComment.Body"] = text }, $"/article/{slug}/comments")).StatusCode);
        var id = await factory.WithDbAsync(db => db.Comments.Where(c => c.ArticleId == articleId).Select(c => c.Id).SingleAsync());
        // Readable while the article is public.
        Assert.Contains(text, await o.GetStringAsync($"/comments/{id}/report"), StringComparison.Ordinal);
        return (id, articleId, a, o);
    }

    public static TheoryData<string> Withdrawals() => ["draft", "archived", "scheduled", "hidden column"];

    [Theory]
    [MemberData(nameof(Withdrawals))]
    public async Task ReportAndEditPagesOfACommentOnAWithdrawnArticleAreNotFound(string withdrawal)
    {
        var text = "Secret remark " + Unique("c");
        var (id, articleId, author, other) = await CommentOnAnArticleAsync(text);
        using var _ = author;
        using var __ = other;
        await factory.WithDbAsync(async db =>
        {
            var article = await db.Articles.Include(a => a.Column).SingleAsync(a => a.Id == articleId);
            switch (withdrawal)
            {
                case "draft": article.Status = ArticleStatus.Draft; break;
                case "archived": article.Status = ArticleStatus.Archived; break;
                case "scheduled": article.PublishedAt = factory.Clock.Now.UtcDateTime.AddDays(1); break;
                default: article.Column = new Column { Name = "Hidden " + Unique("h"), Slug = Unique("h"), IsHidden = true, SortOrder = 10_000 }; break;
            }
            await db.SaveChangesAsync();
        });

        var report = await other.GetAsync($"/comments/{id}/report");
        var posted = await other.PostFormAsync("/preferences", new Dictionary<string, string> { ["Form.Reason"] = "Insults" }, $"/comments/{id}/report");
        var edit = await author.GetAsync($"/comments/{id}/edit");

        Assert.Equal(HttpStatusCode.NotFound, report.StatusCode);
        Assert.DoesNotContain(text, await report.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, posted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, edit.StatusCode);
        Assert.DoesNotContain(text, await edit.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await factory.WithDbAsync(db => db.CommentReports.CountAsync(r => r.CommentId == id)));
    }

    [Fact]
    public async Task AuthorCanStillDeleteTheirCommentOnAWithdrawnArticle()
    {
        var (id, articleId, author, other) = await CommentOnAnArticleAsync("Take it back " + Unique("d"));
        using var _ = author;
        using var __ = other;
        await factory.WithDbAsync(db => db.Articles.Where(a => a.Id == articleId).ExecuteUpdateAsync(s => s.SetProperty(a => a.Status, ArticleStatus.Draft)));

        var deleted = await author.PostFormAsync("/preferences", new Dictionary<string, string>(), $"/comments/{id}/delete");

        Assert.Equal(HttpStatusCode.Redirect, deleted.StatusCode);
        Assert.Equal(CommentStatus.Deleted, await factory.WithDbAsync(db => db.Comments.Where(c => c.Id == id).Select(c => c.Status).SingleAsync()));
    }
}

public sealed class SqliteUnpublishedCommentTests(AbuseSqliteFactory factory) : UnpublishedCommentTests<AbuseSqliteFactory>(factory);

public sealed class PostgreSqlUnpublishedCommentTests(AbusePostgreSqlFactory factory) : UnpublishedCommentTests<AbusePostgreSqlFactory>(factory);
