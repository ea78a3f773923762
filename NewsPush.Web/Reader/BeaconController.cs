using System.Text.Json;
using NewsPush.Web.Infrastructure;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace NewsPush.Web.Reader;

public sealed record BeaconEvent(string? Type, int? ArticleId, int[]? ArticleIds, double? Seconds, string? Source);

/// <summary>
/// Receives site.js's interaction beacons (impressions of list items, dwell time). The action does its checks in the
/// order of their cost, before it reads a byte of the body: anonymous beacons are ignored (204), then the reader's and
/// the address's rate limits (429), the content type (415), the antiforgery header of a cookie-authenticated call (400),
/// the size (413, <see cref="BeaconOptions.MaxBodyBytes"/>, also while reading a body sent without a length), and the
/// number of events (400).
/// </summary>
[ApiController]
[IgnoreAntiforgeryToken] // checked below for cookie calls, after the cheaper checks (the site-wide form check would refuse anonymous beacons)
public sealed class BeaconController(ReaderActivityService activity, BeaconLimiter limiter, IOptions<BeaconOptions> options) : ControllerBase
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { MaxDepth = 4 };

    [HttpPost("/beacon")]
    public async Task<IActionResult> Post(CancellationToken ct)
    {
        var o = options.Value;
        if (HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            // One byte more than the limit, so the read below notices a long body before the server's own limit throws.
            size.MaxRequestBodySize = o.MaxBodyBytes + 1;
        }
        var userId = User.UserId();
        if (userId is null)
        {
            return NoContent();
        }
        if (await limiter.RefuseAsync(userId, HttpContext.Connection.RemoteIpAddress?.ToString()) is { } wait)
        {
            Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many beacons.", detail: "Slow down; interactions are sampled, nothing is lost that matters.");
        }
        if (Request.GetTypedHeaders().ContentType is not { } type || !type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Send JSON.", detail: "A beacon is an application/json body.");
        }
        if (!await AntiforgeryForCookies.IsValidAsync(HttpContext))
        {
            return Problem(statusCode: StatusCodes.Status400BadRequest, title: "The antiforgery token is missing or invalid.", detail: "Reload the page and try again.");
        }
        if (Request.ContentLength > o.MaxBodyBytes)
        {
            return TooLarge(o);
        }
        var body = await ReadAtMostAsync(Request.Body, o.MaxBodyBytes, ct);
        if (body is null)
        {
            return TooLarge(o);
        }
        BeaconEvent? e;
        try
        {
            e = JsonSerializer.Deserialize<BeaconEvent>(body, Json);
        }
        catch (JsonException)
        {
            return Problem(statusCode: StatusCodes.Status400BadRequest, title: "The beacon is not valid JSON.", detail: "Send an object such as {\"type\":\"dwell\",\"articleId\":1,\"seconds\":12}.");
        }
        if (e?.ArticleIds is { } ids && ids.Length > o.MaxEventsPerRequest)
        {
            return Problem(statusCode: StatusCodes.Status400BadRequest, title: "Too many events in one beacon.",
                detail: $"Send at most {o.MaxEventsPerRequest} article ids per beacon.");
        }
        switch (e?.Type)
        {
            case "impression" when e.ArticleIds is { Length: > 0 }:
                activity.RecordImpressions(userId, e.ArticleIds, e.Source);
                return NoContent();
            case "dwell" when e.ArticleId is { } id && e.Seconds is { } s && double.IsFinite(s) && s >= 0:
                activity.RecordDwell(userId, id, s);
                return NoContent();
            default:
                return Problem(statusCode: StatusCodes.Status400BadRequest, title: "Unknown beacon", detail: "Send type 'impression' with articleIds, or 'dwell' with articleId and seconds.");
        }
    }

    private ObjectResult TooLarge(BeaconOptions o) =>
        Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "The beacon is too large.", detail: $"A beacon has at most {o.MaxBodyBytes:N0} bytes.");

    /// <summary>The body, or null as soon as it is longer than <paramref name="limit"/> (nothing beyond limit + 1 bytes is read).</summary>
    private static async Task<byte[]?> ReadAtMostAsync(Stream body, int limit, CancellationToken ct)
    {
        var buffer = new byte[limit + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await body.ReadAsync(buffer.AsMemory(length), ct)) > 0)
        {
            length += read;
        }
        return length > limit ? null : buffer[..length];
    }
}
