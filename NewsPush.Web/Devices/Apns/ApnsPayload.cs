using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace NewsPush.Web.Devices.Apns;

/// <summary>The JSON APNs shows (<c>aps</c> plus the app's keys) and the collapse id, within Apple's limits.</summary>
internal static class ApnsPayload
{
    public const int MaxBytes = 4096;
    public const int MaxCollapseIdBytes = 64;
    private const string Ellipsis = "…";

    // Non-ASCII text stays UTF-8 (the default encoder would write CJK as \uXXXX, twice the bytes); APNs is no HTML page.
    private static readonly JsonWriterOptions Writer = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The payload, with the body (then the title) cut at a character boundary and "…" added until it fits; null when even that does not.</summary>
    public static byte[]? Build(ApnsNotification n)
    {
        var full = Write(n, n.Title, n.Body);
        if (full.Length <= MaxBytes)
        {
            return full;
        }
        var body = Clip(n.Body, b => Write(n, n.Title, b).Length <= MaxBytes);
        if (body is not null)
        {
            return Write(n, n.Title, body);
        }
        var title = Clip(n.Title, t => Write(n, t, "").Length <= MaxBytes);
        return title is null ? null : Write(n, title, "");
    }

    /// <summary>The collapse id as sent: itself when it fits in 64 bytes, else the hex SHA-256 of it (64 characters, the same every time).</summary>
    public static string CollapseId(string id) =>
        Encoding.UTF8.GetByteCount(id) <= MaxCollapseIdBytes ? id : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id)));

    // The longest prefix of whole text elements (so no emoji, flag or accent is split) plus "…" that fits; "" when only that fits, null when not even "".
    private static string? Clip(string text, Func<string, bool> fits)
    {
        if (!fits(""))
        {
            return null;
        }
        var ends = new List<int> { 0 };
        for (var i = 0; i < text.Length;)
        {
            i += StringInfo.GetNextTextElementLength(text, i);
            ends.Add(i);
        }
        int low = 0, high = ends.Count - 1; // ends[low] is known to fit (0 = ""), search the largest that does
        while (low < high)
        {
            var mid = (low + high + 1) / 2;
            if (fits(Cut(text, ends[mid])))
            {
                low = mid;
            }
            else
            {
                high = mid - 1;
            }
        }
        return low == 0 ? "" : Cut(text, ends[low]);
    }

    private static string Cut(string text, int length) => length == 0 ? "" : text[..length].TrimEnd() + Ellipsis;

    private static byte[] Write(ApnsNotification n, string title, string body)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer, Writer))
        {
            w.WriteStartObject();
            w.WriteStartObject("aps");
            w.WriteStartObject("alert");
            w.WriteString("title", title);
            w.WriteString("body", body);
            w.WriteEndObject();
            w.WriteNumber("badge", Math.Max(0, n.Badge));
            w.WriteString("sound", "default");
            if (!string.IsNullOrEmpty(n.ThreadId))
            {
                w.WriteString("thread-id", n.ThreadId);
            }
            if (!string.IsNullOrEmpty(n.ImageUrl))
            {
                // Lets the app's notification service extension fetch and attach the image.
                w.WriteNumber("mutable-content", 1);
            }
            w.WriteEndObject();
            w.WriteString("url", n.Link);
            if (!string.IsNullOrEmpty(n.ImageUrl))
            {
                w.WriteString("image", n.ImageUrl);
            }
            foreach (var (k, v) in n.Data)
            {
                if (k is not ("aps" or "url" or "image"))
                {
                    w.WriteString(k, v);
                }
            }
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
