using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using NewsPush.Data.Entities;

namespace NewsPush.Web.Account;

/// <summary>
/// Identity's authenticator (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits) with two changes for ASVS 5.0 6.5.1 and
/// 6.5.5: a code is accepted once (the step it belongs to is stored, and a code of that step or an earlier one is
/// refused afterwards, so a code seen over someone's shoulder or replayed from a log does not sign in again), and only
/// one step of clock drift either way is accepted (Identity's own provider accepts two).
/// The last step is stored in AspNetUserTokens; the user row's concurrency stamp makes two requests racing with the
/// same code end with one success.
/// </summary>
public sealed class OneTimeAuthenticatorTokenProvider : IUserTwoFactorTokenProvider<ApplicationUser>
{
    public const string LoginProvider = "NewsPush";
    public const string LastStepName = "LastAuthenticatorStep";

    private static readonly TimeSpan Step = TimeSpan.FromSeconds(30);

    /// <summary>Steps of clock drift accepted either side of now.</summary>
    public const int AllowedDrift = 1;

    private readonly TimeProvider clock;

    /// <summary>On the site's clock (the system's in production; tests move theirs and compute codes for it).</summary>
    public OneTimeAuthenticatorTokenProvider(TimeProvider clock) => this.clock = clock;

    public Task<string> GenerateAsync(string purpose, UserManager<ApplicationUser> manager, ApplicationUser user) => Task.FromResult(string.Empty);

    public async Task<bool> CanGenerateTwoFactorTokenAsync(UserManager<ApplicationUser> manager, ApplicationUser user) =>
        !string.IsNullOrWhiteSpace(await manager.GetAuthenticatorKeyAsync(user));

    public async Task<bool> ValidateAsync(string purpose, string token, UserManager<ApplicationUser> manager, ApplicationUser user)
    {
        if (token.Length != 6 || !token.All(char.IsAsciiDigit) || await manager.GetAuthenticatorKeyAsync(user) is not { Length: > 0 } key
            || Base32(key) is not { Length: > 0 } secret)
        {
            return false;
        }
        var now = clock.GetUtcNow().ToUnixTimeSeconds() / (long)Step.TotalSeconds;
        var last = long.TryParse(await manager.GetAuthenticationTokenAsync(user, LoginProvider, LastStepName), NumberStyles.None, CultureInfo.InvariantCulture, out var l) ? l : long.MinValue;
        for (var step = now - AllowedDrift; step <= now + AllowedDrift; step++)
        {
            if (step > last && CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(Code(secret, step)), System.Text.Encoding.ASCII.GetBytes(token)))
            {
                // Used up: this step and every earlier one. A concurrent use of the same code fails on the concurrency stamp.
                var stored = await manager.SetAuthenticationTokenAsync(user, LoginProvider, LastStepName, step.ToString(CultureInfo.InvariantCulture));
                return stored.Succeeded;
            }
        }
        return false;
    }

    /// <summary>The 6-digit code of <paramref name="step"/> (RFC 6238 with HMAC-SHA1, as authenticator apps compute it).</summary>
    public static string Code(byte[] secret, long step)
    {
        Span<byte> counter = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(counter, step);
#pragma warning disable CA5350 // RFC 6238 TOTP as every authenticator app computes it: HMAC-SHA1 is the standard's default
        var hash = HMACSHA1.HashData(secret, counter);
#pragma warning restore CA5350
        var offset = hash[^1] & 0x0f;
        var binary = ((hash[offset] & 0x7f) << 24) | (hash[offset + 1] << 16) | (hash[offset + 2] << 8) | hash[offset + 3];
        return (binary % 1_000_000).ToString("D6", CultureInfo.InvariantCulture);
    }

    /// <summary>RFC 4648 base32, as Identity stores authenticator keys; empty when the text is not base32.</summary>
    public static byte[] Base32(string text)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var bytes = new List<byte>(text.Length * 5 / 8);
        int buffer = 0, bits = 0;
        foreach (var c in text.ToUpperInvariant())
        {
            if (c is ' ' or '=')
            {
                continue;
            }
            var value = alphabet.IndexOf(c, StringComparison.Ordinal);
            if (value < 0)
            {
                return [];
            }
            buffer = (buffer << 5) | value;
            bits += 5;
            if (bits >= 8)
            {
                bytes.Add((byte)(buffer >> (bits - 8)));
                bits -= 8;
            }
        }
        return [.. bytes];
    }
}
