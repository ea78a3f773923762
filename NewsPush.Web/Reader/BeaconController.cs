using NewsPush.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;

namespace NewsPush.Web.Reader;

public sealed record BeaconEvent(string? Type, int? ArticleId, int[]? ArticleIds, double? Seconds, string? Source);

/// <summary>
/// Receives site.js's interaction beacons (impressions of list items, dwell time). JSON only, same-origin
/// (a cross-site form cannot send application/json), so no antiforgery token; anonymous beacons are ignored.
/// </summary>
[ApiController]
[IgnoreAntiforgeryToken]
public sealed class BeaconController(ReaderActivityService activity) : ControllerBase
{
    [HttpPost("/beacon"), Consumes("application/json")]
    public async Task<IActionResult> Post(BeaconEvent e, CancellationToken ct)
    {
        var userId = User.UserId();
        if (userId is null)
        {
            return NoContent();
        }
        switch (e.Type)
        {
            case "impression" when e.ArticleIds is { Length: > 0 }:
                activity.RecordImpressions(userId, e.ArticleIds, e.Source);
                return NoContent();
            case "dwell" when e.ArticleId is { } id && e.Seconds is { } s && double.IsFinite(s) && s >= 0:
                await activity.RecordDwellAsync(userId, id, s, ct);
                return NoContent();
            default:
                return Problem(statusCode: StatusCodes.Status400BadRequest, title: "Unknown beacon", detail: "Send type 'impression' with articleIds, or 'dwell' with articleId and seconds.");
        }
    }
}
