using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OutputCaching;

namespace NewsPush.Web.Reader;

/// <summary>Author pages: who wrote what. Only people with a published article have one (no way to list readers).</summary>
public sealed class AuthorsController(ArticleQueries queries) : Controller
{
    [HttpGet("/authors/{id}"), OutputCache(PolicyName = ReaderCache.Policy)]
    public async Task<IActionResult> Index(string id, int page = 1, CancellationToken ct = default)
    {
        if (id.Length > 100)
        {
            return NotFound();
        }
        var model = await queries.AuthorAsync(id, Math.Clamp(page, 1, 10_000), ct);
        return model is null ? NotFound() : View(model);
    }
}
