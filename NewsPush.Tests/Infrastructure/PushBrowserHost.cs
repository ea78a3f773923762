using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using NewsPush.Tests.Web.Push;

namespace NewsPush.Tests.Infrastructure;

/// <summary>
/// The push test site on a real Kestrel port (loopback, chosen by the OS) over a fresh SQLite database, plus
/// one headless Chromium. Self-contained until the shared BrowserFixture lands; the lead may fold it in.
/// </summary>
public sealed class PushBrowserHost : PushFactory, IAsyncLifetime
{
    private IPlaywright? playwright;

    public PushBrowserHost() : base(TestDatabase.Sqlite)
    {
        UseKestrel(0);
    }

    public IBrowser Browser { get; private set; } = null!;

    public Uri BaseUrl { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        StartServer();
        var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUrl = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("localhost", "127.0.0.1", StringComparison.Ordinal));
        ClientOptions.BaseAddress = BaseUrl;
        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    /// <summary>A browser context already signed in as <paramref name="email"/> (cookies from a real login).</summary>
    public async Task<IBrowserContext> SignedInContextAsync(string email)
    {
        var (client, cookie) = await this.LoginWithCookieAsync(email);
        client.Dispose();
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = BaseUrl.ToString() });
        await context.AddCookiesAsync(cookie.Split("; ").Select(c => c.Split('=', 2)).Select(kv => new Cookie
        {
            Name = kv[0], Value = kv[1], Domain = BaseUrl.Host, Path = "/", HttpOnly = true, SameSite = SameSiteAttribute.Lax,
        }));
        return context;
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }
        playwright?.Dispose();
    }
}
