using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace NewsPush.Web.Devices.Fcm;

/// <summary>
/// The request body of FCM HTTP v1 messages:send for one <see cref="FcmNotification"/>. FCM refuses messages over
/// 4096 bytes, so the body (then the title) is cut at a grapheme boundary with "…" until the whole request fits.
/// </summary>
internal static class FcmMessage
{
    public const int MaxBytes = 4096;
    public const long MaxTtlSeconds = 28L * 24 * 3600;
    private const string Ellipsis = "…";

    // Not HTML: only what JSON itself needs is escaped, so the size counted here is close to the UTF-8 size FCM counts
    // (never smaller: characters outside the BMP are still escaped).
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The UTF-8 JSON body, or null with why FCM would refuse it whatever the title and body.</summary>
    public static byte[]? Write(FcmNotification n, out string? problem)
    {
        problem = ReservedKey(n.Data) is { } reserved ? $"The data key \"{reserved}\" is reserved by FCM." : null;
        if (problem is not null)
        {
            return null;
        }
        var titleMax = Encoding.UTF8.GetByteCount(n.Title);
        var bodyMax = Encoding.UTF8.GetByteCount(n.Body);
        for (var round = 0; round < 64; round++)
        {
            var bytes = Write(n, Clip(n.Title, titleMax), Clip(n.Body, bodyMax));
            var excess = bytes.Length - MaxBytes;
            if (excess <= 0)
            {
                return bytes;
            }
            if (bodyMax > 0)
            {
                bodyMax = Math.Max(0, bodyMax - excess);
            }
            else if (titleMax > 0)
            {
                titleMax = Math.Max(0, titleMax - excess);
            }
            else
            {
                break;
            }
        }
        problem = $"The message is over {MaxBytes} bytes even without title and body: its link, image or data are too long.";
        return null;
    }

    /// <summary>
    /// The longest prefix of whole graphemes that, with "…", takes at most <paramref name="maxBytes"/> UTF-8 bytes;
    /// the text itself when it fits; "" when not even "…" fits.
    /// </summary>
    public static string Clip(string text, int maxBytes)
    {
        if (Encoding.UTF8.GetByteCount(text) <= maxBytes)
        {
            return text;
        }
        var budget = maxBytes - Encoding.UTF8.GetByteCount(Ellipsis);
        if (budget < 0)
        {
            return "";
        }
        int end = 0, used = 0;
        while (end < text.Length)
        {
            var length = StringInfo.GetNextTextElementLength(text, end);
            var bytes = Encoding.UTF8.GetByteCount(text.AsSpan(end, length));
            if (used + bytes > budget)
            {
                break;
            }
            used += bytes;
            end += length;
        }
        return string.Concat(text.AsSpan(0, end).TrimEnd(), Ellipsis);
    }

    public static string Ttl(TimeSpan ttl) =>
        Math.Clamp((long)Math.Floor(ttl.TotalSeconds), 0, MaxTtlSeconds).ToString(CultureInfo.InvariantCulture) + "s";

    private static string? ReservedKey(IReadOnlyDictionary<string, string> data) =>
        data.Keys.FirstOrDefault(k => k is "from" or "message_type" or "collapse_key"
            || k.StartsWith("gcm.", StringComparison.Ordinal) || k.StartsWith("google.", StringComparison.Ordinal));

    private static byte[] Write(FcmNotification n, string title, string body)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteStartObject("message");
            w.WriteString("token", n.Token);
            w.WriteStartObject("notification");
            w.WriteString("title", title);
            w.WriteString("body", body);
            if (!string.IsNullOrEmpty(n.ImageUrl))
            {
                w.WriteString("image", n.ImageUrl);
            }
            w.WriteEndObject();
            w.WriteStartObject("data");
            w.WriteString("url", n.Link);
            foreach (var (key, value) in n.Data)
            {
                if (key != "url")
                {
                    w.WriteString(key, value ?? "");
                }
            }
            w.WriteEndObject();
            w.WriteStartObject("android");
            w.WriteString("collapse_key", n.CollapseKey);
            w.WriteString("priority", n.HighPriority ? "high" : "normal");
            w.WriteString("ttl", Ttl(n.TimeToLive));
            w.WriteStartObject("notification");
            w.WriteString("tag", n.CollapseKey);
            w.WriteNumber("notification_count", Math.Max(0, n.Badge));
            if (!string.IsNullOrEmpty(n.ImageUrl))
            {
                w.WriteString("image", n.ImageUrl);
            }
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}

internal static class FcmText
{
    /// <summary>At most <paramref name="max"/> characters of one line, for details an admin reads.</summary>
    public static string Clip(string? text, int max)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return "";
        }
        var line = text.ReplaceLineEndings(" ").Trim();
        return line.Length <= max ? line : FcmMessage.Clip(line, Encoding.UTF8.GetByteCount(line[..max]));
    }
}
