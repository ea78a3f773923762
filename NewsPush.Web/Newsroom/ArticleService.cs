using NewsPush.Web.Infrastructure;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using NewsPush.Data;
using NewsPush.Data.Entities;

namespace NewsPush.Web.Newsroom;

public sealed record ArticleListQuery(ArticleStatus? Status, int? ColumnId, string? AuthorId, string? Text, int Page = 1)
{
    /// <summary>When set, other authors' drafts are left out (they are private until submitted).</summary>
    public string? DraftsOnlyOf { get; init; }
}

public sealed record ArticleListRow(int Id, string Title, string Slug, ArticleStatus Status, string ColumnName, string? AuthorName, DateTime UpdatedAt, DateTime? ScheduledAt, DateTime? PublishedAt);

public sealed record ArticleInput(string Title, string Summary, string BodyMarkdown, int ColumnId, string Tags, string Language)
{
    /// <summary>The address the editor typed (made into a slug by <see cref="Slugs.FromText"/>); null or empty keeps or makes one.</summary>
    public string? Slug { get; init; }
}

/// <summary>The editor's desk: listing, writing and editing articles (status changes go through <see cref="PublishingService"/>).</summary>
public sealed class ArticleService(NewsPushDbContext db, AuditLog audit, TimeProvider clock)
{
    public const int PageSize = 25;

    public async Task<(IReadOnlyList<ArticleListRow> Rows, int Total)> ListAsync(ArticleListQuery q, CancellationToken ct)
    {
        var query = db.Articles.AsNoTracking();
        if (q.DraftsOnlyOf is { } me) { query = query.Where(a => a.Status != ArticleStatus.Draft || a.AuthorId == me); }
        if (q.Status is { } status) { query = query.Where(a => a.Status == status); }
        if (q.ColumnId is { } columnId) { query = query.Where(a => a.ColumnId == columnId); }
        if (!string.IsNullOrEmpty(q.AuthorId)) { query = query.Where(a => a.AuthorId == q.AuthorId); }
        if (!string.IsNullOrWhiteSpace(q.Text))
        {
            var text = q.Text.Trim().ToLower();
#pragma warning disable CA1862 // translated to SQL LOWER(...) LIKE, not run in memory
            query = query.Where(a => a.Title.ToLower().Contains(text) || a.Summary.ToLower().Contains(text));
#pragma warning restore CA1862
        }
        var total = await query.CountAsync(ct);
        var page = Math.Max(1, q.Page);
        var rows = await query.OrderByDescending(a => a.UpdatedAt).ThenByDescending(a => a.Id)
            .Skip((page - 1) * PageSize).Take(PageSize)
            .Select(a => new ArticleListRow(a.Id, a.Title, a.Slug, a.Status, a.Column!.Name, a.Author != null ? a.Author.DisplayName : null, a.UpdatedAt, a.ScheduledAt, a.PublishedAt))
            .ToListAsync(ct);
        return (rows, total);
    }

    public Task<Article?> FindAsync(int id, CancellationToken ct) =>
        db.Articles.AsNoTracking().Include(a => a.Tags).ThenInclude(t => t.Tag).Include(a => a.Column).SingleOrDefaultAsync(a => a.Id == id, ct);

    /// <summary>The first problem with <paramref name="input"/> for article <paramref name="id"/> (null for a new one), or null.</summary>
    public async Task<string?> ValidateAsync(ArticleInput input, CancellationToken ct, int? id = null)
    {
        if (!await db.Columns.AnyAsync(c => c.Id == input.ColumnId, ct))
        {
            return "Choose a column.";
        }
        if (!string.IsNullOrWhiteSpace(input.Slug))
        {
            var slug = Slugs.FromText(input.Slug);
            if (slug.Length == 0)
            {
                return "The address needs at least one letter or digit (Latin, Chinese, Japanese or Korean).";
            }
            if (await db.Articles.AnyAsync(a => a.Slug == slug && a.Id != id, ct))
            {
                return $"Another article already has the address /article/{slug}: choose another.";
            }
        }
        return null;
    }

    public async Task<int> CreateAsync(ArticleInput input, ClaimsPrincipal author, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var article = new Article
        {
            AuthorId = author.UserId(),
            Status = ArticleStatus.Draft,
            CreatedAt = now,
            Slug = string.IsNullOrWhiteSpace(input.Slug) ? await UniqueSlugAsync(input.Title, null, ct) : Slugs.FromText(input.Slug),
        };
        await ApplyAsync(article, input, now, ct);
        db.Articles.Add(article);
        await db.SaveChangesAsync(ct);
        audit.Add(author, "article.created", nameof(Article), article.Id.ToString(), article.Title);
        await db.SaveChangesAsync(ct);
        return article.Id;
    }

    /// <summary>Saves an edit; archived articles are read-only until restored.</summary>
    public async Task<string?> UpdateAsync(int id, ArticleInput input, ClaimsPrincipal editor, CancellationToken ct)
    {
        var article = await db.Articles.Include(a => a.Tags).SingleOrDefaultAsync(a => a.Id == id, ct);
        if (article is null)
        {
            return "The article does not exist.";
        }
        if (article.Status == ArticleStatus.Archived)
        {
            return "Archived articles cannot be edited. Restore it as a draft first.";
        }
        var slug = string.IsNullOrWhiteSpace(input.Slug) ? article.Slug : Slugs.FromText(input.Slug);
        if (slug != article.Slug)
        {
            if (article.PublishedAt is not null)
            {
                return "The address of a published article stays as it is, so links to it keep working.";
            }
            article.Slug = slug;
        }
        await ApplyAsync(article, input, clock.GetUtcNow().UtcDateTime, ct);
        audit.Add(editor, "article.edited", nameof(Article), article.Id.ToString(), article.Title);
        await db.SaveChangesAsync(ct);
        return null;
    }

    private async Task ApplyAsync(Article article, ArticleInput input, DateTime now, CancellationToken ct)
    {
        article.Title = input.Title.Trim();
        article.Summary = input.Summary?.Trim() ?? "";
        article.BodyMarkdown = input.BodyMarkdown ?? "";
        article.ColumnId = input.ColumnId;
        article.Language = string.IsNullOrWhiteSpace(input.Language) ? "en" : input.Language.Trim();
        article.UpdatedAt = now;

        var wanted = (input.Tags ?? "").Split([',', '，'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(t => (Name: t, Slug: Slugs.ForTag(t)))
            .Where(t => t.Slug.Length > 0)
            .DistinctBy(t => t.Slug)
            .Take(10)
            .ToList();
        var slugs = wanted.Select(t => t.Slug).ToList();
        var existing = await db.Tags.Where(t => slugs.Contains(t.Slug)).ToDictionaryAsync(t => t.Slug, ct);
        var keepIds = existing.Values.Select(t => t.Id).ToHashSet();
        article.Tags.RemoveAll(at => !keepIds.Contains(at.TagId));
        foreach (var (name, slug) in wanted)
        {
            if (existing.TryGetValue(slug, out var tag))
            {
                if (article.Tags.All(at => at.TagId != tag.Id))
                {
                    article.Tags.Add(new ArticleTag { TagId = tag.Id });
                }
            }
            else
            {
                article.Tags.Add(new ArticleTag { Tag = new Tag { Name = name, Slug = slug } });
            }
        }
    }

    private async Task<string> UniqueSlugAsync(string title, int? exceptId, CancellationToken ct)
    {
        var baseSlug = Slugs.FromText(title);
        if (baseSlug.Length == 0)
        {
            baseSlug = "article-" + Guid.NewGuid().ToString("N")[..8];
        }
        var slug = baseSlug;
        for (var n = 2; await db.Articles.AnyAsync(a => a.Slug == slug && a.Id != exceptId, ct); n++)
        {
            slug = Slugs.Numbered(baseSlug, n);
        }
        return slug;
    }
}
