using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.TestHost;
using Microsoft.AspNetCore.Hosting;
using NewsPush.Tests.Infrastructure;
using NewsPush.Web.Account;
using static NewsPush.Tests.Web.Reader.ReaderTestData;

namespace NewsPush.Tests.Web.Account;

/// <summary>What Production refuses, and what it sends: the start-up messages an operator reads, HSTS and __Host- cookies behind the proxy.</summary>
public sealed class ProductionDefaultsTests
{
    private static Exception StartFails(ProductionFactory factory)
    {
        var error = Record.Exception(() => factory.Server);
        Assert.NotNull(error);
        return error;
    }

    private static string Messages(Exception e) => e is AggregateException a ? string.Join("\n", a.Flatten().InnerExceptions.Select(x => x.Message)) : e.Message;

    [Fact]
    public async Task ProductionRefusesToStartWithoutAnSmtpHostUnlessThePickupFolderIsChosen()
    {
        await using var noSmtp = new ProductionFactory(s => s["Email:SmtpHost"] = null);
        Assert.Contains("Email:SmtpHost is required in Production", Messages(StartFails(noSmtp)));

        await using var pickup = new ProductionFactory(s => { s["Email:SmtpHost"] = null; s["Email:UsePickupFolder"] = "true"; });
        Assert.NotNull(pickup.Server);
    }

    [Fact]
    public async Task ProductionRefusesToStartWithoutAnHttpsPublicBaseUrl()
    {
        await using var factory = new ProductionFactory(s => s["Email:PublicBaseUrl"] = "http://news.example.com");
        Assert.Contains("Email:PublicBaseUrl must be the site's public https:// address in Production", Messages(StartFails(factory)));
    }

    [Fact]
    public async Task ProductionRefusesToStartWithAKeyRingInClearUnlessAllowedOnPurpose()
    {
        await using var factory = new ProductionFactory(s => s.Remove("DataProtection:AllowUnprotectedKeys"));
        Assert.Contains("DataProtection:CertificateFile (or DataProtection:Certificate, base64) is required outside Development", Messages(StartFails(factory)));
    }

    [Fact]
    public async Task ProductionRefusesToMakeTheFirstAdminWithAPasswordNobodyIsShown()
    {
        await using var factory = new ProductionFactory(s => s["Seed:AdminPassword"] = null);
        Assert.Contains("Seed:AdminPassword is required to create the first admin (admin@test.local) in Production", Messages(StartFails(factory)));
    }

    [Fact]
    public async Task ProductionSeedsNoDemoContentUnlessAskedAndPrintsNoPassword()
    {
        var logs = new LogCollector();
        await using var factory = new LoggingProductionFactory(logs, s => { s["Seed:EditorPassword"] = null; s["Seed:DemoReaderPassword"] = null; });
        _ = factory.Server;

        Assert.False(await factory.WithDbAsync(db => db.Columns.AnyAsync()));
        Assert.False(await factory.WithDbAsync(db => db.Users.AnyAsync(u => u.Email!.StartsWith("reader1@"))));
        Assert.Contains(logs.Messages, m => m.Contains("editor@test.local with a random password that is not shown outside Development", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Messages, m => m.Contains(" with password ", StringComparison.Ordinal));

        await using var asked = new ProductionFactory(s => s["Seed:DemoContent"] = "true");
        Assert.True(await asked.WithDbAsync(db => db.Columns.AnyAsync()));
    }

    [Fact]
    public async Task BehindTheKnownProxyProductionSendsHstsAndHostPrefixedSecureCookies()
    {
        await using var factory = new ProductionFactory();
        using var viaProxy = factory.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("http://news.example.com"), AllowAutoRedirect = false });
        viaProxy.DefaultRequestHeaders.Add(SecurityFactory.PeerHeader, "10.0.0.1");
        viaProxy.DefaultRequestHeaders.Add("X-Forwarded-For", "203.0.113.9");
        viaProxy.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
        using var spoofer = factory.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("http://news.example.com"), AllowAutoRedirect = false });
        spoofer.DefaultRequestHeaders.Add(SecurityFactory.PeerHeader, "198.51.100.3");
        spoofer.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");

        var page = await viaProxy.GetAsync("/account/login");
        var spoofed = await spoofer.GetAsync("/account/login");

        Assert.True(page.Headers.Contains("Strict-Transport-Security"), "no HSTS behind the proxy");
        Assert.Equal("max-age=31536000; includeSubDomains", Assert.Single(page.Headers.GetValues("Strict-Transport-Security")));
        var antiforgery = Assert.Single(page.Headers.GetValues("Set-Cookie"), c => c.Contains("__Host-newspush.af=", StringComparison.Ordinal));
        Assert.Contains("secure", antiforgery, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/", antiforgery, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("domain=", antiforgery, StringComparison.OrdinalIgnoreCase);
        Assert.False(spoofed.Headers.Contains("Strict-Transport-Security"), "an unknown peer chose its own scheme");

        var user = await factory.CreateUserAsync(Unique("prod") + "@test.local");
        using var https = factory.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://news.example.com"), AllowAutoRedirect = false });
        var login = await https.PostFormAsync("/account/login", new Dictionary<string, string> { ["Email"] = user.Email!, ["Password"] = NewsPushFactory.Password });
        var auth = Assert.Single(login.Headers.GetValues("Set-Cookie"), c => c.StartsWith(AccountServiceCollectionExtensions.ProductionAuthCookie + "=", StringComparison.Ordinal));
        Assert.Contains("secure", auth, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", auth, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task BehindTheKnownProxyEachClientHasItsOwnRegistrationLimitAndOthersCannotChooseTheirAddress()
    {
        await using var factory = new ProductionFactory(s => { s["RateLimits:Register:PermitLimit"] = "2"; s["RateLimits:Register:WindowSeconds"] = "3600"; });
        async Task<HttpStatusCode> ForgotAsync(string peer, string? forwardedFor)
        {
            using var client = factory.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://news.example.com"), AllowAutoRedirect = false });
            client.DefaultRequestHeaders.Add(SecurityFactory.PeerHeader, peer);
            if (forwardedFor is not null)
            {
                client.DefaultRequestHeaders.Add("X-Forwarded-For", forwardedFor);
            }
            return (await client.PostFormAsync("/account/forgot-password", new Dictionary<string, string> { ["Email"] = Unique("f") + "@test.local" })).StatusCode;
        }

        var first = new[] { await ForgotAsync("10.0.0.1", "203.0.113.1"), await ForgotAsync("10.0.0.1", "203.0.113.1"), await ForgotAsync("10.0.0.1", "203.0.113.1") };
        var second = await ForgotAsync("10.0.0.1", "203.0.113.2");
        var spoofing = new[] { await ForgotAsync("198.51.100.4", "192.0.2.1"), await ForgotAsync("198.51.100.4", "192.0.2.2"), await ForgotAsync("198.51.100.4", "192.0.2.3") };

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], first);
        Assert.Equal(HttpStatusCode.OK, second);
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], spoofing);
    }

    [Fact]
    public async Task WithACertificateTheKeyRingIsEncryptedInTheDatabase()
    {
        var folder = Directory.CreateTempSubdirectory("newspush-keyring").FullName;
        try
        {
            using var rsa = RSA.Create(2048);
            var request = new CertificateRequest("CN=NewsPush key ring (test)", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
            var file = Path.Combine(folder, "keyring.pfx");
            await File.WriteAllBytesAsync(file, certificate.Export(X509ContentType.Pfx, "pfx password"));
            await using var factory = new ProductionFactory(s =>
            {
                s.Remove("DataProtection:AllowUnprotectedKeys");
                s["DataProtection:CertificateFile"] = file;
                s["DataProtection:CertificatePassword"] = "pfx password";
            });
            var user = await factory.CreateUserAsync(Unique("ring") + "@test.local");
            using var https = factory.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://news.example.com"), AllowAutoRedirect = false });

            var login = await https.PostFormAsync("/account/login", new Dictionary<string, string> { ["Email"] = user.Email!, ["Password"] = NewsPushFactory.Password });
            var keys = await factory.WithDbAsync(db => db.DataProtectionKeys.Select(k => k.Xml!).ToListAsync());

            Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await https.GetAsync("/me/bookmarks")).StatusCode);
            Assert.NotEmpty(keys);
            Assert.All(keys, xml =>
            {
                Assert.Contains("EncryptedXmlDecryptor", xml, StringComparison.Ordinal);
                Assert.DoesNotContain("<value>", xml, StringComparison.Ordinal);
            });
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private sealed class LoggingProductionFactory(LogCollector logs, Action<Dictionary<string, string?>> settings) : NewsPushFactory(TestDatabase.Sqlite)
    {
        private readonly ProductionFactory template = new(settings);

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            foreach (var (k, v) in template.Settings)
            {
                Settings[k] = v;
            }
            base.ConfigureWebHost(builder);
            builder.UseEnvironment("Production");
            builder.ConfigureTestServices(s => s.AddSingleton<ILoggerProvider>(logs));
        }

        protected override void Dispose(bool disposing)
        {
            template.Dispose();
            base.Dispose(disposing);
        }
    }
}

public sealed class LogCollector : ILoggerProvider
{
    private readonly List<string> messages = [];

    public IReadOnlyList<string> Messages
    {
        get
        {
            lock (messages)
            {
                return [.. messages];
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => new Collector(this);

    public void Dispose()
    {
    }

    private sealed class Collector(LogCollector owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (owner.messages)
            {
                owner.messages.Add(formatter(state, exception));
            }
        }
    }
}
