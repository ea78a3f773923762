using NewsPush.Web.Infrastructure;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using NewsPush.Data;
using NewsPush.Data.Entities;

namespace NewsPush.Web.Newsroom;

public enum ModerationAction { Approve, Hide, Delete }

public sealed record ModerationItem(long Id, string BodyHtml, CommentStatus Status, int ReportCount, IReadOnlyList<string> Reasons, DateTime CreatedAt,
    string ArticleTitle, string ArticleSlug, string? AuthorId, string? AuthorName, bool AuthorBlocked);

/// <summary>The comment moderation queue: new (pending) comments and reported ones.</summary>
public sealed class ModerationService(NewsPushDbContext db, AuditLog audit, TimeProvider clock)
{
    public async Task<IReadOnlyList<ModerationItem>> QueueAsync(CancellationToken ct)
    {
        var rows = await db.Comments.AsNoTracking()
            .Where(c => c.Status == CommentStatus.Pending
                || (c.Status == CommentStatus.Visible && db.CommentReports.Any(r => r.CommentId == c.Id && r.ResolvedAt == null)))
            .OrderByDescending(c => c.ReportCount).ThenBy(c => c.CreatedAt)
            .Take(200)
            .Select(c => new
            {
                c.Id, c.BodyHtml, c.Status, c.ReportCount, c.CreatedAt, c.Article!.Title, c.Article.Slug, c.AuthorId,
                AuthorName = c.Author != null ? c.Author.DisplayName : null,
                Blocked = c.Author != null && c.Author.CommentingBlocked,
                Reasons = db.CommentReports.Where(r => r.CommentId == c.Id && r.ResolvedAt == null).Select(r => r.Reason).ToList(),
            })
            .ToListAsync(ct);
        return rows.Select(r => new ModerationItem(r.Id, r.BodyHtml, r.Status, r.ReportCount, r.Reasons, r.CreatedAt, r.Title, r.Slug, r.AuthorId, r.AuthorName, r.Blocked)).ToList();
    }

    public async Task<string?> ModerateAsync(long commentId, ModerationAction action, ClaimsPrincipal actor, CancellationToken ct)
    {
        var comment = await db.Comments.SingleOrDefaultAsync(c => c.Id == commentId, ct);
        if (comment is null)
        {
            return "The comment does not exist.";
        }
        var wasVisible = comment.Status == CommentStatus.Visible;
        comment.Status = action switch
        {
            ModerationAction.Approve => CommentStatus.Visible,
            ModerationAction.Hide => CommentStatus.Hidden,
            _ => CommentStatus.Deleted,
        };
        if (action == ModerationAction.Delete)
        {
            // The text goes; the row stays so replies keep their thread.
            comment.Body = "";
            comment.BodyHtml = "";
        }
        if (wasVisible != (comment.Status == CommentStatus.Visible))
        {
            await db.Articles.Where(a => a.Id == comment.ArticleId)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.CommentCount, a => a.CommentCount + (wasVisible ? -1 : 1)), ct);
        }
        var now = clock.GetUtcNow().UtcDateTime;
        await db.CommentReports.Where(r => r.CommentId == commentId && r.ResolvedAt == null).ForEachAsync(r => r.ResolvedAt = now, ct);
        audit.Add(actor, $"comment.{action.ToString().ToLowerInvariant()}", nameof(Comment), comment.Id.ToString());
        await db.SaveChangesAsync(ct);
        return null;
    }

    public async Task<string?> SetCommentingBlockedAsync(string userId, bool blocked, ClaimsPrincipal actor, CancellationToken ct)
    {
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == userId, ct);
        if (user is null)
        {
            return "The user does not exist.";
        }
        user.CommentingBlocked = blocked;
        audit.Add(actor, blocked ? "user.commenting-blocked" : "user.commenting-allowed", nameof(ApplicationUser), user.Id, user.Email);
        await db.SaveChangesAsync(ct);
        return null;
    }
}
