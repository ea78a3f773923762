using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;

namespace NewsPush.Web.Webhooks;

/// <summary>
/// A robot's URL (it carries the access token) and secret are protected with Data Protection (the keys are in the
/// database, so every node reads them); pages show only hints.
/// </summary>
public sealed class RobotSecrets(IDataProtectionProvider protection)
{
    private readonly IDataProtector protector = protection.CreateProtector("NewsPush.Webhooks.Credentials.v1");

    public string Protect(string value) => protector.Protect(value);

    public string Unprotect(string value) => protector.Unprotect(value);

    /// <summary>SHA-256 (hex) of the URL as given, to find a robot added twice.</summary>
    public static string Hash(string url) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(url.Trim())));

    /// <summary>"oapi.dingtalk.com/…a1b2": the host and the last four characters.</summary>
    public static string UrlHint(string url) =>
        Uri.TryCreate(url.Trim(), UriKind.Absolute, out var u) ? $"{u.Authority}/…{Tail(url.Trim())}" : "…" + Tail(url);

    /// <summary>"SEC…89ab": the first three and the last four characters.</summary>
    public static string SecretHint(string secret) => secret.Length <= 10 ? "…" + Tail(secret, 2) : $"{secret[..Math.Min(6, secret.Length / 4)]}…{Tail(secret)}";

    private static string Tail(string s, int n = 4) => s.Length <= n ? s : s[^n..];
}
