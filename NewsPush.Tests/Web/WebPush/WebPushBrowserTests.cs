using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using NewsPush.Data.Entities;
using NewsPush.Tests.Infrastructure;

namespace NewsPush.Tests.Web.WebPush;

/// <summary>
/// "Notifications in this browser" in headless Chromium, end to end: the preferences page registers /sw.js and
/// subscribes; the server encrypts a digest to the push-service peer, which decrypts it as a browser would; the
/// plaintext is handed to the service worker with CDP <c>ServiceWorker.deliverPushMessage</c> (headless Chromium has
/// no push service of its own, so <c>PushManager.subscribe</c> is replaced by one that returns the peer's
/// subscription, with real P-256 keys); the notification is read back with <c>registration.getNotifications()</c>.
/// </summary>
public sealed class WebPushBrowserTests(BrowserHost<WebPushFactory> host, PushServicePeer peer)
    : IClassFixture<BrowserHost<WebPushFactory>>, IClassFixture<PushServicePeer>
{
    private WebPushFactory Factory => host.Factory;

    [Fact]
    public async Task TurningOnSubscribesAndADigestShowsAsANotificationThatOpensTheStory()
    {
        var reader = await Factory.CreateReaderAsync("bnon", p =>
        {
            p.TimeZoneId = "Europe/Lisbon";
            p.DigestLocalTime = new TimeOnly(8, 0);
            p.EmailEnabled = false;
        });
        Factory.SetLocalTime("Europe/Lisbon", new DateTime(2026, 11, 21, 7, 50, 0));
        var browser = await peer.SubscribeAsync("bnon" + Guid.NewGuid().ToString("N")[..8], await Factory.VapidPublicKeyAsync());
        await using var tab = await BrowserPageAsync(reader.Email!, browser, grant: true);
        var page = tab.Page;
        var errors = ConsoleErrors(page);

        await page.GotoAsync("/preferences");
        await Assertions.Expect(page.Locator("#bn-state")).ToHaveAttributeAsync("data-state", "off");
        await Assertions.Expect(page.Locator("#bn-state")).ToContainTextAsync("Off");
        Assert.EndsWith("/sw.js", await page.EvaluateAsync<string>(
            "async () => (await navigator.serviceWorker.getRegistration('/')).active.scriptURL"), StringComparison.Ordinal);
        await Assertions.Expect(page.Locator("#bn-empty")).ToBeVisibleAsync();

        await page.ClickAsync("#bn-on");
        await Assertions.Expect(page.Locator("#bn-state")).ToHaveAttributeAsync("data-state", "on");
        await Assertions.Expect(page.Locator("#bn-message")).ToContainTextAsync("Notifications are on");
        var item = page.Locator("#bn-list li");
        await Assertions.Expect(item).ToHaveCountAsync(1);
        await Assertions.Expect(item).ToContainTextAsync("Chrome on Linux");
        await Assertions.Expect(item).ToContainTextAsync("This browser");
        await Assertions.Expect(item).ToContainTextAsync("receives digests and breaking news");
        var row = await Factory.WithDbAsync(db => db.WebPushSubscriptions.AsNoTracking().SingleAsync(s => s.UserId == reader.Id));
        Assert.Equal(browser.Endpoint.AbsoluteUri, row.Endpoint);
        Assert.Equal(browser.P256dh, row.P256dh);
        Assert.True(row.ReceivesDigests && row.ReceivesBreaking);
        await Screenshots.SaveAsync(page, "webpush-preferences-on-1280");
        var violations = await Axe.RunAsync(page);
        Assert.True(!violations.Any(v => v.Impact is "serious" or "critical"), string.Join("\n", violations));

        // 08:05 in Lisbon: the digest is made and sent to the push service, which decrypts it.
        Factory.Clock.Advance(TimeSpan.FromMinutes(15));
        await Factory.RunAndDeliverAsync();
        var message = Assert.Single(await peer.WaitForMessagesAsync(1, TimeSpan.FromSeconds(20), browser.Id));
        using var payload = JsonDocument.Parse(message.Plaintext);
        var title = payload.RootElement.GetProperty("title").GetString()!;
        var articleUrl = payload.RootElement.GetProperty("articleUrl").GetString()!;

        await DeliverPushAsync(tab, message.Plaintext);
        var shown = await WaitForNotificationsAsync(page, 1);
        Assert.Equal(title, shown[0].GetProperty("title").GetString());
        Assert.StartsWith("digest-", shown[0].GetProperty("tag").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("/t/c/", shown[0].GetProperty("url").GetString(), StringComparison.Ordinal);

        // The click: the worker's handler runs with the shown notification's data. Outside a real click Chromium does
        // not let a worker open windows, so openWindow is observed and the test opens what it was given, as the browser would.
        var worker = ServiceWorker(tab.Context);
        var opened = await worker.EvaluateAsync<string>("""
            async () => {
              let target = null;
              self.clients.openWindow = async url => { target = url; return null; };
              const [n] = await self.registration.getNotifications();
              await self.handleNotificationClick(n.data);
              return target;
            }
            """);
        Assert.StartsWith("/t/c/", opened, StringComparison.Ordinal);
        await page.GotoAsync(opened);
        Assert.EndsWith(articleUrl, new Uri(page.Url).AbsolutePath, StringComparison.Ordinal);
        var slug = articleUrl["/article/".Length..];
        var story = await Factory.WithDbAsync(db => db.Articles.AsNoTracking().Where(a => a.Slug == slug).Select(a => a.Title).SingleAsync());
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync(story);
        var delivery = (await Factory.DeliveriesOfAsync(reader.Id)).Single(d => d.Channel == DeliveryChannel.WebPush);
        Assert.Equal(DeliveryStatus.Sent, delivery.Status);
        Assert.NotNull(delivery.ClickedAt);

        // Clicked again while a tab shows the story: that tab is focused and the click is recorded in the background.
        await Factory.WithDbAsync(db => db.Deliveries.Where(d => d.Id == delivery.Id).ExecuteUpdateAsync(u => u.SetProperty(d => d.ClickedAt, (DateTime?)null)));
        using var focus = JsonDocument.Parse(await worker.EvaluateAsync<string>("""
            async () => {
              let focused = null;
              WindowClient.prototype.focus = async function () { focused = this.url; return this; };
              const [n] = await self.registration.getNotifications();
              const result = await self.handleNotificationClick(n.data);
              return JSON.stringify({ focused, result });
            }
            """));
        Assert.EndsWith(articleUrl, focus.RootElement.GetProperty("focused").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("/t/c/", focus.RootElement.GetProperty("result").GetProperty("recorded").GetString(), StringComparison.Ordinal);
        Assert.NotNull((await Factory.DeliveryAsync(delivery.Id)).ClickedAt);
        Assert.True(errors.Count == 0, string.Join(" | ", errors));
    }

    [Fact]
    public async Task APayloadTheWorkerDoesNotUnderstandStillShowsAGenericNotification()
    {
        var reader = await Factory.CreateReaderAsync("bngen");
        var browser = await peer.SubscribeAsync("bngen" + Guid.NewGuid().ToString("N")[..8], await Factory.VapidPublicKeyAsync());
        await using var tab = await BrowserPageAsync(reader.Email!, browser, grant: true);
        await tab.Page.GotoAsync("/preferences");
        await Assertions.Expect(tab.Page.Locator("#bn-state")).ToHaveAttributeAsync("data-state", "off");

        await DeliverPushAsync(tab, "not json at all");
        var shown = await WaitForNotificationsAsync(tab.Page, 1);
        Assert.Equal("NewsPush", shown[0].GetProperty("title").GetString());
        Assert.Equal("/inbox", shown[0].GetProperty("url").GetString());

        // A payload pointing elsewhere is shown but its link stays on this site.
        await DeliverPushAsync(tab, """{"v":1,"kind":"breaking","title":"Elsewhere","body":"","url":"https://evil.example/x","tag":"story-9","badge":0}""");
        var both = await WaitForNotificationsAsync(tab.Page, 2);
        var elsewhere = both.Single(n => n.GetProperty("title").GetString() == "Elsewhere");
        Assert.Equal("/", elsewhere.GetProperty("url").GetString());
    }

    [Fact]
    public async Task TestAndRemoveFromTheListAndTheChoicesAreSaved()
    {
        var reader = await Factory.CreateReaderAsync("bntest", p => p.EmailEnabled = false);
        var browser = await peer.SubscribeAsync("bntest" + Guid.NewGuid().ToString("N")[..8], await Factory.VapidPublicKeyAsync());
        await using var tab = await BrowserPageAsync(reader.Email!, browser, grant: true, width: 390);
        var page = tab.Page;
        await page.GotoAsync("/preferences");
        await page.ClickAsync("#bn-on");
        await Assertions.Expect(page.Locator("#bn-state")).ToHaveAttributeAsync("data-state", "on");

        // Untick breaking news: saved for this browser only.
        await page.UncheckAsync("#bn-breaking");
        await Assertions.Expect(page.Locator("#bn-message")).ToContainTextAsync("receives digests.");
        await Assertions.Expect(page.Locator("#bn-list li")).ToContainTextAsync("receives digests");
        await Assertions.Expect(page.Locator("#bn-list li")).Not.ToContainTextAsync("breaking news");
        var row = await Factory.WithDbAsync(db => db.WebPushSubscriptions.AsNoTracking().SingleAsync(s => s.UserId == reader.Id));
        Assert.True(row.ReceivesDigests);
        Assert.False(row.ReceivesBreaking);

        // A reload shows what was saved.
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#bn-state")).ToHaveAttributeAsync("data-state", "on");
        await Assertions.Expect(page.Locator("#bn-breaking")).Not.ToBeCheckedAsync();
        await Assertions.Expect(page.Locator("#bn-digests")).ToBeCheckedAsync();

        await page.ClickAsync("#bn-test");
        await Assertions.Expect(page.Locator("#bn-message")).ToContainTextAsync("on its way");
        await Factory.DispatchAsync();
        var test = Assert.Single(await peer.WaitForMessagesAsync(1, TimeSpan.FromSeconds(20), browser.Id));
        Assert.Contains("Test notification from NewsPush", test.Plaintext, StringComparison.Ordinal);
        // A second test at once is refused in words.
        await page.ClickAsync("#bn-test");
        await Assertions.Expect(page.Locator("#bn-error")).ToContainTextAsync("30 seconds");
        await Screenshots.SaveAsync(page, "webpush-preferences-on-390");

        // Remove asks first; cancelling keeps the browser.
        page.Dialog += DismissOnce;
        await page.Locator("#bn-list li button").ClickAsync();
        await Assertions.Expect(page.Locator("#bn-list li")).ToHaveCountAsync(1);
        page.Dialog -= DismissOnce;
        page.Dialog += async (_, d) => await d.AcceptAsync();
        await page.Locator("#bn-list li button").ClickAsync();
        await Assertions.Expect(page.Locator("#bn-state")).ToHaveAttributeAsync("data-state", "off");
        await Assertions.Expect(page.Locator("#bn-empty")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#bn-list li")).ToHaveCountAsync(0);
        Assert.False(await Factory.WithDbAsync(db => db.WebPushSubscriptions.AnyAsync(s => s.UserId == reader.Id)));
        Assert.False(await page.EvaluateAsync<bool>("async () => !!(await (await navigator.serviceWorker.ready).pushManager.getSubscription())"));
        await Screenshots.SaveAsync(page, "webpush-preferences-off-390");

        static async void DismissOnce(object? sender, IDialog dialog) => await dialog.DismissAsync();
    }

    [Fact]
    public async Task ABlockedBrowserSaysSoAndHowToUnblock()
    {
        var reader = await Factory.CreateReaderAsync("bnblock");
        await using var tab = await host.LoggedInPageAsync(reader.Email!);
        await tab.Page.AddInitScriptAsync("Object.defineProperty(Notification, 'permission', { get: () => 'denied' });");
        await tab.Page.SetViewportSizeAsync(1280, 900);
        await tab.Page.GotoAsync("/preferences");
        await Assertions.Expect(tab.Page.Locator("#bn-state")).ToHaveAttributeAsync("data-state", "blocked");
        await Assertions.Expect(tab.Page.Locator("#bn-state")).ToContainTextAsync("Blocked");
        await Assertions.Expect(tab.Page.Locator("#bn-help-blocked")).ToBeVisibleAsync();
        await Assertions.Expect(tab.Page.Locator("#bn-help-blocked")).ToContainTextAsync("set Notifications to Allow");
        await Assertions.Expect(tab.Page.Locator("#bn-on")).ToBeHiddenAsync();
        await Screenshots.SaveAsync(tab.Page, "webpush-preferences-blocked-1280");
    }

    [Fact]
    public async Task ABrowserWithoutPushSaysItIsUnsupported()
    {
        var reader = await Factory.CreateReaderAsync("bnnone");
        await using var tab = await host.LoggedInPageAsync(reader.Email!);
        await tab.Page.AddInitScriptAsync("delete window.PushManager;");
        await tab.Page.GotoAsync("/preferences");
        await Assertions.Expect(tab.Page.Locator("#bn-state")).ToHaveAttributeAsync("data-state", "unsupported");
        await Assertions.Expect(tab.Page.Locator("#bn-help-unsupported")).ToContainTextAsync("Add to Home Screen");
        await Assertions.Expect(tab.Page.Locator("#bn-on")).ToBeHiddenAsync();
        await Assertions.Expect(tab.Page.Locator("#bn-empty")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task TheManifestAndTheWorkerAreServed()
    {
        await using var tab = await host.NewPageAsync();
        var manifest = await tab.Page.APIRequest.GetAsync(host.Url("/manifest.webmanifest"));
        Assert.Equal(200, manifest.Status);
        Assert.Equal("application/manifest+json", manifest.Headers["content-type"].Split(';')[0]);
        using var json = JsonDocument.Parse(await manifest.TextAsync());
        Assert.Equal("standalone", json.RootElement.GetProperty("display").GetString());
        foreach (var icon in json.RootElement.GetProperty("icons").EnumerateArray())
        {
            var png = await tab.Page.APIRequest.GetAsync(host.Url(icon.GetProperty("src").GetString()!));
            Assert.Equal(200, png.Status);
            Assert.Equal("image/png", png.Headers["content-type"]);
        }
        var sw = await tab.Page.APIRequest.GetAsync(host.Url("/sw.js"));
        Assert.Equal(200, sw.Status);
        Assert.Contains("javascript", sw.Headers["content-type"], StringComparison.Ordinal);
        await tab.Page.GotoAsync("/");
        Assert.Equal("/manifest.webmanifest", await tab.Page.GetAttributeAsync("link[rel=manifest]", "href"));
    }

    /// <summary>
    /// A signed-in page whose PushManager hands out <paramref name="browser"/> (the peer's subscription: its endpoint
    /// and real keys) and remembers it across pages, as a browser does; with notifications allowed when <paramref name="grant"/>.
    /// </summary>
    private async Task<PageHandle> BrowserPageAsync(string email, PeerSubscription browser, bool grant, int width = 1280)
    {
        var tab = await host.LoggedInPageAsync(email, bypassCsp: true);
        if (grant)
        {
            await tab.Context.GrantPermissionsAsync(["notifications"], new BrowserContextGrantPermissionsOptions { Origin = host.BaseUrl });
        }
        await tab.Page.SetViewportSizeAsync(width, 900);
        var config = JsonSerializer.Serialize(new { endpoint = browser.Endpoint.AbsoluteUri, p256dh = browser.P256dh, auth = browser.Auth });
        await tab.Page.AddInitScriptAsync("(" + FakePushManager + ")(" + config + ");");
        return tab;
    }

    private const string FakePushManager = """
        (cfg) => {
          if (!window.PushManager) { return; }
          const store = '__fakePushKey';
          const toB64 = buf => { const b = new Uint8Array(buf); let s = ''; for (const x of b) s += String.fromCharCode(x); return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''); };
          const toBytes = t => { let s = t.replace(/-/g, '+').replace(/_/g, '/'); while (s.length % 4) s += '='; return Uint8Array.from(atob(s), c => c.charCodeAt(0)); };
          const make = key => ({
            endpoint: cfg.endpoint, expirationTime: null,
            options: { userVisibleOnly: true, applicationServerKey: toBytes(key).buffer },
            getKey: name => toBytes(name === 'p256dh' ? cfg.p256dh : cfg.auth).buffer,
            toJSON: () => ({ endpoint: cfg.endpoint, expirationTime: null, keys: { p256dh: cfg.p256dh, auth: cfg.auth } }),
            unsubscribe: async () => { localStorage.removeItem(store); return true; }
          });
          PushManager.prototype.subscribe = async function (options) {
            if (Notification.permission !== 'granted') { throw new DOMException('Registration failed - permission denied', 'NotAllowedError'); }
            const k = options.applicationServerKey;
            const key = typeof k === 'string' ? k : toB64(k.buffer ? k.buffer.slice(k.byteOffset, k.byteOffset + k.byteLength) : k);
            localStorage.setItem(store, key);
            return make(key);
          };
          PushManager.prototype.getSubscription = async function () { const k = localStorage.getItem(store); return k ? make(k) : null; };
        }
        """;

    /// <summary>
    /// Hands <paramref name="data"/> to the page's service worker as a push message, through CDP. The session stays
    /// attached until the page's context closes: detaching right away lets Chromium stop the worker while its push
    /// handler still waits for the notification's icon, and that notification is then never shown.
    /// </summary>
    private async Task DeliverPushAsync(PageHandle tab, string data)
    {
        // Only an active worker gets the message: one still installing or activating (a registration CDP already
        // reports) would drop it, and no notification would ever show.
        await tab.Page.EvaluateAsync("async () => { await navigator.serviceWorker.ready; }");
        if (!pushSessions.TryGetValue(tab.Page, out var session))
        {
            var cdp = await tab.Context.NewCDPSessionAsync(tab.Page);
            var registration = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            cdp.Event("ServiceWorker.workerRegistrationUpdated").OnEvent += (_, e) =>
            {
                foreach (var r in e!.Value.GetProperty("registrations").EnumerateArray())
                {
                    if (r.GetProperty("scopeURL").GetString() == host.BaseUrl + "/" && !r.GetProperty("isDeleted").GetBoolean())
                    {
                        registration.TrySetResult(r.GetProperty("registrationId").GetString()!);
                    }
                }
            };
            await cdp.SendAsync("ServiceWorker.enable");
            session = (cdp, await registration.Task.WaitAsync(TimeSpan.FromSeconds(15)));
            pushSessions[tab.Page] = session;
        }
        await session.Cdp.SendAsync("ServiceWorker.deliverPushMessage",
            new Dictionary<string, object> { ["origin"] = host.BaseUrl, ["registrationId"] = session.RegistrationId, ["data"] = data });
    }

    private readonly Dictionary<IPage, (ICDPSession Cdp, string RegistrationId)> pushSessions = [];

    /// <summary>The notifications the worker shows, once there are at least <paramref name="count"/>.</summary>
    private static async Task<IReadOnlyList<JsonElement>> WaitForNotificationsAsync(IPage page, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var shown = await page.EvaluateAsync<JsonElement>("""
                async () => (await (await navigator.serviceWorker.ready).getNotifications())
                  .map(n => ({ title: n.title, body: n.body, tag: n.tag, url: n.data && n.data.url }))
                """);
            var list = shown.EnumerateArray().Select(e => e.Clone()).ToList();
            if (list.Count >= count || DateTime.UtcNow > deadline)
            {
                Assert.True(list.Count >= count, $"{list.Count} notification(s) shown, {count} expected");
                return list;
            }
            await Task.Delay(100);
        }
    }

    /// <summary>
    /// The context's service worker. Playwright tracks Chromium's service workers, but the .NET interface does not
    /// expose the list yet; the implementation's property is read by reflection.
    /// </summary>
    private static IWorker ServiceWorker(IBrowserContext context)
    {
        var property = context.GetType().GetProperty("ServiceWorkers")
            ?? throw new InvalidOperationException("This Playwright version has no ServiceWorkers on its browser context.");
        return Assert.Single(((IEnumerable<IWorker>)property.GetValue(context)!));
    }

    private static List<string> ConsoleErrors(IPage page)
    {
        var errors = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") { errors.Add($"{m.Text} {m.Location}"); } };
        return errors;
    }
}
