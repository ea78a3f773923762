using Microsoft.AspNetCore.Mvc;

namespace NewsPush.Web.Reader;

[Route("feeds")]
public sealed class FeedsController(FeedService feeds) : Controller
{
    [HttpGet("column/{slug}.rss")]
    public async Task<IActionResult> ColumnRss(string slug, CancellationToken ct) =>
        await feeds.ColumnFeedAsync(slug, "rss", ct) is { } feed ? Content(feeds.Rss(feed), "application/rss+xml; charset=utf-8") : NotFound();

    [HttpGet("column/{slug}.atom")]
    public async Task<IActionResult> ColumnAtom(string slug, CancellationToken ct) =>
        await feeds.ColumnFeedAsync(slug, "atom", ct) is { } feed ? Content(feeds.Atom(feed), "application/atom+xml; charset=utf-8") : NotFound();

    [HttpGet("me/{token}.atom")]
    public async Task<IActionResult> Personal(string token, CancellationToken ct)
    {
        var feed = await feeds.PersonalFeedAsync(token, ct);
        if (feed is null)
        {
            return NotFound();
        }
        Response.Headers.CacheControl = "private, no-store";
        Response.Headers["X-Robots-Tag"] = "noindex";
        return Content(feeds.Atom(feed), "application/atom+xml; charset=utf-8");
    }
}
