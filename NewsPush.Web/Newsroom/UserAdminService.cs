using NewsPush.Web.Infrastructure;
using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using NewsPush.Data;
using NewsPush.Data.Entities;

namespace NewsPush.Web.Newsroom;

public sealed record UserRow(string Id, string? Email, string DisplayName, IReadOnlyList<string> Roles, bool IsLocked, bool CommentingBlocked, DateTime CreatedAt, DateTime? DeletedAt);

/// <summary>Users for admins: search, roles, lock, delete (personal data removed, comments anonymized).</summary>
public sealed class UserAdminService(NewsPushDbContext db, UserManager<ApplicationUser> users, AuditLog audit, TimeProvider clock)
{
    public const int PageSize = 20;

    public async Task<(IReadOnlyList<UserRow> Rows, int Total)> SearchAsync(string? text, int page, CancellationToken ct)
    {
        var query = db.Users.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(text))
        {
            var t = text.Trim().ToUpperInvariant();
#pragma warning disable CA1862 // translated to SQL UPPER(...) LIKE, not run in memory
            query = query.Where(u => u.NormalizedEmail!.Contains(t) || u.DisplayName.ToUpper().Contains(t));
#pragma warning restore CA1862
        }
        var total = await query.CountAsync(ct);
        var now = clock.GetUtcNow();
        var rows = await query.OrderBy(u => u.NormalizedEmail).Skip((Math.Max(1, page) - 1) * PageSize).Take(PageSize)
            .Select(u => new
            {
                u.Id, u.Email, u.DisplayName, u.LockoutEnd, u.CommentingBlocked, u.CreatedAt, u.DeletedAt,
                Roles = db.UserRoles.Where(ur => ur.UserId == u.Id).Join(db.Roles, ur => ur.RoleId, r => r.Id, (_, r) => r.Name!).ToList(),
            })
            .ToListAsync(ct);
        return (rows.Select(u => new UserRow(u.Id, u.Email, u.DisplayName, u.Roles.Order().ToList(), u.LockoutEnd > now, u.CommentingBlocked, u.CreatedAt, u.DeletedAt)).ToList(), total);
    }

    public async Task<string?> SetRolesAsync(string userId, IReadOnlyCollection<string> roles, ClaimsPrincipal actor, CancellationToken ct)
    {
        var user = await users.FindByIdAsync(userId);
        if (user is null || user.DeletedAt is not null)
        {
            return "The user does not exist.";
        }
        var wanted = roles.Where(r => Roles.All.Contains(r)).ToHashSet();
        if (wanted.Count == 0)
        {
            wanted.Add(Roles.Reader);
        }
        if (IsSelf(actor, userId) && !wanted.Contains(Roles.Admin))
        {
            return "You cannot take the Admin role away from yourself.";
        }
        var current = await users.GetRolesAsync(user);
        var remove = await users.RemoveFromRolesAsync(user, current.Except(wanted));
        var add = await users.AddToRolesAsync(user, wanted.Except(current));
        if (!remove.Succeeded || !add.Succeeded)
        {
            return string.Join("; ", remove.Errors.Concat(add.Errors).Select(e => e.Description));
        }
        // A new security stamp makes the user's cookies re-validate with the new roles.
        await users.UpdateSecurityStampAsync(user);
        audit.Add(actor, "user.roles-changed", nameof(ApplicationUser), user.Id, $"{user.Email}: {string.Join(",", current.Order())} → {string.Join(",", wanted.Order())}");
        await db.SaveChangesAsync(ct);
        return null;
    }

    public async Task<string?> SetLockedAsync(string userId, bool locked, ClaimsPrincipal actor, CancellationToken ct)
    {
        var user = await users.FindByIdAsync(userId);
        if (user is null || user.DeletedAt is not null)
        {
            return "The user does not exist.";
        }
        if (locked && IsSelf(actor, userId))
        {
            return "You cannot lock your own account.";
        }
        await users.SetLockoutEnabledAsync(user, true);
        await users.SetLockoutEndDateAsync(user, locked ? DateTimeOffset.MaxValue : null);
        if (!locked)
        {
            await users.ResetAccessFailedCountAsync(user);
        }
        await users.UpdateSecurityStampAsync(user);
        audit.Add(actor, locked ? "user.locked" : "user.unlocked", nameof(ApplicationUser), user.Id, user.Email);
        await db.SaveChangesAsync(ct);
        return null;
    }

    /// <summary>Ends every session of the user: a new security stamp (staff at their next request, readers within a minute, apps at their next refresh).</summary>
    public async Task<string?> EndSessionsAsync(string userId, ClaimsPrincipal actor, CancellationToken ct)
    {
        var user = await users.FindByIdAsync(userId);
        if (user is null || user.DeletedAt is not null)
        {
            return "The user does not exist.";
        }
        await users.UpdateSecurityStampAsync(user);
        audit.Add(actor, "user.signed-out", nameof(ApplicationUser), user.Id, user.Email);
        await db.SaveChangesAsync(ct);
        return null;
    }

    /// <summary>
    /// Deletes a user's personal data. Their comments stay, anonymized; the account row is scrubbed rather than
    /// removed so articles and pushes they authored keep a valid reference.
    /// </summary>
    public async Task<string?> DeleteAsync(string userId, ClaimsPrincipal actor, CancellationToken ct)
    {
        if (IsSelf(actor, userId))
        {
            return "You cannot delete your own account here.";
        }
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == userId, ct);
        if (user is null || user.DeletedAt is not null)
        {
            return "The user does not exist.";
        }
        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var email = user.Email;
            await db.Comments.Where(c => c.AuthorId == userId).ExecuteUpdateAsync(s => s.SetProperty(c => c.AuthorId, (string?)null), ct);
            var ratings = await db.Ratings.Where(r => r.UserId == userId).Select(r => new { r.ArticleId, r.Stars }).ToListAsync(ct);
            foreach (var r in ratings)
            {
                await db.Articles.Where(a => a.Id == r.ArticleId).ExecuteUpdateAsync(s => s
                    .SetProperty(a => a.RatingCount, a => a.RatingCount - 1)
                    .SetProperty(a => a.RatingSum, a => a.RatingSum - r.Stars), ct);
            }
            await db.Ratings.Where(r => r.UserId == userId).ExecuteDeleteAsync(ct);
            await db.Follows.Where(x => x.UserId == userId).ExecuteDeleteAsync(ct);
            await db.Bookmarks.Where(x => x.UserId == userId).ExecuteDeleteAsync(ct);
            await db.ArticleReads.Where(x => x.UserId == userId).ExecuteDeleteAsync(ct);
            await db.Interactions.Where(x => x.UserId == userId).ExecuteDeleteAsync(ct);
            await db.CommentReports.Where(x => x.ReporterId == userId).ExecuteDeleteAsync(ct);
            await db.ReaderTopics.Where(x => x.UserId == userId).ExecuteDeleteAsync(ct);
            await db.ReaderPreferences.Where(x => x.UserId == userId).ExecuteDeleteAsync(ct);
            await db.Devices.Where(x => x.UserId == userId).ExecuteDeleteAsync(ct);
            await db.WebPushSubscriptions.Where(x => x.UserId == userId).ExecuteDeleteAsync(ct);
            await db.WebhookEndpoints.Where(x => x.UserId == userId).ExecuteDeleteAsync(ct);
            await db.InboxMessages.Where(x => x.UserId == userId).ExecuteDeleteAsync(ct);
            await db.BroadcastReceipts.Where(x => x.UserId == userId).ExecuteDeleteAsync(ct);
            await db.Deliveries.Where(x => x.UserId == userId).ExecuteDeleteAsync(ct);
            await db.DigestItems.Where(x => db.Digests.Any(d => d.Id == x.DigestId && d.UserId == userId)).ExecuteDeleteAsync(ct);
            await db.Digests.Where(x => x.UserId == userId && x.MergedIntoId != null).ExecuteDeleteAsync(ct);
            await db.Digests.Where(x => x.UserId == userId).ExecuteDeleteAsync(ct);
            await db.UserRoles.Where(x => x.UserId == userId).ExecuteDeleteAsync(ct);
            await db.UserClaims.Where(x => x.UserId == userId).ExecuteDeleteAsync(ct);
            await db.UserLogins.Where(x => x.UserId == userId).ExecuteDeleteAsync(ct);
            await db.UserTokens.Where(x => x.UserId == userId).ExecuteDeleteAsync(ct);

            var placeholder = $"deleted-{user.Id}@deleted.invalid";
            user.UserName = user.Email = placeholder;
            user.NormalizedUserName = user.NormalizedEmail = placeholder.ToUpperInvariant();
            user.DisplayName = "Deleted user";
            user.PasswordHash = null;
            user.PhoneNumber = null;
            user.FeedToken = null;
            user.EmailConfirmed = false;
            user.LockoutEnabled = true;
            user.LockoutEnd = DateTimeOffset.MaxValue;
            user.SecurityStamp = Guid.NewGuid().ToString("N");
            user.DeletedAt = clock.GetUtcNow().UtcDateTime;
            // The audit log keeps what happened, not who the person was: their address (in details, and as the name of
            // what they did themselves) becomes the account's pseudonym.
            var pseudonym = $"deleted user {user.Id}";
            if (!string.IsNullOrEmpty(email))
            {
                await db.AuditLog.Where(e => e.Details != null && e.Details.Contains(email))
                    .ExecuteUpdateAsync(s => s.SetProperty(e => e.Details, e => e.Details!.Replace(email, pseudonym)), ct);
                await db.AuditLog.Where(e => e.ActorId == userId || e.ActorName == email)
                    .ExecuteUpdateAsync(s => s.SetProperty(e => e.ActorName, pseudonym), ct);
            }
            audit.Add(actor, "user.deleted", nameof(ApplicationUser), user.Id, "personal data removed");
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        });
        return null;
    }

    private static bool IsSelf(ClaimsPrincipal actor, string userId) => actor.UserId() == userId;
}
