using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using NewsPush.Tests.Infrastructure;
using NewsPush.Tests.Web.Push;

namespace NewsPush.Tests.Web.Account;

/// <summary>
/// The site with a clock the test moves, the real (small) sign-in limits and delays, and a way to choose the address a
/// request comes from: the header <see cref="PeerHeader"/> sets the connection's remote address, as the network would.
/// </summary>
public class SecurityFactory : NewsPushFactory
{
    public const string PeerHeader = "X-Test-Peer";

    public SecurityFactory(TestDatabase database) : base(database)
    {
        Settings["RateLimits:Login:PermitLimit"] = "100";
        Settings["RateLimits:Login:WindowSeconds"] = "60";
        Settings["RateLimits:Register:PermitLimit"] = "3";
        Settings["RateLimits:Register:WindowSeconds"] = "3600";
        Settings["Accounts:FreeFailedSignIns"] = "3";
        Settings["Accounts:MaxSignInDelaySeconds"] = "60";
    }

    public TestClock Clock { get; } = new(new DateTimeOffset(DateTime.UtcNow.Ticks - DateTime.UtcNow.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<TimeProvider>(Clock);
            services.AddSingleton<IStartupFilter, PeerAddressStartupFilter>();
        });
    }

    private sealed class PeerAddressStartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((HttpContext context, RequestDelegate nextMiddleware) =>
            {
                if (context.Request.Headers.TryGetValue(PeerHeader, out var peer) && IPAddress.TryParse(peer, out var address))
                {
                    context.Connection.RemoteIpAddress = address;
                }
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}

public sealed class SqliteSecurityFactory() : SecurityFactory(TestDatabase.Sqlite);

public sealed class PostgreSqlSecurityFactory() : SecurityFactory(TestDatabase.PostgreSql);

/// <summary>The site in Production, with the settings Production requires unless a test leaves one out.</summary>
public sealed class ProductionFactory : NewsPushFactory
{
    public ProductionFactory(Action<Dictionary<string, string?>>? settings = null) : base(TestDatabase.Sqlite)
    {
        Settings["Email:PublicBaseUrl"] = "https://news.example.com";
        Settings["Email:SmtpHost"] = "smtp.example.com";
        Settings["DataProtection:AllowUnprotectedKeys"] = "true";
        Settings["ForwardedHeaders:KnownProxies:0"] = "10.0.0.1";
        settings?.Invoke(Settings);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseEnvironment("Production");
        builder.ConfigureTestServices(services => services.AddSingleton<IStartupFilter, PeerFilter>());
    }

    private sealed class PeerFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((HttpContext context, RequestDelegate nextMiddleware) =>
            {
                if (context.Request.Headers.TryGetValue(SecurityFactory.PeerHeader, out var peer) && IPAddress.TryParse(peer, out var address))
                {
                    context.Connection.RemoteIpAddress = address;
                }
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}

/// <summary>RFC 6238 TOTP (HMAC-SHA1, 30 s, 6 digits) from a base32 key, as an authenticator app computes it.</summary>
public static class Totp
{
    public static string Code(string base32Key, DateTimeOffset? at = null)
    {
        var key = Base32(base32Key);
        var step = (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds() / 30;
        var counter = BitConverter.GetBytes(step);
        if (BitConverter.IsLittleEndian)
        {
            Array.Reverse(counter);
        }
#pragma warning disable CA5350 // RFC 6238 as authenticator apps and Identity compute it: HMAC-SHA1
        var hash = System.Security.Cryptography.HMACSHA1.HashData(key, counter);
#pragma warning restore CA5350
        var offset = hash[^1] & 0x0f;
        var binary = ((hash[offset] & 0x7f) << 24) | (hash[offset + 1] << 16) | (hash[offset + 2] << 8) | hash[offset + 3];
        return (binary % 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
    }

    private static byte[] Base32(string text)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var clean = text.Replace(" ", "", StringComparison.Ordinal).TrimEnd('=').ToUpperInvariant();
        var bytes = new List<byte>();
        int buffer = 0, bits = 0;
        foreach (var c in clean)
        {
            buffer = (buffer << 5) | alphabet.IndexOf(c, StringComparison.Ordinal);
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
