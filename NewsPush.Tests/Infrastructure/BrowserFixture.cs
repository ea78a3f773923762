using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace NewsPush.Tests.Infrastructure;

/// <summary>The site on a real Kestrel port (127.0.0.1, free port) over a fresh SQLite database.</summary>
public sealed class KestrelNewsPushFactory : NewsPushFactory
{
    public KestrelNewsPushFactory() : base(TestDatabase.Sqlite) => UseKestrel(0);
}

/// <summary>
/// Shared browser-test fixture: starts the whole site with Kestrel on a free loopback port over a fresh
/// SQLite database (the usual <see cref="NewsPushFactory"/> settings, seeded users and articles), and one
/// headless Chromium (/usr/bin/chromium) driven by Playwright. Use it as a class or collection fixture:
/// <code>
/// public sealed class MyBrowserTests(BrowserFixture browser) : IClassFixture&lt;BrowserFixture&gt;
/// {
///     [Fact] public async Task Works() { await using var page = await browser.NewPageAsync(); await page.GotoAsync(browser.Url("/")); … }
/// }
/// </code>
/// Each <see cref="NewPageAsync"/> opens a page in its own browser context (own cookies), so tests do not
/// share a login. <see cref="AxeAsync"/> injects node_modules/axe-core/axe.min.js (run `npm ci` at the repo
/// root) and returns the violations. <see cref="Factory"/> gives database access (WithDbAsync, CreateUserAsync).
/// Disposing closes the browser, stops the server and deletes the database.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? playwright;
    private IBrowser? browser;

    public KestrelNewsPushFactory Factory { get; } = new();

    /// <summary>e.g. "http://127.0.0.1:41235".</summary>
    public string BaseUrl { get; private set; } = "";

    public IBrowser Browser => browser ?? throw new InvalidOperationException("The fixture is not initialized.");

    public string Url(string path) => BaseUrl + path;

    public async Task InitializeAsync()
    {
        Factory.StartServer();
        var addresses = Factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        BaseUrl = addresses.First(a => a.StartsWith("http://", StringComparison.Ordinal)).Replace("[::1]", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/');
        playwright = await Playwright.CreateAsync();
        browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    /// <summary>A page in a fresh context. <paramref name="bypassCsp"/> lets a test inject scripts such as axe.</summary>
    public async Task<PageHandle> NewPageAsync(bool bypassCsp = false)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = BaseUrl, BypassCSP = bypassCsp, Locale = "en-US" });
        context.SetDefaultTimeout(15_000);
        return new PageHandle(context, await context.NewPageAsync());
    }

    public static string AxePath
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var path = Path.Combine(dir.FullName, "node_modules", "axe-core", "axe.min.js");
                if (File.Exists(path))
                {
                    return path;
                }
            }
            throw new InvalidOperationException("node_modules/axe-core/axe.min.js not found; run `npm ci` at the repository root.");
        }
    }

    /// <summary>Runs axe-core on the page (opened with bypassCsp: true) and returns its violations.</summary>
    public static async Task<IReadOnlyList<AxeViolation>> AxeAsync(IPage page)
    {
        await page.AddScriptTagAsync(new PageAddScriptTagOptions { Path = AxePath });
        var json = await page.EvaluateAsync<JsonElement>("""
            async () => {
              const r = await axe.run(document, { resultTypes: ['violations'] });
              return r.violations.map(v => ({ id: v.id, impact: v.impact || '', help: v.help, targets: v.nodes.slice(0, 5).map(n => n.target.join(' ')) }));
            }
            """);
        return json.EnumerateArray().Select(v => new AxeViolation(
            v.GetProperty("id").GetString()!, v.GetProperty("impact").GetString()!, v.GetProperty("help").GetString()!,
            v.GetProperty("targets").EnumerateArray().Select(t => t.GetString()!).ToList())).ToList();
    }

    public async Task DisposeAsync()
    {
        if (browser is not null)
        {
            await browser.CloseAsync();
        }
        playwright?.Dispose();
        await Factory.DisposeAsync();
    }
}

public sealed record AxeViolation(string Id, string Impact, string Help, IReadOnlyList<string> Targets)
{
    public override string ToString() => $"{Impact} {Id}: {Help} at {string.Join(", ", Targets)}";
}

/// <summary>A page and its own browser context; disposing closes both.</summary>
public sealed class PageHandle(IBrowserContext context, IPage page) : IAsyncDisposable
{
    public IPage Page { get; } = page;

    public IBrowserContext Context { get; } = context;

    public async ValueTask DisposeAsync() => await Context.CloseAsync();
}
