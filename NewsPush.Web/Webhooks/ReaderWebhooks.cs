using System.ComponentModel.DataAnnotations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NewsPush.Data;
using NewsPush.Data.Entities;

namespace NewsPush.Web.Webhooks;

/// <summary>The form in preferences that adds a reader's own Slack or generic webhook.</summary>
public sealed class ReaderWebhookForm
{
    [Required(ErrorMessage = "Give the webhook a name, e.g. \"My Slack\"."), StringLength(100)]
    public string Name { get; set; } = "";

    public WebhookKind Kind { get; set; } = WebhookKind.Slack;

    [Required(ErrorMessage = "Paste the webhook's URL."), StringLength(2000)]
    public string Url { get; set; } = "";

    public bool ReceivesBreaking { get; set; } = true;
}

/// <summary>A reader's webhook as preferences lists it (hints only).</summary>
public sealed record ReaderWebhookRow(long Id, string Name, WebhookKind Kind, string UrlHint, bool ReceivesBreaking, DateTime? LastDeliveryAt, string? LastError,
    bool NeedsFix, string? PauseReason);

/// <summary>
/// A reader's own webhooks (Slack incoming webhooks, or any service verifying Standard Webhooks): a channel of theirs
/// for digests and, if they want, breaking news, within their weekly cap. Kept in step with
/// <see cref="ReaderPreferences.WebhookEnabled"/>, which the producers' cheap filter reads.
/// </summary>
public sealed class ReaderWebhooks(NewsPushDbContext db, RobotSecrets secrets, WebhookAddressPolicy addresses, IOptions<WebhookOptions> options, TimeProvider clock)
{
    public async Task<IReadOnlyList<ReaderWebhookRow>> ListAsync(string userId, CancellationToken ct) =>
        await db.WebhookEndpoints.AsNoTracking().Where(w => w.Owner == WebhookOwner.Reader && w.UserId == userId).OrderBy(w => w.Id)
            .Select(w => new ReaderWebhookRow(w.Id, w.Name, w.Kind, w.UrlHint, w.ReceivesBreaking, w.LastDeliveryAt, w.LastError, w.NeedsFix, w.PauseReason))
            .ToListAsync(ct);

    /// <summary>Adds the webhook; the errors in words, or its id and, for a generic one, the secret to show once.</summary>
    public async Task<(long Id, string? Secret, IReadOnlyList<string> Errors)> AddAsync(string userId, ReaderWebhookForm form, CancellationToken ct)
    {
        var errors = new List<string>();
        var url = form.Url?.Trim() ?? "";
        if (form.Kind is not (WebhookKind.Slack or WebhookKind.Generic))
        {
            errors.Add("Readers can add a Slack incoming webhook or a generic signed webhook.");
        }
        if (await db.WebhookEndpoints.CountAsync(w => w.Owner == WebhookOwner.Reader && w.UserId == userId, ct) >= options.Value.MaxPerReader)
        {
            errors.Add($"You have {options.Value.MaxPerReader} webhooks already; remove one first.");
        }
        if (form.Kind == WebhookKind.Slack && Uri.TryCreate(url, UriKind.Absolute, out var u) && !u.AbsolutePath.Contains("/services/", StringComparison.Ordinal))
        {
            errors.Add("A Slack incoming webhook URL looks like https://hooks.slack.com/services/…");
        }
        if (await addresses.CheckAsync(url, ct) is { } refused)
        {
            errors.Add(refused);
        }
        else if (await db.WebhookEndpoints.AnyAsync(w => w.UrlHash == RobotSecrets.Hash(url), ct))
        {
            errors.Add("This webhook address is in use already.");
        }
        if (errors.Count > 0)
        {
            return (0, null, errors);
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var secret = form.Kind == WebhookKind.Generic ? RobotMessages.NewGenericSecret() : null;
        var hook = db.WebhookEndpoints.Add(new WebhookEndpoint
        {
            Owner = WebhookOwner.Reader, UserId = userId, Name = form.Name.Trim(), Kind = form.Kind, Url = secrets.Protect(url), UrlHash = RobotSecrets.Hash(url),
            UrlHint = RobotSecrets.UrlHint(url), Secret = secret is null ? null : secrets.Protect(secret), SecretHint = secret is null ? null : RobotSecrets.SecretHint(secret),
            ReceivesBreaking = form.ReceivesBreaking, IsActive = true, CreatedAt = now, UpdatedAt = now,
        }).Entity;
        await db.SaveChangesAsync(ct);
        await SyncAsync(userId, ct);
        return (hook.Id, secret, []);
    }

    /// <summary>The reader's time zone, in which the list shows times.</summary>
    public Task<TimeZoneInfo> ZoneAsync(string userId, CancellationToken ct) => Infrastructure.TimeZones.TimeZoneOfAsync(db, userId, ct);

    public async Task<bool> RemoveAsync(string userId, long id, CancellationToken ct)
    {
        var removed = await db.WebhookEndpoints.Where(w => w.Id == id && w.Owner == WebhookOwner.Reader && w.UserId == userId).ExecuteDeleteAsync(ct) == 1;
        if (removed)
        {
            await SyncAsync(userId, ct);
        }
        return removed;
    }

    private Task SyncAsync(string userId, CancellationToken ct) =>
        db.ReaderPreferences.Where(p => p.UserId == userId).ExecuteUpdateAsync(s => s.SetProperty(p => p.WebhookEnabled,
            p => db.WebhookEndpoints.Any(w => w.Owner == WebhookOwner.Reader && w.UserId == p.UserId && w.IsActive)), ct);
}
