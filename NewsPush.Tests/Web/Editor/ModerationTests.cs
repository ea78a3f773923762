using System.Net;
using Microsoft.EntityFrameworkCore;
using NewsPush.Data.Entities;
using NewsPush.Tests.Infrastructure;

namespace NewsPush.Tests.Web.Editor;

public abstract class ModerationTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : NewsPushFactory
{
    private async Task<(long CommentId, string AuthorId, string Text)> ReportedCommentAsync(CommentStatus status = CommentStatus.Visible)
    {
        var author = await factory.CreateUserAsync($"{NewsroomTestExtensions.Unique("commenter")}@test.local");
        var reporter = await factory.CreateUserAsync($"{NewsroomTestExtensions.Unique("reporter")}@test.local");
        var text = NewsroomTestExtensions.Unique("Rude words");
        var id = await factory.WithDbAsync(async db =>
        {
            var article = await db.Articles.FirstAsync(a => a.Status == ArticleStatus.Published);
            var comment = new Comment { ArticleId = article.Id, AuthorId = author.Id, Body = text, BodyHtml = $"<p>{text}</p>", Status = status, CreatedAt = DateTime.UtcNow, ReportCount = status == CommentStatus.Visible ? 1 : 0 };
            db.Comments.Add(comment);
            await db.SaveChangesAsync();
            if (status == CommentStatus.Visible)
            {
                db.CommentReports.Add(new CommentReport { CommentId = comment.Id, ReporterId = reporter.Id, Reason = "abusive", CreatedAt = DateTime.UtcNow });
                await db.SaveChangesAsync();
            }
            return comment.Id;
        });
        return (id, author.Id, text);
    }

    [Theory]
    [InlineData("Approve", CommentStatus.Visible)]
    [InlineData("Hide", CommentStatus.Hidden)]
    [InlineData("Delete", CommentStatus.Deleted)]
    public async Task ReportedCommentIsQueuedAndLeavesTheQueueOnceModerated(string action, CommentStatus expected)
    {
        var (id, _, text) = await ReportedCommentAsync();
        using var editor = await factory.CreateLoggedInClientAsync(NewsPushFactory.EditorEmail);
        var queue = await editor.GetStringAsync("/editor/moderation");
        Assert.Contains(text, queue);
        Assert.Contains("abusive", queue);

        var response = await editor.PostFormAsync("/editor/moderation", new Dictionary<string, string> { ["action"] = action }, $"/editor/moderation/comments/{id}");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.DoesNotContain(text, await editor.GetStringAsync("/editor/moderation"));
        var comment = await factory.WithDbAsync(db => db.Comments.AsNoTracking().SingleAsync(c => c.Id == id));
        Assert.Equal(expected, comment.Status);
        Assert.Equal(expected == CommentStatus.Deleted ? "" : $"<p>{text}</p>", comment.BodyHtml);
        Assert.False(await factory.WithDbAsync(db => db.CommentReports.AnyAsync(r => r.CommentId == id && r.ResolvedAt == null)));
    }

    [Fact]
    public async Task NewPendingCommentIsQueuedAndApprovalMakesItVisible()
    {
        var (id, _, text) = await ReportedCommentAsync(CommentStatus.Pending);
        using var editor = await factory.CreateLoggedInClientAsync(NewsPushFactory.EditorEmail);
        Assert.Contains(text, await editor.GetStringAsync("/editor/moderation"));
        await editor.PostFormAsync("/editor/moderation", new Dictionary<string, string> { ["action"] = "Approve" }, $"/editor/moderation/comments/{id}");
        Assert.Equal(CommentStatus.Visible, await factory.WithDbAsync(db => db.Comments.Where(c => c.Id == id).Select(c => c.Status).SingleAsync()));
    }

    [Fact]
    public async Task StopsAUserCommentingAndAllowsAgain()
    {
        var (_, authorId, _) = await ReportedCommentAsync();
        using var editor = await factory.CreateLoggedInClientAsync(NewsPushFactory.EditorEmail);
        await editor.PostFormAsync("/editor/moderation", new Dictionary<string, string> { ["blocked"] = "true" }, $"/editor/moderation/users/{authorId}/commenting");
        Assert.True(await factory.WithDbAsync(db => db.Users.Where(u => u.Id == authorId).Select(u => u.CommentingBlocked).SingleAsync()));
        Assert.Contains("Allow commenting", await editor.GetStringAsync("/editor/moderation"));
        await editor.PostFormAsync("/editor/moderation", new Dictionary<string, string> { ["blocked"] = "false" }, $"/editor/moderation/users/{authorId}/commenting");
        Assert.False(await factory.WithDbAsync(db => db.Users.Where(u => u.Id == authorId).Select(u => u.CommentingBlocked).SingleAsync()));
    }
}

public sealed class SqliteModerationTests(SqliteFactory factory) : ModerationTests<SqliteFactory>(factory);

public sealed class PostgreSqlModerationTests(PostgreSqlFactory factory) : ModerationTests<PostgreSqlFactory>(factory);
