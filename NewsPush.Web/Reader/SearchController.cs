using NewsPush.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using NewsPush.Web.Reader.Search;

namespace NewsPush.Web.Reader;

public sealed class SearchController(ArticleSearchService search, ArticleQueries queries) : Controller
{
    [HttpGet("/search")]
    public async Task<IActionResult> Index(SearchQueryModel query, CancellationToken ct)
    {
        var columns = await queries.ColumnLinksAsync(ct);
        string? message = null;
        if (!ModelState.IsValid)
        {
            message = string.Join(" ", ModelState.Values.SelectMany(v => v.Errors).Select(e =>
                e.ErrorMessage.Contains("is not valid", StringComparison.Ordinal) || string.IsNullOrEmpty(e.ErrorMessage) ? "Dates look like 2026-01-31." : e.ErrorMessage).Distinct());
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return View(new SearchPageViewModel(query, null, columns, message, null));
        }
        if (query.From is { } from && query.To is { } to && from > to)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return View(new SearchPageViewModel(query, null, columns, "The start date is after the end date.", null));
        }
        if (string.IsNullOrWhiteSpace(query.Q))
        {
            return View(new SearchPageViewModel(query, null, columns, null, null));
        }
        if (TextSegmenter.QueryTerms(query.Q).Count == 0)
        {
            return View(new SearchPageViewModel(query, null, columns, "Search for words or names; punctuation and symbols alone find nothing.", null));
        }
        if (query.Column is { Length: > 0 } c && columns.All(x => x.Slug != c))
        {
            query.Column = null;
        }
        var results = await search.SearchAsync(new SearchRequest(query.Q, query.Column, query.From, query.To, query.Page), ct);
        var baseUrl = "/search?q=" + Uri.EscapeDataString(query.Q) + (query.Column is null ? "" : "&column=" + Uri.EscapeDataString(query.Column))
            + (query.From is null ? "" : "&from=" + query.From.Value.ToString("yyyy-MM-dd")) + (query.To is null ? "" : "&to=" + query.To.Value.ToString("yyyy-MM-dd"));
        return View(new SearchPageViewModel(query, results, columns, null, new PagerViewModel(results.Page, results.PageCount, baseUrl)));
    }
}
