using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Web.Inbox;
using NewsPush.Web.Infrastructure;

namespace NewsPush.Web.Devices;

/// <summary>The body of <c>POST /api/devices</c> (PRODUCT.md), plus optional per-device preferences.</summary>
public sealed class DeviceRegistration
{
    public string? DeviceId { get; set; }
    /// <summary>"android" or "ios".</summary>
    public string? Platform { get; set; }
    public string? Token { get; set; }
    public string? AppVersion { get; set; }
    public string? Locale { get; set; }
    public string? TimeZone { get; set; }
    public bool? PushEnabled { get; set; }
    public bool? Digests { get; set; }
    public bool? Breaking { get; set; }
    /// <summary>"HH:mm": pushes only from this local time …</summary>
    public string? PushHoursStart { get; set; }
    /// <summary>… until this one ("HH:mm"; may be earlier than the start: the window wraps past midnight).</summary>
    public string? PushHoursEnd { get; set; }
}

/// <summary>The body of <c>PUT /api/devices/{deviceId}/preferences</c>: what is left out stays as it is.</summary>
public sealed class DevicePreferencesRequest
{
    public bool? PushEnabled { get; set; }
    public bool? Digests { get; set; }
    public bool? Breaking { get; set; }
    public string? PushHoursStart { get; set; }
    public string? PushHoursEnd { get; set; }
    /// <summary>True removes the push hours (pushes at any time, within the reader's quiet hours).</summary>
    public bool? AnyTime { get; set; }
}

public sealed record PushHours(string Start, string End);

/// <summary>A device as the API and the preferences page show it; the token itself is never shown, only its last characters.</summary>
public sealed record DeviceView(
    string DeviceId, string Platform, string TokenHint, string? AppVersion, string? Locale, string? TimeZone,
    bool PushEnabled, bool Digests, bool Breaking, PushHours? PushHours, int Badge, bool Active, string? DeactivatedReason,
    DateTime RegisteredAt, DateTime TokenUpdatedAt, DateTime LastSeenAt, DateTime? LastOpenedAt, DateTime? LastPushAt)
{
    public static DeviceView From(Device d) => new(
        d.DeviceId, DeviceRegistry.PlatformName(d.Platform), "…" + (d.Token.Length > 6 ? d.Token[^6..] : d.Token), d.AppVersion, d.Locale, d.TimeZoneId,
        d.PushEnabled, d.ReceivesDigests, d.ReceivesBreaking,
        d.PushHoursStart is { } s && d.PushHoursEnd is { } e ? new PushHours(DeviceRegistry.Format(s), DeviceRegistry.Format(e)) : null,
        d.BadgeCount, d.DeactivatedAt is null, d.DeactivatedReason, d.CreatedAt, d.TokenUpdatedAt, d.LastSeenAt, d.LastOpenedAt, d.LastSuccessAt);
}

public enum RegisterOutcome { Created, Updated, Invalid }

public sealed record RegisterResult(RegisterOutcome Outcome, DeviceView? Device = null, IReadOnlyDictionary<string, string[]>? Errors = null);

/// <summary>
/// A reader's app installs: register or update by deviceId (idempotent), list, unbind, opened, preferences. A device
/// belongs to one reader: the same deviceId or the same token registered by another account moves to that account, and
/// from then on the previous reader's pushes never reach it. Keeps <see cref="ReaderPreferences.AppPushEnabled"/> equal to
/// "has a device that takes pushes", which the producers' cheap filter reads.
/// </summary>
public sealed partial class DeviceRegistry(NewsPushDbContext db, InboxService inbox, TimeProvider clock, ILogger<DeviceRegistry> logger)
{
    /// <summary>Devices one reader may have; registering one more unbinds the one not seen for the longest (as OneSignal does at 20).</summary>
    public const int MaxPerReader = 20;

    public async Task<RegisterResult> RegisterAsync(string userId, DeviceRegistration request, CancellationToken ct)
    {
        var errors = Validate(request, out var platform, out var hours);
        if (errors.Count > 0)
        {
            return new RegisterResult(RegisterOutcome.Invalid, Errors: errors);
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var deviceId = request.DeviceId!.Trim();
        // APNs tokens are hex: one device whatever the case the app wrote it in.
        var token = platform == DevicePlatform.Ios ? request.Token!.Trim().ToLowerInvariant() : request.Token!.Trim();
        var hash = Hash(token);
        for (var attempt = 0; ; attempt++)
        {
            // The install and the token, each unique: at most two rows, in one query.
            var rows = await db.Devices.Where(d => d.DeviceId == deviceId || (d.Platform == platform && d.TokenHash == hash)).ToListAsync(ct);
            var byId = rows.SingleOrDefault(d => d.DeviceId == deviceId);
            var byToken = rows.SingleOrDefault(d => d.Platform == platform && d.TokenHash == hash);
            var touched = new HashSet<string> { userId };
            if (byToken is not null && byId is not null && byToken.Id != byId.Id)
            {
                // The token moved to this install (a reinstall gives a new deviceId): the old row is stale.
                if (byToken.UserId is { } stale)
                {
                    touched.Add(stale);
                }
                db.Devices.Remove(byToken);
            }
            var row = byId ?? byToken;
            var created = row is null;
            if (row is null)
            {
                row = new Device { CreatedAt = now, TokenUpdatedAt = now };
                db.Devices.Add(row);
            }
            if (row.UserId is { } previous && previous != userId)
            {
                touched.Add(previous);
            }
            if (!created && row.UserId != userId)
            {
                // Someone else signs in on this device: it starts afresh for them, with none of the previous reader's choices.
                row.CreatedAt = now;
                row.BadgeCount = 0;
                row.PushEnabled = true;
                row.ReceivesDigests = true;
                row.ReceivesBreaking = true;
                row.PushHoursStart = row.PushHoursEnd = null;
                row.LastOpenedAt = null;
            }
            if (created || row.TokenHash != hash || row.Platform != platform || row.DeactivatedAt is not null)
            {
                row.TokenUpdatedAt = now;
            }
            row.UserId = userId;
            row.DeviceId = deviceId;
            row.Platform = platform;
            row.Token = token;
            row.TokenHash = hash;
            row.DeactivatedAt = null;
            row.DeactivatedReason = null;
            row.AppVersion = Trimmed(request.AppVersion) ?? row.AppVersion;
            row.Locale = Trimmed(request.Locale) ?? row.Locale;
            row.TimeZoneId = Trimmed(request.TimeZone) ?? row.TimeZoneId;
            Apply(row, request.PushEnabled, request.Digests, request.Breaking, hours, anyTime: false);
            row.LastSeenAt = now;
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException) when (attempt == 0)
            {
                // The app registered twice at once (or two installs raced for one token): read again and update.
                db.ChangeTracker.Clear();
                continue;
            }
            await TrimAsync(userId, ct);
            await SyncEnabledAsync(touched, ct);
            // Until the reader chooses a language in the preferences, their first app's locale is it (push language filters).
            if (Infrastructure.Languages.Primary(row.Locale) is { } language)
            {
                await db.ReaderPreferences.Where(p => p.UserId == userId && p.Language == null).ExecuteUpdateAsync(s => s.SetProperty(p => p.Language, language), ct);
            }
            logger.LogInformation("Device {DeviceId} ({Platform}) {Action} for reader {UserId}", deviceId, platform, created ? "registered" : "updated", userId);
            return new RegisterResult(created ? RegisterOutcome.Created : RegisterOutcome.Updated, DeviceView.From(row));
        }
    }

    public async Task<IReadOnlyList<DeviceView>> ListAsync(string userId, CancellationToken ct) =>
        (await db.Devices.AsNoTracking().Where(d => d.UserId == userId).OrderByDescending(d => d.LastSeenAt).ThenBy(d => d.Id).ToListAsync(ct))
            .Select(DeviceView.From).ToList();

    public async Task<DeviceView?> FindAsync(string userId, string deviceId, CancellationToken ct) =>
        await db.Devices.AsNoTracking().SingleOrDefaultAsync(d => d.DeviceId == deviceId && d.UserId == userId, ct) is { } d ? DeviceView.From(d) : null;

    /// <summary>Unbinds the device from the reader (app logout, or "remove" in the preferences): false when it is not theirs.</summary>
    public async Task<bool> UnbindAsync(string userId, string deviceId, CancellationToken ct)
    {
        var changed = await db.Devices.Where(d => d.DeviceId == deviceId && d.UserId == userId)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.UserId, (string?)null).SetProperty(d => d.BadgeCount, 0), ct);
        if (changed > 0)
        {
            await SyncEnabledAsync([userId], ct);
            logger.LogInformation("Device {DeviceId} unbound from reader {UserId}", deviceId, userId);
        }
        return changed > 0;
    }

    /// <summary>The app was opened: its badge goes back to 0. Null when the device is not the reader's.</summary>
    public async Task<DeviceView?> OpenedAsync(string userId, string deviceId, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var changed = await db.Devices.Where(d => d.DeviceId == deviceId && d.UserId == userId)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.BadgeCount, 0).SetProperty(d => d.LastOpenedAt, now).SetProperty(d => d.LastSeenAt, now), ct);
        return changed == 0 ? null : await FindAsync(userId, deviceId, ct);
    }

    public async Task<(DeviceView? Device, IReadOnlyDictionary<string, string[]>? Errors)> UpdatePreferencesAsync(
        string userId, string deviceId, DevicePreferencesRequest request, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var hours = ValidateHours(request.PushHoursStart, request.PushHoursEnd, errors);
        if (request.AnyTime == true && hours is not null)
        {
            errors["anyTime"] = ["Give push hours or anyTime, not both."];
        }
        var row = await db.Devices.SingleOrDefaultAsync(d => d.DeviceId == deviceId && d.UserId == userId, ct);
        if (row is null)
        {
            return (null, null);
        }
        if (errors.Count > 0)
        {
            return (DeviceView.From(row), errors);
        }
        Apply(row, request.PushEnabled, request.Digests, request.Breaking, hours, request.AnyTime == true);
        await db.SaveChangesAsync(ct);
        await SyncEnabledAsync([userId], ct);
        return (DeviceView.From(row), null);
    }

    public Task<int> BadgeAsync(string userId, CancellationToken ct) => inbox.UnreadCountAsync(userId, ct);

    /// <summary>Marks devices gone: the push service said their token no longer works. A later registration revives them.</summary>
    public async Task DeactivateAsync(IReadOnlyCollection<long> ids, string reason, CancellationToken ct)
    {
        if (ids.Count == 0)
        {
            return;
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var users = await db.Devices.Where(d => ids.Contains(d.Id) && d.UserId != null).Select(d => d.UserId!).Distinct().ToListAsync(ct);
        await db.Devices.Where(d => ids.Contains(d.Id) && d.DeactivatedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.DeactivatedAt, now).SetProperty(d => d.DeactivatedReason, reason), ct);
        await SyncEnabledAsync(users, ct);
        logger.LogInformation("Deactivated {Count} devices: {Reason}", ids.Count, reason);
    }

    public async Task SyncEnabledAsync(IReadOnlyCollection<string> userIds, CancellationToken ct) =>
        await db.ReaderPreferences.Where(p => userIds.Contains(p.UserId))
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.AppPushEnabled,
                p => db.Devices.Any(d => d.UserId == p.UserId && d.PushEnabled && d.DeactivatedAt == null)), ct);

    /// <summary>Past <see cref="MaxPerReader"/>, the devices not seen for the longest are unbound.</summary>
    private async Task TrimAsync(string userId, CancellationToken ct)
    {
        var extra = await db.Devices.Where(d => d.UserId == userId).OrderByDescending(d => d.LastSeenAt).ThenByDescending(d => d.Id)
            .Skip(MaxPerReader).Select(d => d.Id).ToListAsync(ct);
        if (extra.Count > 0)
        {
            await db.Devices.Where(d => extra.Contains(d.Id)).ExecuteUpdateAsync(s => s.SetProperty(d => d.UserId, (string?)null), ct);
        }
    }

    private static void Apply(Device row, bool? pushEnabled, bool? digests, bool? breaking, (TimeOnly Start, TimeOnly End)? hours, bool anyTime)
    {
        row.PushEnabled = pushEnabled ?? row.PushEnabled;
        row.ReceivesDigests = digests ?? row.ReceivesDigests;
        row.ReceivesBreaking = breaking ?? row.ReceivesBreaking;
        if (hours is { } h)
        {
            (row.PushHoursStart, row.PushHoursEnd) = (h.Start, h.End);
        }
        else if (anyTime)
        {
            row.PushHoursStart = row.PushHoursEnd = null;
        }
    }

    private static Dictionary<string, string[]> Validate(DeviceRegistration r, out DevicePlatform platform, out (TimeOnly, TimeOnly)? hours)
    {
        var errors = new Dictionary<string, string[]>();
        platform = default;
        if (string.IsNullOrWhiteSpace(r.DeviceId))
        {
            errors["deviceId"] = ["Give the app install's own id (deviceId)."];
        }
        else if (r.DeviceId.Trim().Length > 200 || !DeviceIdPattern().IsMatch(r.DeviceId.Trim()))
        {
            errors["deviceId"] = ["A deviceId has at most 200 letters, digits and . _ : -"];
        }
        switch (r.Platform?.Trim().ToLowerInvariant())
        {
            case "android":
                platform = DevicePlatform.Android;
                break;
            case "ios":
                platform = DevicePlatform.Ios;
                break;
            case null or "":
                errors["platform"] = ["Give the platform: \"android\" or \"ios\"."];
                break;
            default:
                errors["platform"] = [$"\"{Clip(r.Platform)}\" is not a platform this site pushes to: use \"android\" or \"ios\"."];
                break;
        }
        var token = r.Token?.Trim();
        if (string.IsNullOrEmpty(token))
        {
            errors["token"] = ["Give the push token: the FCM registration token on Android, the APNs device token (hex) on iOS."];
        }
        else if (platform == DevicePlatform.Ios && (token.Length < 64 || token.Length > 200 || token.Length % 2 != 0 || !HexPattern().IsMatch(token)))
        {
            errors["token"] = ["An APNs device token is the device token's bytes in hex: at least 64 hex digits."];
        }
        else if (platform == DevicePlatform.Android && (token.Length < 20 || token.Length > 4096 || !FcmTokenPattern().IsMatch(token)))
        {
            errors["token"] = ["This is not an FCM registration token: give the token FirebaseMessaging.getToken() returns."];
        }
        if (r.AppVersion is { Length: > 50 })
        {
            errors["appVersion"] = ["An app version has at most 50 characters."];
        }
        if (Trimmed(r.Locale) is { } locale && (locale.Length > 35 || !LocalePattern().IsMatch(locale)))
        {
            errors["locale"] = ["Give the locale as a language tag, e.g. \"en-GB\" or \"zh-Hans-CN\"."];
        }
        if (Trimmed(r.TimeZone) is { } zone && !TimeZones.TryFind(zone, out _))
        {
            errors["timeZone"] = [$"\"{Clip(zone)}\" is not a time zone: give an IANA id, e.g. \"Europe/London\"."];
        }
        hours = ValidateHours(r.PushHoursStart, r.PushHoursEnd, errors);
        return errors;
    }

    private static (TimeOnly, TimeOnly)? ValidateHours(string? start, string? end, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(start) && string.IsNullOrWhiteSpace(end))
        {
            return null;
        }
        var okStart = TimeOnly.TryParseExact(start?.Trim(), "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var s);
        var okEnd = TimeOnly.TryParseExact(end?.Trim(), "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var e);
        if (!okStart)
        {
            errors["pushHoursStart"] = ["Give the start of the push hours as HH:mm, e.g. \"08:00\"."];
        }
        if (!okEnd)
        {
            errors["pushHoursEnd"] = ["Give the end of the push hours as HH:mm, e.g. \"22:00\"."];
        }
        if (okStart && okEnd && s == e)
        {
            errors["pushHoursEnd"] = ["The push hours start and end at the same time: give a window, or anyTime."];
        }
        return okStart && okEnd && s != e ? (s, e) : null;
    }

    public static string PlatformName(DevicePlatform p) => p switch { DevicePlatform.Android => "android", DevicePlatform.Ios => "ios", _ => "other" };

    public static string Format(TimeOnly t) => t.ToString("HH:mm", CultureInfo.InvariantCulture);

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string? Trimmed(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    private static string Clip(string s) => s.Length > 40 ? s[..40] + "…" : s;

    [GeneratedRegex("^[A-Za-z0-9._:-]+$")]
    private static partial Regex DeviceIdPattern();

    [GeneratedRegex("^[0-9A-Fa-f]+$")]
    private static partial Regex HexPattern();

    [GeneratedRegex("^[A-Za-z0-9_:.-]+$")]
    private static partial Regex FcmTokenPattern();

    [GeneratedRegex("^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")]
    private static partial Regex LocalePattern();
}
