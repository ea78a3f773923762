using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NewsPush.Data;
using NewsPush.Data.Entities;

namespace NewsPush.Web.Account;

/// <summary>
/// Server-side sessions on top of Identity's cookie: every sign-in gets a session id claim; logging out records that id
/// as signed out (a row of AspNetUserTokens until the cookie could have expired), so a copy of the cookie stops working
/// too. Changing the security stamp (password changed or reset, roles changed, locked, deleted, "sign out everywhere")
/// ends every session of the account.
/// </summary>
public sealed class AccountSessions(NewsPushDbContext db, TimeProvider clock)
{
    public const string SessionClaim = "newspush:sid";

    /// <summary>When the session was signed in (Unix seconds): kept when the cookie is renewed, for the absolute lifetime.</summary>
    public const string SignedInAtClaim = "newspush:signed_in_at";
    public const string SignedOutProvider = "NewsPush.SignedOutSession";

    /// <summary>The site's cookie lives at most this long (sliding), so a signed-out session need not be remembered longer.</summary>
    public static readonly TimeSpan CookieLifetime = TimeSpan.FromDays(14);

    public async Task SignOutSessionAsync(ClaimsPrincipal principal, CancellationToken ct)
    {
        if (principal.FindFirstValue(ClaimTypes.NameIdentifier) is not { } userId || principal.FindFirstValue(SessionClaim) is not { } sid)
        {
            return;
        }
        var now = clock.GetUtcNow();
        var expired = now - CookieLifetime;
        var mine = await db.UserTokens.Where(t => t.UserId == userId && t.LoginProvider == SignedOutProvider).ToListAsync(ct);
        db.UserTokens.RemoveRange(mine.Where(t => !DateTimeOffset.TryParse(t.Value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at) || at < expired));
        if (!mine.Any(t => t.Name == sid))
        {
            db.UserTokens.Add(new IdentityUserToken<string> { UserId = userId, LoginProvider = SignedOutProvider, Name = sid, Value = now.ToString("O", CultureInfo.InvariantCulture) });
        }
        await db.SaveChangesAsync(ct);
    }

    public Task<bool> IsSignedOutAsync(string userId, string sid) =>
        db.UserTokens.AnyAsync(t => t.UserId == userId && t.LoginProvider == SignedOutProvider && t.Name == sid);
}

/// <summary>Adds a fresh session id and the sign-in time to every principal Identity makes at sign-in.</summary>
public sealed class SessionClaimsPrincipalFactory(UserManager<ApplicationUser> users, RoleManager<IdentityRole> roles, IOptions<IdentityOptions> options, TimeProvider clock)
    : UserClaimsPrincipalFactory<ApplicationUser, IdentityRole>(users, roles, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(ApplicationUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        identity.AddClaim(new Claim(AccountSessions.SessionClaim, Guid.NewGuid().ToString("N")));
        identity.AddClaim(new Claim(AccountSessions.SignedInAtClaim, clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), ClaimValueTypes.Integer64));
        return identity;
    }
}

/// <summary>
/// Identity's security-stamp check, stricter: staff sessions are checked on every request, readers' every
/// <see cref="AccountOptions.ReaderSessionCheckSeconds"/>; a session that was signed out, or whose account's stamp changed,
/// is rejected and its cookie removed.
/// </summary>
public sealed class SessionSecurityStampValidator(IOptions<SecurityStampValidatorOptions> options, SignInManager<ApplicationUser> signInManager,
    ILoggerFactory logger, AccountSessions sessions, IOptions<AccountOptions> accounts, TimeProvider clock)
    : SecurityStampValidator<ApplicationUser>(options, signInManager, logger)
{
    /// <summary>
    /// Whether this request's cookie needs <see cref="ValidateAsync"/> at all. Most requests are a reader's within the
    /// check interval, for which the validator does nothing; asking first spares every such request making the validator
    /// and what it is made of (the sign-in and user managers, a database context): a sixth of a signed-in page's time.
    /// </summary>
    public static bool MustValidate(CookieValidatePrincipalContext context, TimeSpan interval, int absoluteSessionDays, TimeProvider clock)
    {
        if (context.Principal is not { } principal)
        {
            return true;
        }
        if (!WithinAbsoluteLifetime(principal, absoluteSessionDays, clock) || IsStaff(principal))
        {
            return true;
        }
        // As SecurityStampValidator decides: a cookie with no issue time, or issued longer ago than the interval.
        return context.Properties.IssuedUtc is not { } issued || clock.GetUtcNow() - issued > interval;
    }

    private static bool IsStaff(ClaimsPrincipal principal) => principal.IsInRole(Roles.Admin) || principal.IsInRole(Roles.Editor);

    public override async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        // Absolute lifetime, on every request: a session older than AbsoluteSessionDays (or from before sign-in times were
        // recorded) must sign in again, however often it was used.
        if (context.Principal is { } signedIn && !WithinAbsoluteLifetime(signedIn, accounts.Value.AbsoluteSessionDays, clock))
        {
            context.RejectPrincipal();
            await SignInManager.Context.SignOutAsync(IdentityConstants.ApplicationScheme);
            return;
        }
        if (context.Principal is { } principal && IsStaff(principal))
        {
            if (await VerifySecurityStamp(principal) is null)
            {
                context.RejectPrincipal();
                await SignInManager.Context.SignOutAsync(IdentityConstants.ApplicationScheme);
            }
            return;
        }
        await base.ValidateAsync(context);
    }

    private static bool WithinAbsoluteLifetime(ClaimsPrincipal principal, int absoluteSessionDays, TimeProvider clock) =>
        long.TryParse(principal.FindFirstValue(AccountSessions.SignedInAtClaim), NumberStyles.None, CultureInfo.InvariantCulture, out var at)
        && clock.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(at) < TimeSpan.FromDays(absoluteSessionDays);

    protected override async Task<ApplicationUser?> VerifySecurityStamp(ClaimsPrincipal? principal)
    {
        var user = await base.VerifySecurityStamp(principal);
        if (user is null || user.DeletedAt is not null)
        {
            return null;
        }
        var sid = principal?.FindFirstValue(AccountSessions.SessionClaim);
        return sid is not null && await sessions.IsSignedOutAsync(user.Id, sid) ? null : user;
    }
}
