using NewsPush.Web.Infrastructure;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.AspNetCore.Mvc;

namespace NewsPush.Web.Reader;

public sealed class HomeController(ArticleQueries queries) : Controller
{
    [HttpGet("/"), OutputCache(PolicyName = ReaderCache.Policy)]
    public async Task<IActionResult> Index(CancellationToken ct) =>
        View(await queries.FrontPageAsync(User.UserId(), ct));

    [Route("/error/{code:int?}")]
    [IgnoreAntiforgeryToken]
    public IActionResult Error(int? code)
    {
        Response.StatusCode = code ?? 500;
        return View("Error", new ErrorViewModel(code ?? 500));
    }
}
