using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Web.Models;

namespace NewsPush.Web.Controllers;

public sealed class HomeController(NewsPushDbContext db) : Controller
{
    [HttpGet("/")]
    public async Task<IActionResult> Index(CancellationToken ct)
    {
        var columns = await db.Columns.AsNoTracking().Where(c => !c.IsHidden).OrderBy(c => c.SortOrder)
            .Select(c => new { c.Id, c.Name, c.Slug }).ToListAsync(ct);
        var sections = new List<ColumnSectionViewModel>();
        foreach (var column in columns)
        {
            var latest = await db.Articles.AsNoTracking()
                .Where(a => a.ColumnId == column.Id && a.Status == ArticleStatus.Published)
                .OrderByDescending(a => a.PublishedAt).Take(5)
                .Select(a => new ArticleCardViewModel(a.Id, a.Slug, a.Title, a.Summary, column.Name, column.Slug, a.PublishedAt))
                .ToListAsync(ct);
            sections.Add(new ColumnSectionViewModel(column.Name, column.Slug, latest));
        }
        return View(new HomeViewModel(sections));
    }

    [Route("/error/{code:int?}")]
    public IActionResult Error(int? code)
    {
        Response.StatusCode = code ?? 500;
        return View("Error", new ErrorViewModel(code ?? 500));
    }
}
