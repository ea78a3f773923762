using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using NewsPush.Data;

namespace NewsPush.Web.Reader;

/// <summary>The column menu in the navigation bar; cached briefly, since every page shows it.</summary>
public sealed class ColumnMenuViewComponent(NewsPushDbContext db, IMemoryCache cache, ReaderCache readerCache) : ViewComponent
{
    private const string CacheKey = "column-menu";

    public async Task<IViewComponentResult> InvokeAsync()
    {
        var items = await cache.GetOrCreateAsync(CacheKey, async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(30);
            entry.AddExpirationToken(readerCache.Token);
            return await db.Columns.AsNoTracking().Where(c => !c.IsHidden).OrderBy(c => c.SortOrder)
                .Select(c => new ColumnMenuItem(c.Name, c.Slug)).ToListAsync();
        });
        return View(items);
    }
}

public sealed record ColumnMenuItem(string Name, string Slug);
