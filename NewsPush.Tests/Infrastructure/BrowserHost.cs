using System.Text.Json;
using Microsoft.Playwright;

namespace NewsPush.Tests.Infrastructure;

/// <summary>
/// The one host for browser tests: the site of a <typeparamref name="TFactory"/> (e.g. <see cref="SqliteFactory"/>,
/// or <c>PushSqliteFactory</c> for a clock the test moves) on Kestrel at a free loopback port, and one headless
/// Chromium (/usr/bin/chromium) driven by Playwright. Use it as a class fixture:
/// <code>
/// public sealed class MyBrowserTests(BrowserHost&lt;SqliteFactory&gt; host) : IClassFixture&lt;BrowserHost&lt;SqliteFactory&gt;&gt;
/// {
///     [Fact] public async Task Works() { await using var tab = await host.LoggedInPageAsync(NewsPushFactory.EditorEmail); await tab.Page.GotoAsync("/"); … }
/// }
/// </code>
/// Every page has its own browser context (own cookies), so tests do not share a login. Disposing closes the
/// browser, stops the server and deletes the database.
/// </summary>
public sealed class BrowserHost<TFactory> : IAsyncLifetime where TFactory : NewsPushFactory, new()
{
    private IPlaywright? playwright;
    private IBrowser? browser;

    /// <summary>Database access and the factory's helpers (WithDbAsync, CreateUserAsync, …).</summary>
    public TFactory Factory { get; } = new();

    /// <summary>e.g. "http://127.0.0.1:41235".</summary>
    public string BaseUrl { get; private set; } = "";

    public IBrowser Browser => browser ?? throw new InvalidOperationException("The host is not initialized.");

    public string Url(string path) => BaseUrl + path;

    public async Task InitializeAsync()
    {
        BaseUrl = Factory.StartOnLoopbackPort().ToString().TrimEnd('/');
        // Playwright's web-first assertions wait 5 s by default: too little on a busy two-core CI machine, where a
        // page's first render or a hub round trip can take longer. Actions already wait 15 s (below).
        Assertions.SetDefaultExpectTimeout(15_000);
        playwright = await Playwright.CreateAsync();
        browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"],
        });
    }

    /// <summary>
    /// An anonymous page in a fresh context. <paramref name="bypassCsp"/> lets a test inject scripts such as axe;
    /// <paramref name="timeZoneId"/> is the zone the browser reports (the machine's when null).
    /// </summary>
    public async Task<PageHandle> NewPageAsync(bool bypassCsp = false, string? timeZoneId = null)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = BaseUrl, BypassCSP = bypassCsp, Locale = "en-US", TimezoneId = timeZoneId });
        context.SetDefaultTimeout(15_000);
        return new PageHandle(context, await context.NewPageAsync());
    }

    /// <summary>
    /// A page in a fresh context signed in as <paramref name="email"/>: the cookies of a real login through the login
    /// form (<see cref="LoginExtensions.CreateLoggedInClientAsync"/>, the one login helper) are handed to the browser.
    /// </summary>
    public async Task<PageHandle> LoggedInPageAsync(string email, string? password = null, bool bypassCsp = false, string? timeZoneId = null)
    {
        using var client = await Factory.CreateLoggedInClientAsync(email, password);
        var handle = await NewPageAsync(bypassCsp, timeZoneId);
        await handle.Context.AddCookiesAsync(client.Cookies.GetAllCookies().Select(c => new Cookie
        {
            Name = c.Name, Value = c.Value, Url = BaseUrl, HttpOnly = c.HttpOnly, Secure = c.Secure, SameSite = SameSiteAttribute.Lax,
        }));
        return handle;
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

/// <summary>A page and its own browser context; disposing closes both.</summary>
public sealed class PageHandle(IBrowserContext context, IPage page) : IAsyncDisposable
{
    public IPage Page { get; } = page;

    public IBrowserContext Context { get; } = context;

    public async ValueTask DisposeAsync() => await Context.CloseAsync();
}

/// <summary>axe-core accessibility checks on a page opened with <c>bypassCsp: true</c> (run `npm ci` at the repo root).</summary>
/// <summary>Screenshots for people to look at (TestResults/screenshots, not in git).</summary>
public static class Screenshots
{
    public static Task SaveAsync(IPage page, string name) => SaveAsync(page, name, fullPage: true);

    /// <summary>Only the first screen, as a person opening the page sees it (the small pictures of the docs).</summary>
    public static Task SaveViewportAsync(IPage page, string name) => SaveAsync(page, name, fullPage: false);

    private static async Task SaveAsync(IPage page, string name, bool fullPage)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "NewsPush.sln")))
        {
            dir = dir.Parent;
        }
        var folder = Path.Combine(dir?.FullName ?? AppContext.BaseDirectory, "TestResults", "screenshots");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name + ".png"), FullPage = fullPage });
    }
}

public static class Axe
{
    public static string ScriptPath
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

    /// <summary>Injects axe-core into the page and returns its violations.</summary>
    public static async Task<IReadOnlyList<AxeViolation>> RunAsync(IPage page)
    {
        await page.AddScriptTagAsync(new PageAddScriptTagOptions { Path = ScriptPath });
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
}

public sealed record AxeViolation(string Id, string Impact, string Help, IReadOnlyList<string> Targets)
{
    public override string ToString() => $"{Impact} {Id}: {Help} at {string.Join(", ", Targets)}";
}
