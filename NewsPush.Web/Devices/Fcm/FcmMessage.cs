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

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The UTF-8 JSON body, or null with why FCM would refuse it whatever the title and body.</summary>
    public static byte[]? Write(FcmNotification n, out string? problem)
    {
        problem = ReservedKey(n.Data) is { } reserved ? $"The data key \"{reserved}\" is reserved by FCM." : null;
        if (problem is not null)
        {
            return null;
        }
        var bytes = Write(n, n.Title, n.Body);
        if (bytes.Length <= MaxBytes)
        {
            return bytes;
        }
        // The longest body (in whole graphemes, with "…") that fits; without a body, the longest such title.
        bytes = Longest(n.Body, body => Write(n, n.Title, body)) ?? Longest(n.Title, title => Write(n, title, ""));
        if (bytes is null)
        {
            problem = $"The message is over {MaxBytes} bytes even without title and body: its link, image or data are too long.";
        }
        return bytes;
    }

    /// <summary>The largest body <paramref name="write"/> makes within <see cref="MaxBytes"/> from a prefix of <paramref name="text"/> and "…"; null if none fits.</summary>
    private static byte[]? Longest(string text, Func<string, byte[]> write)
    {
        var starts = StringInfo.ParseCombiningCharacters(text);
        string Prefix(int graphemes) => graphemes == 0 ? "" : string.Concat(text.AsSpan(0, starts[graphemes]).TrimEnd(), Ellipsis);
        byte[]? best = null;
        int low = 0, high = starts.Length - 1;
        while (low <= high)
        {
            var mid = low + ((high - low) / 2);
            var bytes = write(Prefix(mid));
            if (bytes.Length <= MaxBytes)
            {
                best = bytes;
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }
        return best;
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

    /// <summary>
    /// A string value escaped only where JSON requires (quote, backslash, control characters), as JavaScript's
    /// JSON.stringify does, so the size counted here is the size FCM counts (the library's encoders escape every
    /// character outside the BMP, which would triple an emoji's size and clip more than needed).
    /// </summary>
    private static void Text(Utf8JsonWriter w, string name, string value)
    {
        var json = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            _ = c switch
            {
                '"' => json.Append("\\\""),
                '\\' => json.Append("\\\\"),
                '\n' => json.Append("\\n"),
                '\r' => json.Append("\\r"),
                '\t' => json.Append("\\t"),
                < ' ' => json.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)),
                _ => json.Append(c),
            };
        }
        w.WritePropertyName(name);
        // Lone surrogates become U+FFFD here, which keeps the body valid UTF-8.
        w.WriteRawValue(Encoding.UTF8.GetBytes(json.Append('"').ToString()), skipInputValidation: true);
    }

    private static byte[] Write(FcmNotification n, string title, string body)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteStartObject("message");
            Text(w, "token", n.Token);
            w.WriteStartObject("notification");
            Text(w, "title", title);
            Text(w, "body", body);
            if (!string.IsNullOrEmpty(n.ImageUrl))
            {
                Text(w, "image", n.ImageUrl);
            }
            w.WriteEndObject();
            w.WriteStartObject("data");
            Text(w, "url", n.Link);
            foreach (var (key, value) in n.Data)
            {
                if (key != "url")
                {
                    Text(w, key, value ?? "");
                }
            }
            w.WriteEndObject();
            w.WriteStartObject("android");
            Text(w, "collapse_key", n.CollapseKey);
            Text(w, "priority", n.HighPriority ? "high" : "normal");
            Text(w, "ttl", Ttl(n.TimeToLive));
            w.WriteStartObject("notification");
            Text(w, "tag", n.CollapseKey);
            w.WriteNumber("notification_count", Math.Max(0, n.Badge));
            if (!string.IsNullOrEmpty(n.ImageUrl))
            {
                Text(w, "image", n.ImageUrl);
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
