using NewsPush.Data;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using NewsPush.Data.Entities;
using NewsPush.Web.Push;

namespace NewsPush.Web.WebPush;

/// <summary>
/// What the service worker receives (<c>wwwroot/sw.js</c> reads it): version 1 of a small JSON object. Links are
/// relative to the site; <see cref="Url"/> is the click-tracking link that records the click and redirects.
/// </summary>
public sealed record WebPushPayload(
    [property: JsonPropertyName("v")] int Version,
    string Kind,
    string Title,
    string Body,
    string Url,
    string? ArticleUrl,
    string Icon,
    string? Image,
    string Tag,
    int Badge,
    long Ts)
{
    /// <summary>RFC 8291: one record of at most 4,096 bytes on the wire leaves 3,993 bytes of plaintext.</summary>
    public const int MaxBytes = 3993;

    public const string Icon192 = "/icons/icon-192.png";

    // Only the service worker parses this JSON (never embedded in HTML), so non-ASCII text goes out as UTF-8 rather
    // than \uXXXX escapes: a Chinese title takes 3 bytes a character, not 6, of the 3,993.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The notification for one delivery: a digest opens its top story, a breaking push its story.</summary>
    public static WebPushPayload For(Delivery delivery, DeliveryContent content, int unread, DateTime now)
    {
        var story = content.Stories.Count > 0 ? content.Stories[0] : null;
        var articleUrl = story is null ? null : Slugs.ArticlePath(story.Slug);
        var target = articleUrl ?? (PushEndpoints.IsLocal(content.Url) ? content.Url! : "/");
        var url = story is null
            ? $"/t/c/{delivery.TrackingToken}?u={Uri.EscapeDataString(target)}"
            : $"/t/c/{delivery.TrackingToken}?a={story.ArticleId}&u={Uri.EscapeDataString(target)}";
        var (kind, tag) = content.Kind switch
        {
            DeliveryContentKind.Digest => ("digest", $"digest-{content.Id}"),
            DeliveryContentKind.Breaking => ("breaking", story is null ? $"breaking-{content.Id}" : $"story-{story.ArticleId}"),
            DeliveryContentKind.Test => ("test", "test"),
            DeliveryContentKind.WebPushExpiring => ("expiring", "expiring"),
            _ => (content.Kind.ToString().ToLowerInvariant(), $"{content.Kind.ToString().ToLowerInvariant()}-{content.Id}"),
        };
        return new WebPushPayload(1, kind, content.Title, content.Summary, url, articleUrl, Icon192, null, tag, Math.Max(unread, 0),
            new DateTimeOffset(now).ToUnixTimeMilliseconds());
    }

    /// <summary>
    /// The Web Push Topic (RFC 8030 §5.4: at most 32 base64url characters): a newer message on the same story replaces
    /// one the push service still holds for an offline browser.
    /// </summary>
    public static string? TopicFor(DeliveryContent content) => content.Kind switch
    {
        DeliveryContentKind.Digest => $"digest-{content.Id}",
        DeliveryContentKind.Breaking when content.Stories.Count > 0 => $"story-{content.Stories[0].ArticleId}",
        DeliveryContentKind.Breaking => $"breaking-{content.Id}",
        _ => null,
    };

    /// <summary>The UTF-8 JSON, the body (then the title) shortened with an ellipsis until it fits <see cref="MaxBytes"/>.</summary>
    public byte[] ToUtf8(int maxBytes = MaxBytes)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(this, Json);
        if (bytes.Length <= maxBytes)
        {
            return bytes;
        }
        var fixedPart = JsonSerializer.SerializeToUtf8Bytes(this with { Body = "", Title = "" }, Json).Length;
        var room = maxBytes - fixedPart;
        // The title keeps what the body leaves, but at least half the room; the body is what gets shortened first.
        var title = Shorten(Title, Math.Max(room / 2, room - EncodedLength(Body)));
        var body = Shorten(Body, room - EncodedLength(title));
        bytes = JsonSerializer.SerializeToUtf8Bytes(this with { Title = title, Body = body }, Json);
        while (bytes.Length > maxBytes && body.Length > 0)
        {
            body = Shorten(body, EncodedLength(body) - (bytes.Length - maxBytes) - 3);
            bytes = JsonSerializer.SerializeToUtf8Bytes(this with { Title = title, Body = body }, Json);
        }
        return bytes.Length <= maxBytes ? bytes : throw new InvalidOperationException("The notification does not fit a Web Push message even with an empty body.");
    }

    private static int EncodedLength(string s) => JsonSerializer.SerializeToUtf8Bytes(s, Json).Length - 2;

    /// <summary>At most <paramref name="maxBytes"/> of JSON-encoded text, cut at a whole character, ending in "…".</summary>
    public static string Shorten(string text, int maxBytes)
    {
        if (EncodedLength(text) <= maxBytes)
        {
            return text;
        }
        if (maxBytes < 4)
        {
            return "";
        }
        int lo = 0, hi = text.Length;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) / 2;
            var candidate = Cut(text, mid) + "…";
            if (EncodedLength(candidate) <= maxBytes)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return Cut(text, lo).TrimEnd() + "…";
    }

    /// <summary>The first <paramref name="length"/> chars, never splitting a surrogate pair.</summary>
    private static string Cut(string text, int length)
    {
        if (length > 0 && length < text.Length && char.IsHighSurrogate(text[length - 1]))
        {
            length--;
        }
        return text[..length];
    }
}
