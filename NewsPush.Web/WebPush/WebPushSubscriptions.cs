using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NewsPush.Data;
using NewsPush.Data.Entities;

namespace NewsPush.Web.WebPush;

/// <summary>The keys of a browser's <c>PushSubscription.toJSON()</c>.</summary>
public sealed class SubscriptionKeys
{
    public string? P256dh { get; set; }
    public string? Auth { get; set; }
}

/// <summary>
/// The body of <c>POST /api/push/subscriptions</c>: the browser's <c>PushSubscription.toJSON()</c>, plus what this
/// browser receives (both default to true).
/// </summary>
public sealed class SubscriptionRequest
{
    public string? Endpoint { get; set; }
    public double? ExpirationTime { get; set; }
    public SubscriptionKeys? Keys { get; set; }
    public bool? Digests { get; set; }
    public bool? Breaking { get; set; }
}

/// <summary>
/// The body of <c>POST /api/push/subscriptions/renew</c>, sent by the service worker or a page without the reader's
/// cookie: knowing a subscription's endpoint and auth secret (only that browser and this server do) is the proof.
/// </summary>
public sealed class RenewRequest
{
    public string? Endpoint { get; set; }
    public double? ExpirationTime { get; set; }
    public SubscriptionKeys? Keys { get; set; }
    public string? OldEndpoint { get; set; }
    public string? OldAuth { get; set; }
}

/// <summary>A browser as the reader's list shows it; <see cref="Current"/> marks the browser that asked.</summary>
public sealed record BrowserSubscription(long Id, string Browser, DateTime CreatedAt, DateTime LastSeenAt, bool Digests, bool Breaking, bool Current = false)
{
    public static BrowserSubscription From(WebPushSubscription s, string? currentEndpoint = null) =>
        new(s.Id, s.Browser, s.CreatedAt, s.LastSeenAt, s.ReceivesDigests, s.ReceivesBreaking, currentEndpoint is not null && s.Endpoint == currentEndpoint);
}

public enum SubscribeOutcome { Created, Updated, Invalid }

public sealed record SubscribeResult(SubscribeOutcome Outcome, BrowserSubscription? Subscription = null, IReadOnlyDictionary<string, string[]>? Errors = null);

public enum RenewOutcome { Renewed, Unknown, Invalid }

/// <summary>
/// A reader's browsers: subscribe (idempotent per endpoint), renew, list, remove. Keeps
/// <see cref="ReaderPreferences.WebPushEnabled"/> equal to "has at least one browser", which the producers' cheap
/// filter reads.
/// </summary>
public sealed class WebPushSubscriptions(NewsPushDbContext db, IOptions<WebPushOptions> options, TimeProvider clock)
{
    public async Task<SubscribeResult> SubscribeAsync(string userId, SubscriptionRequest request, string? userAgent, CancellationToken ct)
    {
        var errors = Validate(request.Endpoint, request.Keys, options.Value);
        if (errors.Count > 0)
        {
            return new SubscribeResult(SubscribeOutcome.Invalid, Errors: errors);
        }
        var now = clock.GetUtcNow().UtcDateTime;
        for (var attempt = 0; ; attempt++)
        {
            var row = await db.WebPushSubscriptions.SingleOrDefaultAsync(s => s.Endpoint == request.Endpoint, ct);
            var created = row is null;
            if (row is null)
            {
                row = new WebPushSubscription { Endpoint = request.Endpoint!, CreatedAt = now };
                db.WebPushSubscriptions.Add(row);
            }
            else if (row.UserId != userId)
            {
                // The browser now belongs to whoever signed in on it: the previous reader stops receiving here.
                row.CreatedAt = now;
            }
            var previousOwner = created ? null : row.UserId;
            row.UserId = userId;
            row.P256dh = request.Keys!.P256dh!;
            row.Auth = request.Keys.Auth!;
            row.Browser = BrowserLabel.From(userAgent);
            row.ReceivesDigests = request.Digests ?? (created || previousOwner != userId || row.ReceivesDigests);
            row.ReceivesBreaking = request.Breaking ?? (created || previousOwner != userId || row.ReceivesBreaking);
            row.LastSeenAt = now;
            row.ExpiryWarnedAt = null;
            row.ConsecutiveFailures = 0;
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException) when (attempt == 0)
            {
                // The same browser posted twice at once: the other request made the row; update it instead.
                db.ChangeTracker.Clear();
                continue;
            }
            await TrimAsync(userId, ct);
            await SyncEnabledAsync(previousOwner is null || previousOwner == userId ? [userId] : [userId, previousOwner], ct);
            return new SubscribeResult(created ? SubscribeOutcome.Created : SubscribeOutcome.Updated, BrowserSubscription.From(row, row.Endpoint));
        }
    }

    /// <summary>Marks a subscription in use, or replaces an old one by its successor (<c>pushsubscriptionchange</c>).</summary>
    public async Task<(RenewOutcome Outcome, IReadOnlyDictionary<string, string[]>? Errors)> RenewAsync(RenewRequest request, CancellationToken ct)
    {
        var errors = Validate(request.Endpoint, request.Keys, options.Value);
        if (errors.Count > 0)
        {
            return (RenewOutcome.Invalid, errors);
        }
        var now = clock.GetUtcNow().UtcDateTime;
        WebPushSubscription? row;
        if (request.OldEndpoint is { Length: > 0 } old)
        {
            row = await db.WebPushSubscriptions.SingleOrDefaultAsync(s => s.Endpoint == old, ct);
            if (row is null || !FixedTimeEquals(row.Auth, request.OldAuth))
            {
                return (RenewOutcome.Unknown, null);
            }
            if (old != request.Endpoint)
            {
                // The successor may have been posted already by a page: keep one row.
                await db.WebPushSubscriptions.Where(s => s.Endpoint == request.Endpoint && s.Id != row.Id).ExecuteDeleteAsync(ct);
            }
            row.Endpoint = request.Endpoint!;
            row.P256dh = request.Keys!.P256dh!;
            row.Auth = request.Keys.Auth!;
        }
        else
        {
            row = await db.WebPushSubscriptions.SingleOrDefaultAsync(s => s.Endpoint == request.Endpoint, ct);
            if (row is null || !FixedTimeEquals(row.Auth, request.Keys!.Auth))
            {
                return (RenewOutcome.Unknown, null);
            }
            row.P256dh = request.Keys.P256dh!;
        }
        row.LastSeenAt = now;
        row.ExpiryWarnedAt = null;
        row.ConsecutiveFailures = 0;
        await db.SaveChangesAsync(ct);
        return (RenewOutcome.Renewed, null);
    }

    /// <summary>The reader's browsers, last used first; the one whose endpoint is <paramref name="currentEndpoint"/> is marked.</summary>
    public async Task<IReadOnlyList<BrowserSubscription>> ListAsync(string userId, CancellationToken ct, string? currentEndpoint = null) =>
        (await db.WebPushSubscriptions.AsNoTracking().Where(s => s.UserId == userId).ToListAsync(ct))
            .OrderByDescending(s => s.LastSeenAt).ThenByDescending(s => s.Id).Select(s => BrowserSubscription.From(s, currentEndpoint)).ToList();

    public Task<bool> RemoveAsync(string userId, string endpoint, CancellationToken ct) =>
        RemoveWhereAsync(userId, db.WebPushSubscriptions.Where(s => s.UserId == userId && s.Endpoint == endpoint), ct);

    public Task<bool> RemoveAsync(string userId, long id, CancellationToken ct) =>
        RemoveWhereAsync(userId, db.WebPushSubscriptions.Where(s => s.UserId == userId && s.Id == id), ct);

    /// <summary>Sets WebPushEnabled to whether each reader still has a browser.</summary>
    public async Task SyncEnabledAsync(IReadOnlyCollection<string> userIds, CancellationToken ct) =>
        await db.ReaderPreferences.Where(p => userIds.Contains(p.UserId))
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.WebPushEnabled, p => db.WebPushSubscriptions.Any(w => w.UserId == p.UserId)), ct);

    private async Task<bool> RemoveWhereAsync(string userId, IQueryable<WebPushSubscription> query, CancellationToken ct)
    {
        var removed = await query.ExecuteDeleteAsync(ct) > 0;
        if (removed)
        {
            await SyncEnabledAsync([userId], ct);
        }
        return removed;
    }

    /// <summary>Past the per-reader limit, the browsers unseen longest go.</summary>
    private async Task TrimAsync(string userId, CancellationToken ct)
    {
        var keep = options.Value.MaxSubscriptionsPerReader;
        var extra = await db.WebPushSubscriptions.Where(s => s.UserId == userId)
            .OrderByDescending(s => s.LastSeenAt).ThenByDescending(s => s.Id).Skip(keep).Select(s => s.Id).ToListAsync(ct);
        if (extra.Count > 0)
        {
            await db.WebPushSubscriptions.Where(s => extra.Contains(s.Id)).ExecuteDeleteAsync(ct);
        }
    }

    private static bool FixedTimeEquals(string stored, string? given) =>
        given is not null && CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(stored), System.Text.Encoding.UTF8.GetBytes(given));

    /// <summary>What a real subscription has: an allowed endpoint, a P-256 point and a 16-byte auth secret.</summary>
    public static Dictionary<string, string[]> Validate(string? endpoint, SubscriptionKeys? keys, WebPushOptions options)
    {
        var errors = new Dictionary<string, string[]>();
        if (PushEndpointPolicy.Check(endpoint, options.EffectiveAllowedHosts) is { } problem)
        {
            errors["endpoint"] = [problem];
        }
        if (keys is null)
        {
            errors["keys"] = ["The subscription has no keys (p256dh and auth)."];
            return errors;
        }
        var p256dh = Decode(keys.P256dh);
        if (p256dh is not { Length: 65 } || p256dh[0] != 0x04 || !IsP256Point(p256dh))
        {
            errors["keys.p256dh"] = ["p256dh must be the browser's P-256 public key (65 bytes, base64url)."];
        }
        if (Decode(keys.Auth) is not { Length: 16 })
        {
            errors["keys.auth"] = ["auth must be the browser's 16-byte secret (base64url)."];
        }
        return errors;
    }

    private static byte[]? Decode(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 200)
        {
            return null;
        }
        try
        {
            return Base64Url.DecodeFromChars(value.TrimEnd('='));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static bool IsP256Point(byte[] point)
    {
        try
        {
            using var key = ECDiffieHellman.Create(new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint { X = point[1..33], Y = point[33..65] },
            });
            return true;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
