using NewsPush.Web.Infrastructure;
using NewsPush.Web.Infrastructure.Realtime;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Web.Inbox;

namespace NewsPush.Web.Newsroom;

public sealed record BroadcastRow(long Id, string Title, string Body, string? Link, DateTime CreatedAt, DateTime? ExpiresAt, bool IsLive, int ReadCount);

/// <summary>A broadcast as an admin writes it; <see cref="ExpiresAt"/> is UTC.</summary>
public sealed record BroadcastInput(string Title, string Body, string? Link, DateTime? ExpiresAt);

/// <summary>
/// Broadcasts for admins: send one to every reader (stored once, through <see cref="InboxService.BroadcastAsync"/>),
/// list them with how many readers have read each, expire or delete one. Every change is saved with its audit entry
/// in one transaction and, once committed, nudges every connected reader's badge (best effort: a nudge that cannot
/// be sent never fails the change), since each reader's unread count may change.
/// </summary>
public sealed class BroadcastAdminService(NewsPushDbContext db, InboxService inbox, ReaderNotifier notifier, AuditLog audit, TimeProvider clock)
{
    public const int PageSize = 20;

    public async Task<(IReadOnlyList<BroadcastRow> Rows, int Total)> ListAsync(int page, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        // A breaking-news push's inbox part is the push's (its page in the newsroom), not an admin's broadcast.
        var total = await db.Broadcasts.CountAsync(b => b.CampaignId == null, ct);
        var rows = await db.Broadcasts.AsNoTracking().Where(b => b.CampaignId == null).OrderByDescending(b => b.CreatedAt).ThenByDescending(b => b.Id)
            .Skip((Math.Max(1, page) - 1) * PageSize).Take(PageSize)
            .Select(b => new BroadcastRow(b.Id, b.Title, b.Body, b.Link, b.CreatedAt, b.ExpiresAt, b.ExpiresAt == null || b.ExpiresAt > now,
                db.BroadcastReceipts.Count(r => r.BroadcastId == b.Id && r.ReadAt != null)))
            .ToListAsync(ct);
        return (rows, total);
    }

    /// <summary>What the form's attributes cannot check, as (field, message): the link's kind and an expiry that has passed.</summary>
    public IReadOnlyList<(string Field, string Message)> Validate(BroadcastInput input)
    {
        var errors = new List<(string, string)>();
        if (input.Link is { } link && !InboxLinks.IsAllowed(link))
        {
            errors.Add((nameof(BroadcastInput.Link), "The link must be a path on this site (starting with /) or an http:// or https:// address."));
        }
        if (input.ExpiresAt is { } expiresAt && expiresAt <= clock.GetUtcNow().UtcDateTime)
        {
            errors.Add((nameof(BroadcastInput.ExpiresAt), "The expiry must be in the future (UTC), or left empty for a broadcast that does not expire."));
        }
        return errors;
    }

    /// <summary>Sends a valid broadcast (see <see cref="Validate"/>) and returns its id.</summary>
    public async Task<long> CreateAsync(BroadcastInput input, ClaimsPrincipal actor, CancellationToken ct)
    {
        var broadcast = await inbox.BroadcastAsync(input.Title.Trim(), input.Body.Replace("\r\n", "\n", StringComparison.Ordinal).Trim(), input.Link, input.ExpiresAt,
            saveWith: b => audit.Add(actor, "broadcast.created", nameof(Broadcast), b.Id.ToString(), b.Title), ct);
        return broadcast.Id;
    }

    /// <summary>Takes a broadcast out of every inbox now; it stays listed here with its read count.</summary>
    public async Task<string?> ExpireAsync(long id, ClaimsPrincipal actor, CancellationToken ct)
    {
        var broadcast = await db.Broadcasts.FindAsync([id], ct);
        if (broadcast is null || broadcast.CampaignId is not null)
        {
            return "The broadcast does not exist.";
        }
        var now = clock.GetUtcNow().UtcDateTime;
        if (broadcast.ExpiresAt <= now)
        {
            return "The broadcast has already expired.";
        }
        broadcast.ExpiresAt = now;
        audit.Add(actor, "broadcast.expired", nameof(Broadcast), id.ToString(), broadcast.Title);
        await db.SaveChangesAsync(ct);
        notifier.InboxChangedForEveryone();
        return null;
    }

    /// <summary>Removes a broadcast and every reader's receipt of it.</summary>
    public async Task<string?> DeleteAsync(long id, ClaimsPrincipal actor, CancellationToken ct)
    {
        var broadcast = await db.Broadcasts.FindAsync([id], ct);
        if (broadcast is null || broadcast.CampaignId is not null)
        {
            return "The broadcast does not exist.";
        }
        db.Broadcasts.Remove(broadcast);
        audit.Add(actor, "broadcast.deleted", nameof(Broadcast), id.ToString(), broadcast.Title);
        await db.SaveChangesAsync(ct);
        notifier.InboxChangedForEveryone();
        return null;
    }
}
