using System.Net;
using System.Net.Sockets;

namespace NewsPush.Web.Webhooks;

/// <summary>
/// SSRF protection for URLs people give us: only http(s) URLs without user info; unless private networks are allowed,
/// only https, and only hosts whose every address is public. <see cref="ConnectAsync"/> resolves and checks again at
/// connect time and connects to the address it checked, so a name that changes its answer (DNS rebinding) cannot
/// slip through; redirects are never followed (the client does not follow them).
/// </summary>
public sealed class WebhookAddressPolicy(bool allowPrivateNetworks, Func<string, CancellationToken, Task<IPAddress[]>>? resolve = null)
{
    private readonly Func<string, CancellationToken, Task<IPAddress[]>> resolve = resolve ?? ((host, ct) => Dns.GetHostAddressesAsync(host, ct));

    public bool AllowPrivateNetworks => allowPrivateNetworks;

    /// <summary>Why <paramref name="url"/> may not be used, or null when it may (resolving its host).</summary>
    public async Task<string?> CheckAsync(string? url, CancellationToken ct)
    {
        if (!Uri.TryCreate(url?.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            return "Give the full address the provider shows, starting with https://.";
        }
        if (uri.UserInfo.Length > 0)
        {
            return "The address must not contain a user name or password.";
        }
        if (allowPrivateNetworks)
        {
            return null;
        }
        if (uri.Scheme != Uri.UriSchemeHttps)
        {
            return "Only https:// addresses are allowed.";
        }
        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(uri.IdnHost, out var literal) ? [literal] : await resolve(uri.IdnHost, ct);
        }
        catch (SocketException)
        {
            return $"The host {uri.Host} cannot be found.";
        }
        if (addresses.Length == 0)
        {
            return $"The host {uri.Host} cannot be found.";
        }
        return FirstNotPublic(addresses) is { } bad
            ? $"{uri.Host} is a private or local address ({bad}); robots must be on the public internet."
            : null;
    }

    /// <summary>The <see cref="SocketsHttpHandler.ConnectCallback"/>: resolve, refuse any non-public address, connect to a checked one.</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await resolve(host, ct);
        if (!allowPrivateNetworks && FirstNotPublic(addresses) is { } bad)
        {
            throw new WebhookAddressRefusedException($"{host} resolves to {bad}, a private or local address: not connected.");
        }
        if (addresses.Length == 0)
        {
            throw new WebhookAddressRefusedException($"{host} has no address.");
        }
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static IPAddress? FirstNotPublic(IPAddress[] addresses) => addresses.FirstOrDefault(a => !IsPublic(a));

    /// <summary>
    /// False for loopback, "this network", private (RFC 1918), carrier-grade NAT, link-local (the cloud metadata
    /// address 169.254.169.254), benchmarking, documentation, multicast and reserved ranges, IPv6 unique-local and
    /// site-local, and IPv4 addresses mapped or embedded in IPv6.
    /// </summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return IsPublic(address.MapToIPv4());
        }
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return !(b[0] == 0 || b[0] == 10 || b[0] == 127 || b[0] >= 224
                || (b[0] == 100 && b[1] >= 64 && b[1] <= 127)
                || (b[0] == 169 && b[1] == 254)
                || (b[0] == 172 && b[1] >= 16 && b[1] <= 31)
                || (b[0] == 192 && b[1] == 168)
                || (b[0] == 192 && b[1] == 0 && (b[2] == 0 || b[2] == 2))
                || (b[0] == 198 && (b[1] == 18 || b[1] == 19))
                || (b[0] == 198 && b[1] == 51 && b[2] == 100)
                || (b[0] == 203 && b[1] == 0 && b[2] == 113));
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.IPv6None) || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal
                || address.IsIPv6Multicast || address.IsIPv6UniqueLocal || address.IsIPv6Teredo)
            {
                return false;
            }
            var b = address.GetAddressBytes();
            // ::/96 (IPv4-compatible), 64:ff9b::/96 (NAT64), 2002::/16 (6to4) and 2001:db8::/32 (documentation).
            var embedsV4 = b.Take(12).All(x => x == 0) || (b[0] == 0 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b) || (b[0] == 0x20 && b[1] == 0x02);
            return !embedsV4 && !(b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8);
        }
        return false;
    }
}

public sealed class WebhookAddressRefusedException(string message) : HttpRequestException(message);
