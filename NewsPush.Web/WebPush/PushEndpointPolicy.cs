using System.Net;

namespace NewsPush.Web.WebPush;

/// <summary>
/// Which push endpoints the server may post to: https on a host of <see cref="WebPushOptions.EffectiveAllowedHosts"/>
/// (http only for a listed loopback host). A subscription's endpoint is an address a reader's browser gives us, so
/// this is what keeps the sender from being turned against our own network (SSRF).
/// </summary>
public static class PushEndpointPolicy
{
    public const int MaxLength = 800;

    /// <summary>Null when allowed; otherwise why not, in words for the reader's problem detail.</summary>
    public static string? Check(string? endpoint, IReadOnlyList<string> allowedHosts)
    {
        if (string.IsNullOrWhiteSpace(endpoint))
        {
            return "The subscription has no endpoint.";
        }
        if (endpoint.Length > MaxLength)
        {
            return $"The endpoint is longer than {MaxLength} characters.";
        }
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            return "The endpoint is not an http(s) address.";
        }
        if (uri.UserInfo.Length > 0)
        {
            return "The endpoint must not carry a user name or password.";
        }
        var host = uri.IdnHost.TrimEnd('.').ToLowerInvariant();
        if (!allowedHosts.Any(pattern => Matches(host, pattern)))
        {
            return $"Notifications can only be sent through a browser's push service; {host} is not one this site sends to.";
        }
        var loopback = host == "localhost" || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
        if (uri.Scheme == Uri.UriSchemeHttp && !loopback)
        {
            return "The endpoint must use https.";
        }
        if (!loopback && !uri.IsDefaultPort)
        {
            return "The endpoint must use the standard https port.";
        }
        return null;
    }

    /// <summary><c>*.example.com</c> matches sub-domains of example.com (not example.com itself); anything else matches exactly.</summary>
    public static bool Matches(string host, string pattern)
    {
        pattern = pattern.Trim().TrimEnd('.').ToLowerInvariant();
        return pattern.StartsWith("*.", StringComparison.Ordinal)
            ? host.EndsWith(pattern[1..], StringComparison.Ordinal) && host.Length > pattern.Length - 1
            : host == pattern;
    }
}
