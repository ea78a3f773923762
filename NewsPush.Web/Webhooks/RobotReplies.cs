using System.Globalization;
using System.Net;
using System.Text.Json;
using NewsPush.Data.Entities;

namespace NewsPush.Web.Webhooks;

/// <summary>
/// Accepted; TooFast: the robot is blocked for a while (DingTalk's 10 minutes); RateLimited: wait <see cref="RobotReply.RetryAfter"/>
/// and send again; NeedsFix: the provider refuses the robot (signature, keyword, IP, a removed hook) and a person must
/// fix it; Transient: try again later with backoff; Refused: this message was refused.
/// </summary>
public enum RobotVerdict { Accepted, TooFast, RateLimited, NeedsFix, Transient, Refused }

public sealed record RobotReply(RobotVerdict Verdict, string Message, TimeSpan? RetryAfter = null);

/// <summary>
/// Reads a provider's answer. DingTalk, Feishu and WeCom answer HTTP 200 with an error code in the body, so the body is
/// always read; Slack answers in plain text; generic receivers follow Standard Webhooks (2xx ok, 410 gone, 429/502/504 throttle).
/// </summary>
public static class RobotReplies
{
    public static RobotReply Read(WebhookKind kind, HttpStatusCode status, TimeSpan? retryAfter, string body, Uri? location = null)
    {
        var code = (int)status;
        var text = body.Length > 300 ? body[..300] : body;
        if (code is >= 300 and < 400)
        {
            var to = location is null ? "a redirect" : $"a redirect to {location.OriginalString}";
            return kind == WebhookKind.DingTalk
                ? new RobotReply(RobotVerdict.TooFast, $"DingTalk answered {code}: the robot is blocked for sending too fast.")
                : new RobotReply(RobotVerdict.NeedsFix, $"The address answered {code} ({to}); redirects are not followed. Check the URL.");
        }
        if (code == 429)
        {
            return new RobotReply(RobotVerdict.RateLimited, $"Rate limited (429{(text.Length > 0 ? ": " + text : "")}).", retryAfter ?? TimeSpan.FromSeconds(kind == WebhookKind.Slack ? 1 : 60));
        }
        if (code == 408 || code >= 500)
        {
            return kind == WebhookKind.Generic && code is 502 or 504
                ? new RobotReply(RobotVerdict.RateLimited, $"The receiver is overloaded ({code}).", retryAfter ?? TimeSpan.FromSeconds(60))
                : new RobotReply(RobotVerdict.Transient, $"The service answered {code}{(text.Length > 0 ? ": " + text : "")}.", retryAfter);
        }
        return kind switch
        {
            WebhookKind.DingTalk => DingTalk(code, text),
            WebhookKind.Feishu => Feishu(code, text, retryAfter),
            WebhookKind.WeCom => WeCom(code, text),
            WebhookKind.Slack => Slack(code, text),
            _ => Generic(code, text),
        };
    }

    private static RobotReply DingTalk(int status, string body)
    {
        if (status != 200 || !TryCode(body, "errcode", "errmsg", out var code, out var message))
        {
            return new RobotReply(RobotVerdict.Refused, $"DingTalk answered {status}: {body}");
        }
        return code switch
        {
            0 => new RobotReply(RobotVerdict.Accepted, "ok"),
            // 310000: sign not match, invalid timestamp, keywords not in content, ip not in whitelist.
            310000 or 300001 or 300005 or 400101 => new RobotReply(RobotVerdict.NeedsFix, $"DingTalk refuses the robot ({code}): {message}"),
            _ when message.Contains("too fast", StringComparison.OrdinalIgnoreCase) || code is 410100 or 130101 or 90030 =>
                new RobotReply(RobotVerdict.TooFast, $"DingTalk: {message} ({code})."),
            _ => new RobotReply(RobotVerdict.Refused, $"DingTalk refused the message ({code}): {message}"),
        };
    }

    private static RobotReply Feishu(int status, string body, TimeSpan? retryAfter)
    {
        if (status != 200 || !(TryCode(body, "code", "msg", out var code, out var message) || TryCode(body, "StatusCode", "StatusMessage", out code, out message)))
        {
            return status is 401 or 403 or 404
                ? new RobotReply(RobotVerdict.NeedsFix, $"Feishu answered {status}: {body}")
                : new RobotReply(RobotVerdict.Refused, $"Feishu answered {status}: {body}");
        }
        return code switch
        {
            0 => new RobotReply(RobotVerdict.Accepted, "ok"),
            // 19021 sign, 19024 keyword, 19001/19002 the hook itself, 19022 IP.
            19001 or 19002 or 19021 or 19022 or 19024 => new RobotReply(RobotVerdict.NeedsFix, $"Feishu refuses the robot ({code}): {message}"),
            11232 or 230020 => new RobotReply(RobotVerdict.RateLimited, $"Feishu: {message} ({code}).", retryAfter ?? TimeSpan.FromSeconds(1)),
            _ => new RobotReply(RobotVerdict.Refused, $"Feishu refused the message ({code}): {message}"),
        };
    }

    private static RobotReply WeCom(int status, string body)
    {
        if (status != 200 || !TryCode(body, "errcode", "errmsg", out var code, out var message))
        {
            return new RobotReply(RobotVerdict.Refused, $"WeCom answered {status}: {body}");
        }
        return code switch
        {
            0 => new RobotReply(RobotVerdict.Accepted, "ok"),
            45009 => new RobotReply(RobotVerdict.RateLimited, $"WeCom: {message} ({code}).", TimeSpan.FromSeconds(60)),
            93000 or 93004 or 40008 => new RobotReply(RobotVerdict.NeedsFix, $"WeCom refuses the robot ({code}): {message}"),
            _ => new RobotReply(RobotVerdict.Refused, $"WeCom refused the message ({code}): {message}"),
        };
    }

    private static RobotReply Slack(int status, string body) => status switch
    {
        200 => new RobotReply(RobotVerdict.Accepted, "ok"),
        // no_service, no_team, team_disabled, invalid_token, action_prohibited, channel_is_archived, …: reconnect the hook.
        403 or 404 or 410 => new RobotReply(RobotVerdict.NeedsFix, $"Slack refuses the webhook ({status}): {body}"),
        _ => new RobotReply(RobotVerdict.Refused, $"Slack refused the message ({status}): {body}"),
    };

    private static RobotReply Generic(int status, string body) => status switch
    {
        >= 200 and < 300 => new RobotReply(RobotVerdict.Accepted, "ok"),
        410 => new RobotReply(RobotVerdict.NeedsFix, "The receiver says this webhook is gone (410)."),
        401 or 403 or 404 => new RobotReply(RobotVerdict.NeedsFix, $"The receiver refuses us ({status}{(body.Length > 0 ? ": " + body : "")}); check the URL and the secret."),
        _ => new RobotReply(RobotVerdict.Refused, $"The receiver refused the message ({status}{(body.Length > 0 ? ": " + body : "")})."),
    };

    private static bool TryCode(string body, string codeName, string messageName, out int code, out string message)
    {
        code = 0;
        message = "";
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty(codeName, out var c))
            {
                return false;
            }
            code = c.ValueKind == JsonValueKind.Number ? c.GetInt32() : int.Parse(c.GetString() ?? "", NumberStyles.Integer, CultureInfo.InvariantCulture);
            message = doc.RootElement.TryGetProperty(messageName, out var m) ? m.ToString() : "";
            return true;
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException)
        {
            return false;
        }
    }
}
