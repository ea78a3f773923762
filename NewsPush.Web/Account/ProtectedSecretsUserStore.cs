using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using NewsPush.Data;
using NewsPush.Data.Entities;

namespace NewsPush.Web.Account;

/// <summary>
/// Identity's EF store with the two-factor secrets protected at rest (ASVS 5.0 6.5.2, 13.3.1): the authenticator key
/// (the TOTP seed) is encrypted with Data Protection (whose key ring is itself encrypted, ADR-019), and recovery codes
/// are kept only as salted PBKDF2 hashes, so a copy of the database yields neither codes nor seeds. Values written
/// before this store (plain) are still read, and replaced the next time they are written.
/// </summary>
public sealed class ProtectedSecretsUserStore(NewsPushDbContext context, IDataProtectionProvider dataProtection, IdentityErrorDescriber? describer = null)
    : UserStore<ApplicationUser, IdentityRole, NewsPushDbContext>(context, describer)
{
    private const string InternalProvider = "[AspNetUserStore]";
    private const string KeyName = "AuthenticatorKey";
    private const string CodesName = "RecoveryCodes";
    private const string ProtectedPrefix = "dp:";
    private const string HashPrefix = "p2:";

    /// <summary>
    /// PBKDF2-HMAC-SHA256 iterations per recovery code. The codes are random (50 bits), not chosen by people, so far fewer
    /// iterations than for passwords keep an offline search out of reach, while checking a typed code against all ten
    /// stays fast.
    /// </summary>
    public const int CodeHashIterations = 20_000;

    private readonly IDataProtector keys = dataProtection.CreateProtector("NewsPush.Account.AuthenticatorKey");

    public override Task SetAuthenticatorKeyAsync(ApplicationUser user, string key, CancellationToken cancellationToken) =>
        SetTokenAsync(user, InternalProvider, KeyName, ProtectedPrefix + keys.Protect(key), cancellationToken);

    public override async Task<string?> GetAuthenticatorKeyAsync(ApplicationUser user, CancellationToken cancellationToken)
    {
        var stored = await GetTokenAsync(user, InternalProvider, KeyName, cancellationToken);
        if (stored is null || !stored.StartsWith(ProtectedPrefix, StringComparison.Ordinal))
        {
            return stored;
        }
        try
        {
            return keys.Unprotect(stored[ProtectedPrefix.Length..]);
        }
        catch (CryptographicException)
        {
            // The key ring that encrypted it is gone: as if no authenticator were set up (recovery codes still work).
            return null;
        }
    }

    public override Task ReplaceCodesAsync(ApplicationUser user, IEnumerable<string> recoveryCodes, CancellationToken cancellationToken) =>
        SetTokenAsync(user, InternalProvider, CodesName, string.Join(";", recoveryCodes.Select(Hash)), cancellationToken);

    public override async Task<bool> RedeemCodeAsync(ApplicationUser user, string code, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(code);
        var stored = await GetTokenAsync(user, InternalProvider, CodesName, cancellationToken) ?? "";
        var entries = stored.Split(';', StringSplitOptions.RemoveEmptyEntries).ToList();
        var match = entries.FindIndex(e => Matches(e, code));
        if (match < 0)
        {
            return false;
        }
        entries.RemoveAt(match);
        await SetTokenAsync(user, InternalProvider, CodesName, string.Join(";", entries), cancellationToken);
        return true;
    }

    private static string Hash(string code)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Rfc2898DeriveBytes.Pbkdf2(code, salt, CodeHashIterations, HashAlgorithmName.SHA256, 32);
        return HashPrefix + Convert.ToBase64String(salt) + ":" + Convert.ToBase64String(hash);
    }

    private static bool Matches(string entry, string code)
    {
        if (!entry.StartsWith(HashPrefix, StringComparison.Ordinal))
        {
            // Written before hashing: compared as Identity did, in constant time.
            return CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(entry), System.Text.Encoding.UTF8.GetBytes(code));
        }
        var parts = entry[HashPrefix.Length..].Split(':');
        if (parts.Length != 2)
        {
            return false;
        }
        var salt = Convert.FromBase64String(parts[0]);
        var expected = Convert.FromBase64String(parts[1]);
        var actual = Rfc2898DeriveBytes.Pbkdf2(code, salt, CodeHashIterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }
}
