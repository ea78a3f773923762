using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using NewsPush.Data.Entities;

namespace NewsPush.Web.Webhooks;

public enum RobotPostKind { Story, Summary, Digest, Alert, Test }

/// <summary>One story in a message, with an absolute link.</summary>
public sealed record RobotItem(string Title, string Summary, string Url, string? Column);

/// <summary>
/// What one request to a robot says, before it is shaped for the robot's provider. <see cref="Id"/> is the same on
/// every retry of the same deliveries (the Standard Webhooks <c>webhook-id</c>, for the receiver's dedupe).
/// </summary>
public sealed record RobotPost(string Id, RobotPostKind Kind, string Title, string Text, string? Url, IReadOnlyList<RobotItem> Items);

/// <summary>A robot's credentials and options, unprotected, for one send.</summary>
public sealed record RobotTarget(long Id, WebhookKind Kind, string Url, string? Secret, string? Keyword);

/// <summary>
/// Shapes a <see cref="RobotPost"/> into each provider's request (research notes, section B): DingTalk markdown or
/// actionCard signed in the query; a Feishu/Lark interactive card signed in the body; WeCom markdown; Slack Block Kit;
/// generic JSON signed as Standard Webhooks.
/// </summary>
public static class RobotMessages
{
    /// <summary>WeCom's markdown limit; DingTalk and Feishu take more, but a chat message this long is already too long.</summary>
    public const int MaxMarkdownBytes = 4096;

    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static HttpRequestMessage Build(RobotTarget robot, RobotPost post, DateTimeOffset now)
    {
        var (url, body, headers) = robot.Kind switch
        {
            WebhookKind.DingTalk => DingTalk(robot, post, now),
            WebhookKind.Feishu => Feishu(robot, post, now),
            WebhookKind.WeCom => (robot.Url, WeCom(robot, post), (IReadOnlyList<(string, string)>)[]),
            WebhookKind.Slack => (robot.Url, Slack(post), (IReadOnlyList<(string, string)>)[]),
            _ => Generic(robot, post, now),
        };
        var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new ByteArrayContent(body) { Headers = { ContentType = new("application/json") { CharSet = "utf-8" } } },
        };
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        return request;
    }

    /// <summary>DingTalk: <c>Base64(HMAC-SHA256(key = secret, data = timestamp + "\n" + secret))</c>, URL-encoded, timestamp in ms.</summary>
    public static string DingTalkSign(string secret, long timestampMs)
    {
        var data = Encoding.UTF8.GetBytes(timestampMs.ToString(CultureInfo.InvariantCulture) + "\n" + secret);
        return Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), data));
    }

    /// <summary>Feishu/Lark: <c>Base64(HMAC-SHA256(key = timestamp + "\n" + secret, data = empty))</c>, timestamp in seconds.</summary>
    public static string FeishuSign(string secret, long timestampSeconds) =>
        Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(timestampSeconds.ToString(CultureInfo.InvariantCulture) + "\n" + secret), Array.Empty<byte>()));

    /// <summary>Standard Webhooks v1: <c>Base64(HMAC-SHA256(key = base64-decoded whsec_ secret, data = id.timestamp.body))</c>.</summary>
    public static string StandardWebhookSign(string secret, string id, long timestampSeconds, ReadOnlySpan<byte> body)
    {
        var key = Convert.FromBase64String(secret.StartsWith("whsec_", StringComparison.Ordinal) ? secret["whsec_".Length..] : secret);
        var prefix = Encoding.UTF8.GetBytes($"{id}.{timestampSeconds.ToString(CultureInfo.InvariantCulture)}.");
        var data = new byte[prefix.Length + body.Length];
        prefix.CopyTo(data, 0);
        body.CopyTo(data.AsSpan(prefix.Length));
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, data));
    }

    /// <summary>A new Standard Webhooks secret: <c>whsec_</c> and 32 random bytes in Base64.</summary>
    public static string NewGenericSecret() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>The message as Markdown (DingTalk, Feishu's lark_md and WeCom read the same subset), within <paramref name="maxBytes"/>.</summary>
    public static string Markdown(RobotPost post, string? keyword, int maxBytes = MaxMarkdownBytes)
    {
        var footer = keyword is { Length: > 0 } k && !(post.Title + post.Text).Contains(k, StringComparison.Ordinal) ? $"\n\n> {k}" : "";
        var head = new StringBuilder().Append("#### ").Append(Escape(post.Title)).Append("\n\n");
        if (post.Text.Length > 0)
        {
            head.Append(Escape(post.Text)).Append("\n\n");
        }
        var lines = new List<string>();
        for (var i = 0; i < post.Items.Count; i++)
        {
            var item = post.Items[i];
            lines.Add($"{i + 1}. [{Escape(item.Title)}]({item.Url})" + (item.Column is { Length: > 0 } c ? $" · {Escape(c)}" : ""));
        }
        if (post.Items.Count == 0 && post.Url is { } url)
        {
            lines.Add($"[Read on NewsPush]({url})");
        }
        // Lines that do not fit are counted, not cut mid-link: a summary names how many more there are.
        var text = head.ToString();
        var budget = maxBytes - Encoding.UTF8.GetByteCount(text + footer) - 40;
        var kept = new StringBuilder();
        var shown = 0;
        foreach (var line in lines)
        {
            if (Encoding.UTF8.GetByteCount(kept.ToString()) + Encoding.UTF8.GetByteCount(line) + 1 > budget)
            {
                break;
            }
            kept.Append(line).Append('\n');
            shown++;
        }
        if (shown < lines.Count)
        {
            kept.Append(CultureInfo.InvariantCulture, $"… and {lines.Count - shown} more on NewsPush.\n");
        }
        return Truncate(text + kept.ToString().TrimEnd('\n') + footer, maxBytes);
    }

    private static (string Url, byte[] Body, IReadOnlyList<(string, string)> Headers) DingTalk(RobotTarget robot, RobotPost post, DateTimeOffset now)
    {
        JsonObject message;
        if (post.Kind == RobotPostKind.Story && post.Url is { } storyUrl)
        {
            message = new JsonObject
            {
                ["msgtype"] = "actionCard",
                ["actionCard"] = new JsonObject
                {
                    ["title"] = post.Title,
                    ["text"] = Markdown(post with { Items = [] , Url = null }, robot.Keyword),
                    ["singleTitle"] = "Read the story",
                    ["singleURL"] = storyUrl,
                    ["btnOrientation"] = "0",
                },
            };
        }
        else
        {
            message = new JsonObject { ["msgtype"] = "markdown", ["markdown"] = new JsonObject { ["title"] = post.Title, ["text"] = Markdown(post, robot.Keyword) } };
        }
        var url = robot.Url;
        if (robot.Secret is { Length: > 0 } secret)
        {
            var ts = now.ToUnixTimeMilliseconds();
            url += (url.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "timestamp=" + ts.ToString(CultureInfo.InvariantCulture)
                + "&sign=" + WebUtility.UrlEncode(DingTalkSign(secret, ts));
        }
        return (url, JsonSerializer.SerializeToUtf8Bytes(message, Json), []);
    }

    private static (string Url, byte[] Body, IReadOnlyList<(string, string)> Headers) Feishu(RobotTarget robot, RobotPost post, DateTimeOffset now)
    {
        var elements = new JsonArray { new JsonObject { ["tag"] = "div", ["text"] = new JsonObject { ["tag"] = "lark_md", ["content"] = Markdown(post with { Title = "" }, robot.Keyword).TrimStart('#', ' ', '\n') } } };
        if (post.Url is { } url)
        {
            elements.Add(new JsonObject
            {
                ["tag"] = "action",
                ["actions"] = new JsonArray
                {
                    new JsonObject { ["tag"] = "button", ["text"] = new JsonObject { ["tag"] = "plain_text", ["content"] = "Read on NewsPush" }, ["url"] = url, ["type"] = "primary" },
                },
            });
        }
        var message = new JsonObject();
        if (robot.Secret is { Length: > 0 } secret)
        {
            var ts = now.ToUnixTimeSeconds();
            message["timestamp"] = ts.ToString(CultureInfo.InvariantCulture);
            message["sign"] = FeishuSign(secret, ts);
        }
        message["msg_type"] = "interactive";
        message["card"] = new JsonObject
        {
            ["config"] = new JsonObject { ["wide_screen_mode"] = true },
            ["header"] = new JsonObject
            {
                ["title"] = new JsonObject { ["tag"] = "plain_text", ["content"] = post.Title },
                ["template"] = post.Kind is RobotPostKind.Story or RobotPostKind.Alert ? "red" : "blue",
            },
            ["elements"] = elements,
        };
        return (robot.Url, JsonSerializer.SerializeToUtf8Bytes(message, Json), []);
    }

    private static byte[] WeCom(RobotTarget robot, RobotPost post) =>
        JsonSerializer.SerializeToUtf8Bytes(new JsonObject { ["msgtype"] = "markdown", ["markdown"] = new JsonObject { ["content"] = Markdown(post, robot.Keyword) } }, Json);

    private static byte[] Slack(RobotPost post)
    {
        var blocks = new JsonArray
        {
            new JsonObject { ["type"] = "header", ["text"] = new JsonObject { ["type"] = "plain_text", ["text"] = Truncate(post.Title, 150, chars: true), ["emoji"] = true } },
        };
        if (post.Text.Length > 0)
        {
            blocks.Add(Section(SlackEscape(post.Text)));
        }
        var lines = post.Items.Select((item, i) => $"{i + 1}. <{item.Url}|{SlackEscape(item.Title)}>" + (item.Column is { Length: > 0 } c ? $" · {SlackEscape(c)}" : "")).ToList();
        // Sections of at most 3,000 characters, at most 45 of them (Slack takes 50 blocks).
        var section = new StringBuilder();
        foreach (var line in lines)
        {
            if (section.Length + line.Length + 1 > 3000)
            {
                blocks.Add(Section(section.ToString()));
                section.Clear();
            }
            section.Append(line).Append('\n');
        }
        if (section.Length > 0 && blocks.Count < 48)
        {
            blocks.Add(Section(section.ToString().TrimEnd('\n')));
        }
        if (post.Url is { } url)
        {
            blocks.Add(new JsonObject
            {
                ["type"] = "actions",
                ["elements"] = new JsonArray { new JsonObject { ["type"] = "button", ["text"] = new JsonObject { ["type"] = "plain_text", ["text"] = "Read on NewsPush" }, ["url"] = url } },
            });
        }
        var fallback = post.Title + (post.Items.Count > 0 ? $" ({post.Items.Count} stories)" : "");
        return JsonSerializer.SerializeToUtf8Bytes(new JsonObject { ["text"] = fallback, ["blocks"] = blocks }, Json);

        static JsonObject Section(string mrkdwn) =>
            new() { ["type"] = "section", ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = Truncate(mrkdwn, 3000, chars: true) } };
    }

    private static (string Url, byte[] Body, IReadOnlyList<(string, string)> Headers) Generic(RobotTarget robot, RobotPost post, DateTimeOffset now)
    {
        var type = post.Kind switch
        {
            RobotPostKind.Story => "news.breaking",
            RobotPostKind.Summary => "news.summary",
            RobotPostKind.Digest => "news.digest",
            RobotPostKind.Alert => "system.alert",
            _ => "test",
        };
        var body = JsonSerializer.SerializeToUtf8Bytes(new JsonObject
        {
            ["type"] = type,
            ["timestamp"] = now.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            ["data"] = new JsonObject
            {
                ["title"] = post.Title,
                ["text"] = post.Text,
                ["url"] = post.Url,
                ["items"] = new JsonArray(post.Items.Select(i => (JsonNode)new JsonObject
                {
                    ["title"] = i.Title, ["summary"] = i.Summary, ["url"] = i.Url, ["column"] = i.Column,
                }).ToArray()),
            },
        }, Json);
        var ts = now.ToUnixTimeSeconds();
        var headers = new List<(string, string)> { ("webhook-id", post.Id), ("webhook-timestamp", ts.ToString(CultureInfo.InvariantCulture)) };
        if (robot.Secret is { Length: > 0 } secret)
        {
            headers.Add(("webhook-signature", StandardWebhookSign(secret, post.Id, ts, body)));
        }
        return (robot.Url, body, headers);
    }

    /// <summary>Markdown link text and emphasis characters that would break a line are neutralised.</summary>
    private static string Escape(string text) => text.Replace("[", "(", StringComparison.Ordinal).Replace("]", ")", StringComparison.Ordinal);

    private static string SlackEscape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    /// <summary>At most <paramref name="max"/> UTF-8 bytes (or UTF-16 characters), cut at a whole character, ending in "…".</summary>
    private static string Truncate(string text, int max, bool chars = false)
    {
        int Size(Rune r) => chars ? r.Utf16SequenceLength : r.Utf8SequenceLength;
        var total = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            total += Size(rune);
        }
        if (total <= max)
        {
            return text;
        }
        var budget = max - Size(new Rune('…'));
        var (used, end) = (0, 0);
        foreach (var rune in text.EnumerateRunes())
        {
            if (used + Size(rune) > budget)
            {
                break;
            }
            used += Size(rune);
            end += rune.Utf16SequenceLength;
        }
        return text[..end] + "…";
    }
}
