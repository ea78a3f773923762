using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Web.Infrastructure;
using NewsPush.Web.Push;

namespace NewsPush.Web.Webhooks;

/// <summary>The form that adds or edits a newsroom robot. Blank URL or secret on an edit: keep the stored one.</summary>
public sealed class RobotForm
{
    [Required(ErrorMessage = "Give the robot a name, e.g. \"Editors' DingTalk group\"."), StringLength(100)]
    public string Name { get; set; } = "";

    public WebhookKind Kind { get; set; } = WebhookKind.DingTalk;

    [Display(Name = "Webhook URL"), StringLength(2000)]
    public string? Url { get; set; }

    [Display(Name = "Signing secret"), StringLength(200)]
    public string? Secret { get; set; }

    [Display(Name = "Required keyword"), StringLength(40)]
    public string? Keyword { get; set; }

    [Display(Name = "At most per minute"), Range(0, 600, ErrorMessage = "Between 0 (the provider's limit) and 600.")]
    public int MaxPerMinute { get; set; }

    [Display(Name = "Breaking news")]
    public bool ReceivesBreaking { get; set; } = true;

    /// <summary>Columns whose breaking news it receives; none: every column.</summary>
    public List<int> BreakingColumns { get; set; } = [];

    /// <summary>A daily digest of this column; null: none.</summary>
    [Display(Name = "Daily digest of")]
    public int? DigestColumnId { get; set; }

    [Display(Name = "at")]
    public TimeOnly? DigestLocalTime { get; set; }

    [Display(Name = "Time zone"), StringLength(64)]
    public string? DigestTimeZoneId { get; set; }

    [Display(Name = "System alerts")]
    public bool ReceivesAlerts { get; set; }

    [Display(Name = "Switched on")]
    public bool IsActive { get; set; } = true;
}

/// <summary>A robot as the list shows it: hints, never the credentials.</summary>
public sealed record RobotRow(
    long Id, string Name, WebhookKind Kind, string UrlHint, string? SecretHint, string? Keyword, RobotLimits Limits, bool IsActive,
    bool ReceivesBreaking, IReadOnlyList<string> Columns, bool ReceivesAlerts, string? Digest, DateTime? PausedUntil, bool NeedsFix, string? PauseReason,
    DateTime? LastDeliveryAt, string? LastError, DateTime? LastErrorAt, int Waiting)
{
    public string State(DateTime now) =>
        !IsActive ? "Off" : NeedsFix ? "Needs a fix" : PausedUntil > now ? "Paused" : "On";
}

public enum RobotSaveOutcome { Saved, Invalid, NotFound }

/// <summary>What a save did; <see cref="NewSecret"/> is the generic webhook secret it made, to show once.</summary>
public sealed record RobotSaveResult(RobotSaveOutcome Outcome, long Id, Dictionary<string, string> Errors, string? NewSecret = null)
{
    public void Deconstruct(out RobotSaveOutcome outcome, out long id, out Dictionary<string, string> errors) => (outcome, id, errors) = (Outcome, Id, Errors);
}

/// <summary>Editors and admins manage the newsroom's robots: add, edit, remove, send a test, resume after a fix.</summary>
public sealed class RobotAdmin(
    NewsPushDbContext db, RobotSecrets secrets, WebhookAddressPolicy addresses, AuditLog audit,
    DeliverySignal signal, TimeProvider clock)
{
    public async Task<IReadOnlyList<RobotRow>> ListAsync(CancellationToken ct)
    {
        var columns = await db.Columns.AsNoTracking().ToDictionaryAsync(c => c.Id, c => c.Name, ct);
        var robots = await db.WebhookEndpoints.AsNoTracking().Where(w => w.Owner == WebhookOwner.Newsroom).OrderBy(w => w.Name).ThenBy(w => w.Id).ToListAsync(ct);
        var ids = robots.Select(r => r.Id).ToList();
        var waiting = await db.Deliveries.AsNoTracking()
            .Where(d => d.Channel == DeliveryChannel.Webhook && ids.Contains(d.EndpointId) && (d.Status == DeliveryStatus.Queued || d.Status == DeliveryStatus.Sending))
            .GroupBy(d => d.EndpointId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        return robots.Select(w => new RobotRow(w.Id, w.Name, w.Kind, w.UrlHint, w.SecretHint, w.Keyword, RobotLimits.For(w.Kind, w.MaxPerMinute), w.IsActive,
            w.ReceivesBreaking, ColumnIds(w.BreakingColumns).Select(id => columns.GetValueOrDefault(id, $"#{id}")).ToList(), w.ReceivesAlerts,
            w.DigestColumnId is { } dc && w.DigestLocalTime is { } dt ? $"a daily digest of {columns.GetValueOrDefault(dc, $"#{dc}")} at {dt:HH:mm} {w.DigestTimeZoneId ?? "UTC"}" : null, w.PausedUntil, w.NeedsFix,
            w.PauseReason, w.LastDeliveryAt, w.LastError, w.LastErrorAt, waiting.GetValueOrDefault(w.Id))).ToList();
    }

    public async Task<RobotForm?> FormAsync(long id, CancellationToken ct) =>
        await db.WebhookEndpoints.AsNoTracking().Where(w => w.Id == id && w.Owner == WebhookOwner.Newsroom).Select(w => new RobotForm
        {
            Name = w.Name, Kind = w.Kind, Keyword = w.Keyword, MaxPerMinute = w.MaxPerMinute, ReceivesBreaking = w.ReceivesBreaking,
            BreakingColumns = ColumnIds(w.BreakingColumns), ReceivesAlerts = w.ReceivesAlerts, IsActive = w.IsActive,
            DigestColumnId = w.DigestColumnId, DigestLocalTime = w.DigestLocalTime, DigestTimeZoneId = w.DigestTimeZoneId,
        }).SingleOrDefaultAsync(ct);

    /// <summary>Adds (<paramref name="id"/> null) or edits a robot; errors are keyed by form field.</summary>
    /// <remarks>With <paramref name="checkOnly"/> (the form already failed its own rules) every check runs, so all errors show at once, and nothing is saved.</remarks>
    public async Task<RobotSaveResult> SaveAsync(long? id, RobotForm form, ClaimsPrincipal actor, CancellationToken ct,
        bool checkOnly = false)
    {
        var errors = new Dictionary<string, string>();
        WebhookEndpoint? robot = null;
        if (id is { } existing)
        {
            robot = await db.WebhookEndpoints.SingleOrDefaultAsync(w => w.Id == existing && w.Owner == WebhookOwner.Newsroom, ct);
            if (robot is null)
            {
                return new RobotSaveResult(RobotSaveOutcome.NotFound, 0, errors);
            }
        }
        var url = form.Url?.Trim();
        var secret = form.Secret?.Trim();
        if (robot is null && string.IsNullOrEmpty(url))
        {
            errors[nameof(RobotForm.Url)] = "Paste the webhook URL the chat app shows when you add the robot.";
        }
        else if (!string.IsNullOrEmpty(url))
        {
            if (ShapeError(form.Kind, url) is { } shape)
            {
                errors[nameof(RobotForm.Url)] = shape;
            }
            else if (await addresses.CheckAsync(url, ct) is { } refused)
            {
                errors[nameof(RobotForm.Url)] = refused;
            }
            else if (await db.WebhookEndpoints.AnyAsync(w => w.UrlHash == RobotSecrets.Hash(url) && w.Id != (robot == null ? 0 : robot.Id), ct))
            {
                errors[nameof(RobotForm.Url)] = "A robot with this URL exists already.";
            }
        }
        if (!string.IsNullOrEmpty(secret) && SecretError(form.Kind, secret) is { } bad)
        {
            errors[nameof(RobotForm.Secret)] = bad;
        }
        if (form.Kind is WebhookKind.WeCom or WebhookKind.Slack && !string.IsNullOrEmpty(secret))
        {
            errors[nameof(RobotForm.Secret)] = $"{form.Kind} robots sign nothing: leave the secret empty (the URL is the credential).";
        }
        if (!string.IsNullOrWhiteSpace(form.Keyword) && form.Kind is not (WebhookKind.DingTalk or WebhookKind.Feishu))
        {
            errors[nameof(RobotForm.Keyword)] = "Only DingTalk and Feishu robots require a keyword.";
        }
        var known = await db.Columns.Select(c => c.Id).ToListAsync(ct);
        if (form.BreakingColumns.Any(c => !known.Contains(c)))
        {
            errors[nameof(RobotForm.BreakingColumns)] = "One of the columns no longer exists.";
        }
        if (form.DigestColumnId is { } digestColumn)
        {
            if (!known.Contains(digestColumn))
            {
                errors[nameof(RobotForm.DigestColumnId)] = "That column no longer exists.";
            }
            if (form.DigestLocalTime is null)
            {
                errors[nameof(RobotForm.DigestLocalTime)] = "Give the time of day the digest goes out.";
            }
            if (!TimeZones.TryFind(form.DigestTimeZoneId?.Trim(), out _))
            {
                errors[nameof(RobotForm.DigestTimeZoneId)] = $"\"{form.DigestTimeZoneId}\" is not a known time zone; use an IANA name such as Asia/Shanghai or Europe/Paris.";
            }
        }
        if (errors.Count > 0 || checkOnly)
        {
            return new RobotSaveResult(RobotSaveOutcome.Invalid, robot?.Id ?? 0, errors);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var created = robot is null;
        robot ??= db.WebhookEndpoints.Add(new WebhookEndpoint { Owner = WebhookOwner.Newsroom, UserId = actor.RequiredUserId(), CreatedAt = now }).Entity;
        var kindChanged = !created && robot.Kind != form.Kind;
        robot.Name = form.Name.Trim();
        robot.Kind = form.Kind;
        if (!string.IsNullOrEmpty(url))
        {
            robot.Url = secrets.Protect(url);
            robot.UrlHash = RobotSecrets.Hash(url);
            robot.UrlHint = RobotSecrets.UrlHint(url);
        }
        if (form.Kind == WebhookKind.Generic && string.IsNullOrEmpty(secret) && (created || kindChanged || robot.Secret is null))
        {
            // A generic webhook always signs: one is made when none is given (shown once, below).
            secret = RobotMessages.NewGenericSecret();
        }
        if (!string.IsNullOrEmpty(secret))
        {
            robot.Secret = secrets.Protect(secret);
            robot.SecretHint = RobotSecrets.SecretHint(secret);
        }
        else if (form.Kind is WebhookKind.WeCom or WebhookKind.Slack)
        {
            robot.Secret = null;
            robot.SecretHint = null;
        }
        robot.Keyword = string.IsNullOrWhiteSpace(form.Keyword) ? null : form.Keyword.Trim();
        robot.MaxPerMinute = form.MaxPerMinute;
        robot.ReceivesBreaking = form.ReceivesBreaking;
        robot.BreakingColumns = string.Join(',', form.BreakingColumns.Distinct().Order());
        robot.ReceivesAlerts = form.ReceivesAlerts;
        robot.DigestColumnId = form.DigestColumnId;
        robot.DigestLocalTime = form.DigestColumnId is null ? null : form.DigestLocalTime;
        robot.DigestTimeZoneId = form.DigestColumnId is null ? null : form.DigestTimeZoneId?.Trim();
        robot.IsActive = form.IsActive;
        robot.UpdatedAt = now;
        if (!created && (!string.IsNullOrEmpty(url) || !string.IsNullOrEmpty(secret) || !string.IsNullOrWhiteSpace(form.Keyword)))
        {
            // Whatever was wrong may be fixed now: the next send tells.
            Resume(robot);
        }
        await db.SaveChangesAsync(ct);
        audit.Add(actor, created ? "robot.create" : "robot.update", nameof(WebhookEndpoint), robot.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            $"{robot.Kind} \"{robot.Name}\" {robot.UrlHint}");
        await db.SaveChangesAsync(ct);
        if (!created)
        {
            await ReleaseWaitingAsync(robot.Id, ct);
        }
        return new RobotSaveResult(RobotSaveOutcome.Saved, robot.Id, errors,
            form.Kind == WebhookKind.Generic && string.IsNullOrEmpty(form.Secret) && secret is not null ? secret : null);
    }

    public async Task<bool> DeleteAsync(long id, ClaimsPrincipal actor, CancellationToken ct)
    {
        var robot = await db.WebhookEndpoints.SingleOrDefaultAsync(w => w.Id == id && w.Owner == WebhookOwner.Newsroom, ct);
        if (robot is null)
        {
            return false;
        }
        db.WebhookEndpoints.Remove(robot);
        audit.Add(actor, "robot.delete", nameof(WebhookEndpoint), id.ToString(System.Globalization.CultureInfo.InvariantCulture), $"{robot.Kind} \"{robot.Name}\"");
        await db.SaveChangesAsync(ct);
        return true;
    }

    /// <summary>One test per robot in this time.</summary>
    public static readonly TimeSpan TestInterval = TimeSpan.FromSeconds(30);

    /// <summary>Queues one test message to the robot, through the engine like any push: false when there is no such robot, null when one was sent a moment ago.</summary>
    public async Task<bool?> TestAsync(long id, ClaimsPrincipal actor, CancellationToken ct)
    {
        var robot = await db.WebhookEndpoints.AsNoTracking().SingleOrDefaultAsync(w => w.Id == id && w.Owner == WebhookOwner.Newsroom, ct);
        if (robot is null)
        {
            return false;
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var since = now - TestInterval;
        if (await db.Deliveries.AnyAsync(d => d.Channel == DeliveryChannel.Webhook && d.EndpointId == id && d.ContentKind == DeliveryContentKind.Test && d.CreatedAt > since, ct))
        {
            return null;
        }
        db.Deliveries.Add(new Delivery
        {
            UserId = actor.RequiredUserId(), Channel = DeliveryChannel.Webhook, EndpointId = robot.Id, ContentKind = DeliveryContentKind.Test,
            ContentId = new DateTimeOffset(now).ToUnixTimeMilliseconds(), Status = DeliveryStatus.Queued, TrackingToken = TrackingTokens.New(),
            CreatedAt = now, DeliverBy = now.AddMinutes(30),
        });
        await db.SaveChangesAsync(ct);
        signal.Notify();
        return true;
    }

    /// <summary>After someone fixed what the provider refused: send again now.</summary>
    public async Task<bool> ResumeAsync(long id, ClaimsPrincipal actor, CancellationToken ct)
    {
        var robot = await db.WebhookEndpoints.SingleOrDefaultAsync(w => w.Id == id && w.Owner == WebhookOwner.Newsroom, ct);
        if (robot is null)
        {
            return false;
        }
        Resume(robot);
        audit.Add(actor, "robot.resume", nameof(WebhookEndpoint), id.ToString(System.Globalization.CultureInfo.InvariantCulture), robot.Name);
        await db.SaveChangesAsync(ct);
        await ReleaseWaitingAsync(id, ct);
        return true;
    }

    private static void Resume(WebhookEndpoint robot)
    {
        robot.NeedsFix = false;
        robot.PausedUntil = null;
        robot.PauseReason = null;
    }

    private async Task ReleaseWaitingAsync(long id, CancellationToken ct)
    {
        await db.Deliveries.Where(d => d.Channel == DeliveryChannel.Webhook && d.EndpointId == id && d.Status == DeliveryStatus.Queued && d.NextAttemptAt != null)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.NextAttemptAt, (DateTime?)null), ct);
        signal.Notify();
    }

    public static List<int> ColumnIds(string csv) =>
        csv.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => int.TryParse(s, out var id) ? id : 0).Where(id => id > 0).ToList();

    /// <summary>Each provider's webhook URL has a known shape; a URL of another kind is a likely mistake.</summary>
    private static string? ShapeError(WebhookKind kind, string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var u))
        {
            return "Give the full address the provider shows, starting with https://.";
        }
        return kind switch
        {
            WebhookKind.DingTalk when !u.Query.Contains("access_token=", StringComparison.Ordinal) =>
                "A DingTalk robot URL ends in /robot/send?access_token=…",
            WebhookKind.Feishu when !u.AbsolutePath.Contains("/bot/v2/hook/", StringComparison.Ordinal) =>
                "A Feishu or Lark bot URL looks like …/open-apis/bot/v2/hook/…",
            WebhookKind.WeCom when !u.Query.Contains("key=", StringComparison.Ordinal) =>
                "A WeCom robot URL ends in /cgi-bin/webhook/send?key=…",
            WebhookKind.Slack when !u.AbsolutePath.Contains("/services/", StringComparison.Ordinal) =>
                "A Slack incoming webhook URL looks like https://hooks.slack.com/services/…",
            _ => null,
        };
    }

    private static string? SecretError(WebhookKind kind, string secret)
    {
        if (kind == WebhookKind.DingTalk && !secret.StartsWith("SEC", StringComparison.Ordinal))
        {
            return "A DingTalk signing secret starts with SEC (robot settings › Security › Sign).";
        }
        if (kind == WebhookKind.Generic)
        {
            try
            {
                var bytes = Convert.FromBase64String(secret.StartsWith("whsec_", StringComparison.Ordinal) ? secret[6..] : "!");
                return bytes.Length is >= 24 and <= 64 ? null : "A whsec_ secret holds 24 to 64 bytes.";
            }
            catch (FormatException)
            {
                return "A Standard Webhooks secret is whsec_ followed by Base64; leave it empty and one is made for you.";
            }
        }
        return null;
    }
}
