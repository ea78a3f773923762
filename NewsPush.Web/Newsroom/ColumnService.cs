using NewsPush.Web.Infrastructure;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Web.Reader;

namespace NewsPush.Web.Newsroom;

public sealed record ColumnRow(int Id, string Name, string Slug, string Description, int SortOrder, bool IsHidden, int ArticleCount);

/// <summary>Columns: create, rename, reorder, hide. Every change drops the reader caches (menu, search filter, pages) on every node.</summary>
public sealed class ColumnService(NewsPushDbContext db, AuditLog audit, ReaderCache readerCache, TimeProvider clock)
{
    public Task<List<ColumnRow>> ListAsync(CancellationToken ct) =>
        db.Columns.AsNoTracking().OrderBy(c => c.SortOrder).ThenBy(c => c.Id)
            .Select(c => new ColumnRow(c.Id, c.Name, c.Slug, c.Description, c.SortOrder, c.IsHidden, c.Articles.Count))
            .ToListAsync(ct);

    public async Task<string?> CreateAsync(string name, string? slug, string? description, ClaimsPrincipal actor, CancellationToken ct)
    {
        slug = Slugs.FromText(string.IsNullOrWhiteSpace(slug) ? name : slug);
        if (slug.Length == 0)
        {
            return "Give the column a web address (slug) in latin letters or digits.";
        }
        if (await db.Columns.AnyAsync(c => c.Slug == slug, ct))
        {
            return $"A column with the address '{slug}' already exists.";
        }
        var order = (await db.Columns.MaxAsync(c => (int?)c.SortOrder, ct) ?? 0) + 10;
        var column = new Column { Name = name.Trim(), Slug = slug, Description = description?.Trim() ?? "", SortOrder = order, CreatedAt = clock.GetUtcNow().UtcDateTime };
        db.Columns.Add(column);
        await db.SaveChangesAsync(ct);
        audit.Add(actor, "column.created", nameof(Column), column.Id.ToString(), column.Name);
        await SaveAsync(ct);
        return null;
    }

    public async Task<string?> RenameAsync(int id, string name, string? description, ClaimsPrincipal actor, CancellationToken ct)
    {
        var column = await db.Columns.FindAsync([id], ct);
        if (column is null)
        {
            return "The column does not exist.";
        }
        var old = column.Name;
        column.Name = name.Trim();
        column.Description = description?.Trim() ?? "";
        audit.Add(actor, "column.renamed", nameof(Column), column.Id.ToString(), $"{old} → {column.Name}");
        await SaveAsync(ct);
        return null;
    }

    /// <summary>Swaps the column with its neighbour above (<paramref name="offset"/> = -1) or below (+1).</summary>
    public async Task<string?> MoveAsync(int id, int offset, ClaimsPrincipal actor, CancellationToken ct)
    {
        var columns = await db.Columns.OrderBy(c => c.SortOrder).ThenBy(c => c.Id).ToListAsync(ct);
        var index = columns.FindIndex(c => c.Id == id);
        if (index < 0)
        {
            return "The column does not exist.";
        }
        var other = index + Math.Sign(offset);
        if (other < 0 || other >= columns.Count)
        {
            return null;
        }
        (columns[index], columns[other]) = (columns[other], columns[index]);
        for (var i = 0; i < columns.Count; i++)
        {
            columns[i].SortOrder = (i + 1) * 10;
        }
        audit.Add(actor, "column.reordered", nameof(Column), id.ToString(), offset < 0 ? "moved up" : "moved down");
        await SaveAsync(ct);
        return null;
    }

    public async Task<string?> SetHiddenAsync(int id, bool hidden, ClaimsPrincipal actor, CancellationToken ct)
    {
        var column = await db.Columns.FindAsync([id], ct);
        if (column is null)
        {
            return "The column does not exist.";
        }
        column.IsHidden = hidden;
        audit.Add(actor, hidden ? "column.hidden" : "column.shown", nameof(Column), column.Id.ToString(), column.Name);
        await SaveAsync(ct);
        return null;
    }

    private async Task SaveAsync(CancellationToken ct)
    {
        await db.SaveChangesAsync(ct);
        // The column's name and order are on every reader page (menu, search filter, article and column pages), on every node.
        await readerCache.InvalidateAsync(ct);
    }
}
