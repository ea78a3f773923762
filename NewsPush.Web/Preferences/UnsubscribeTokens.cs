using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace NewsPush.Web.Preferences;

/// <summary>Signed, login-free unsubscribe tokens (Data Protection: keys in the database, shared by all nodes).</summary>
public sealed class UnsubscribeTokens(IDataProtectionProvider provider)
{
    private readonly IDataProtector protector = provider.CreateProtector("NewsPush.Push.Unsubscribe.v1");

    public string Create(string userId) => protector.Protect(userId);

    public string? ReadUserId(string? token)
    {
        if (string.IsNullOrWhiteSpace(token) || token.Length > 2000)
        {
            return null;
        }
        try
        {
            return protector.Unprotect(token);
        }
        catch (CryptographicException)
        {
            return null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
