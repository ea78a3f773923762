using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using NewsPush.Data;
using NewsPush.Data.Entities;

namespace NewsPush.Web.Reader;

public enum CommentResult { Ok, NotFound, Forbidden, Blocked, Invalid }

/// <summary>Comments with one level of replies. Bodies are Markdown with raw HTML off; only sanitized HTML is stored for display.</summary>
public sealed class CommentService(NewsPushDbContext db, MarkdownRenderer markdown, ReaderCache readerCache, IMemoryCache cache, TimeProvider clock)
{
    /// <summary>Comments on articles readers can see: once an article is unpublished, archived, scheduled again or its
    /// column hidden, its comments cannot be read, edited or reported by id (deleting one's own stays possible).</summary>
    private IQueryable<Comment> OnVisibleArticles()
    {
        var visible = db.Articles.PubliclyVisible(clock.GetUtcNow().UtcDateTime);
        return db.Comments.Where(c => visible.Any(a => a.Id == c.ArticleId));
    }

    private sealed record CommentRow(long Id, long? ParentId, string? AuthorId, string Name, string BodyHtml, DateTime CreatedAt, DateTime? EditedAt, CommentStatus Status);

    /// <summary>The article's threads for one reader; the rows are cached per article until a comment changes.</summary>
    public async Task<(IReadOnlyList<CommentViewModel> Threads, int Count)> ThreadsAsync(int articleId, string? userId, CancellationToken ct)
    {
        var rows = await cache.GetOrCreateAsync("comments:" + articleId, async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(60);
            entry.AddExpirationToken(readerCache.Token);
            return await db.Comments.AsNoTracking()
                .Where(c => c.ArticleId == articleId && (c.Status == CommentStatus.Visible || c.Status == CommentStatus.Deleted))
                .OrderBy(c => c.CreatedAt).Take(500)
                .Select(c => new CommentRow(c.Id, c.ParentId, c.AuthorId, c.Author == null || c.Author.DeletedAt != null ? "deleted user" : c.Author.DisplayName, c.BodyHtml, c.CreatedAt, c.EditedAt, c.Status))
                .ToListAsync(ct);
        }) ?? [];
        var models = rows.Select(c => c.Status == CommentStatus.Deleted
                ? new CommentViewModel(c.Id, c.ParentId, "", "", c.CreatedAt, null, false, true)
                : new CommentViewModel(c.Id, c.ParentId, c.Name, c.BodyHtml, c.CreatedAt, c.EditedAt, userId != null && c.AuthorId == userId, false))
            .ToDictionary(c => c.Id);
        var roots = new List<CommentViewModel>();
        foreach (var c in models.Values)
        {
            if (c.ParentId is { } p && models.TryGetValue(p, out var parent))
            {
                parent.Replies.Add(c);
            }
            else if (c.ParentId is null)
            {
                roots.Add(c);
            }
        }
        // A deleted comment stays only as the anchor of its replies.
        roots.RemoveAll(c => c.IsDeleted && c.Replies.All(r => r.IsDeleted));
        return (roots, rows.Count(r => r.Status == CommentStatus.Visible));
    }

    public async Task<(CommentResult Result, long Id)> AddAsync(string userId, int articleId, CommentFormModel form, CancellationToken ct)
    {
        if (await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => u.CommentingBlocked).FirstOrDefaultAsync(ct))
        {
            return (CommentResult.Blocked, 0);
        }
        if (form.ParentId is { } parentId)
        {
            // Replies attach to the thread's root, so threads stay one level deep.
            var parent = await db.Comments.AsNoTracking().Where(c => c.Id == parentId && c.ArticleId == articleId && c.Status == CommentStatus.Visible)
                .Select(c => new { c.Id, c.ParentId }).FirstOrDefaultAsync(ct);
            if (parent is null)
            {
                return (CommentResult.Invalid, 0);
            }
            form.ParentId = parent.ParentId ?? parent.Id;
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var comment = new Comment
        {
            ArticleId = articleId, AuthorId = userId, ParentId = form.ParentId, Body = form.Body.Trim(),
            BodyHtml = markdown.RenderComment(form.Body.Trim()), Status = CommentStatus.Visible, CreatedAt = now,
        };
        db.Comments.Add(comment);
        await db.SaveChangesAsync(ct);
        await db.Articles.Where(a => a.Id == articleId).ExecuteUpdateAsync(s => s.SetProperty(a => a.CommentCount, a => a.CommentCount + 1), ct);
        await readerCache.InvalidateAsync(ct);
        return (CommentResult.Ok, comment.Id);
    }

    /// <summary>The author's own, visible comment with its article, or null.</summary>
    public async Task<CommentEditViewModel?> ForEditAsync(long id, string userId, CancellationToken ct) =>
        await OnVisibleArticles().AsNoTracking().Where(c => c.Id == id && c.AuthorId == userId && c.Status == CommentStatus.Visible)
            .Select(c => new CommentEditViewModel(c.Id, c.Article!.Slug, c.Article.Title, new CommentFormModel { Body = c.Body, ParentId = c.ParentId }))
            .FirstOrDefaultAsync(ct);

    public async Task<(CommentResult Result, string? Slug)> EditAsync(long id, string userId, string body, CancellationToken ct)
    {
        var comment = await OnVisibleArticles().Include(c => c.Article).FirstOrDefaultAsync(c => c.Id == id && c.Status == CommentStatus.Visible, ct);
        if (comment is null)
        {
            return (CommentResult.NotFound, null);
        }
        if (comment.AuthorId != userId)
        {
            return (CommentResult.Forbidden, null);
        }
        comment.Body = body.Trim();
        comment.BodyHtml = markdown.RenderComment(comment.Body);
        comment.EditedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
        await readerCache.InvalidateAsync(ct);
        return (CommentResult.Ok, comment.Article!.Slug);
    }

    public async Task<(CommentResult Result, string? Slug)> DeleteAsync(long id, string userId, CancellationToken ct)
    {
        var comment = await db.Comments.Include(c => c.Article).FirstOrDefaultAsync(c => c.Id == id && c.Status == CommentStatus.Visible, ct);
        if (comment is null)
        {
            return (CommentResult.NotFound, null);
        }
        if (comment.AuthorId != userId)
        {
            return (CommentResult.Forbidden, null);
        }
        // Soft delete keeps replies attached; the text is gone.
        comment.Status = CommentStatus.Deleted;
        comment.Body = "";
        comment.BodyHtml = "";
        await db.SaveChangesAsync(ct);
        await db.Articles.Where(a => a.Id == comment.ArticleId).ExecuteUpdateAsync(s => s.SetProperty(a => a.CommentCount, a => a.CommentCount - 1), ct);
        await readerCache.InvalidateAsync(ct);
        return (CommentResult.Ok, comment.Article!.Slug);
    }

    public async Task<ReportViewModel?> ForReportAsync(long id, CancellationToken ct) =>
        await OnVisibleArticles().AsNoTracking().Where(c => c.Id == id && c.Status == CommentStatus.Visible)
            .Select(c => new ReportViewModel(c.Id, c.Article!.Slug, c.BodyHtml, new ReportFormModel())).FirstOrDefaultAsync(ct);

    /// <summary>Records the report once per reader; the moderation queue sees the count.</summary>
    public async Task<CommentResult> ReportAsync(long id, string userId, string reason, CancellationToken ct)
    {
        if (!await OnVisibleArticles().AnyAsync(c => c.Id == id && c.Status == CommentStatus.Visible, ct))
        {
            return CommentResult.NotFound;
        }
        if (await db.CommentReports.AnyAsync(r => r.CommentId == id && r.ReporterId == userId, ct))
        {
            return CommentResult.Ok;
        }
        db.CommentReports.Add(new CommentReport { CommentId = id, ReporterId = userId, Reason = reason.Trim(), CreatedAt = clock.GetUtcNow().UtcDateTime });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            return CommentResult.Ok;
        }
        await db.Comments.Where(c => c.Id == id).ExecuteUpdateAsync(s => s.SetProperty(c => c.ReportCount, c => c.ReportCount + 1), ct);
        return CommentResult.Ok;
    }
}
