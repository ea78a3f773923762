using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace NewsPush.Web.Infrastructure;

/// <summary>
/// The "ForwardedHeaders" section: the reverse proxies (load balancers) whose <c>X-Forwarded-For</c> and
/// <c>X-Forwarded-Proto</c> the site believes. Behind them, rate limits count the real client's address, and
/// https is seen (Secure cookies, HSTS). From any other peer the headers are ignored, so a client cannot choose its
/// own address. Loopback is trusted as well, as ASP.NET Core does by default.
/// </summary>
public sealed class ProxyOptions
{
    public const string SectionName = "ForwardedHeaders";

    /// <summary>Addresses of the proxies, e.g. <c>10.0.0.5</c>.</summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Networks of the proxies in CIDR notation, e.g. <c>10.0.0.0/8</c>.</summary>
    public string[] KnownNetworks { get; set; } = [];

    /// <summary>How many proxies in a row to walk back through (one load balancer: 1).</summary>
    public int ForwardLimit { get; set; } = 1;
}

public static class ProxyServiceCollectionExtensions
{
    public static IServiceCollection AddProxies(this IServiceCollection services, IConfiguration configuration)
    {
        var proxies = configuration.GetSection(ProxyOptions.SectionName).Get<ProxyOptions>() ?? new ProxyOptions();
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.ForwardLimit = proxies.ForwardLimit;
            foreach (var text in proxies.KnownProxies)
            {
                o.KnownProxies.Add(IPAddress.TryParse(text.Trim(), out var address) ? address
                    : throw new InvalidOperationException($"ForwardedHeaders:KnownProxies has \"{text}\", which is not an IP address (e.g. 10.0.0.5)."));
            }
            foreach (var text in proxies.KnownNetworks)
            {
                o.KnownIPNetworks.Add(System.Net.IPNetwork.TryParse(text.Trim(), out var network) ? network
                    : throw new InvalidOperationException($"ForwardedHeaders:KnownNetworks has \"{text}\", which is not a network in CIDR notation (e.g. 10.0.0.0/8)."));
            }
        });
        return services;
    }
}
