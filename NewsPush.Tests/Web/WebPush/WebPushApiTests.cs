using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using NewsPush.Data.Entities;
using NewsPush.Tests.Infrastructure;

namespace NewsPush.Tests.Web.WebPush;

/// <summary>
/// The Web Push API of PRODUCT.md as a page calls it: with the reader's cookie and the antiforgery token in the
/// <c>RequestVerificationToken</c> header.
/// </summary>
public abstract class WebPushApiTests<TFactory>(TFactory factory, PushServicePeer peer)
    where TFactory : WebPushFactory
{
    private async Task<(LoggedInClient Client, ApplicationUser Reader)> ReaderClientAsync(string prefix)
    {
        var reader = await factory.CreateReaderAsync(prefix, p => { p.InboxEnabled = false; p.EmailEnabled = false; });
        var client = await factory.CreateLoggedInClientAsync(reader.Email!);
        var token = HttpTestExtensions.AntiforgeryToken(await client.GetStringAsync("/preferences"));
        client.DefaultRequestHeaders.Add("RequestVerificationToken", token);
        client.DefaultRequestHeaders.UserAgent.ParseAdd("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0");
        return (client, reader);
    }

    private async Task<PeerSubscription> BrowserAsync() =>
        await peer.SubscribeAsync("api" + Guid.NewGuid().ToString("N")[..12], await factory.VapidPublicKeyAsync());

    /// <summary>The browser's <c>PushSubscription.toJSON()</c>.</summary>
    private static object ToJson(PeerSubscription b, string? endpoint = null) =>
        new { endpoint = endpoint ?? b.Endpoint.ToString(), expirationTime = (double?)null, keys = new { p256dh = b.P256dh, auth = b.Auth } };

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return (await response.Content.ReadFromJsonAsync<JsonElement>())!;
    }

    [Fact]
    public async Task ThePublicKeyIsA65BytePointThatStaysTheSame()
    {
        using var anonymous = factory.CreateClient();
        var first = await anonymous.GetFromJsonAsync<JsonElement>("/api/push/vapid-public-key");
        var second = await anonymous.GetFromJsonAsync<JsonElement>("/api/push/vapid-public-key");
        var key = first.GetProperty("publicKey").GetString()!;
        Assert.Equal(65, System.Buffers.Text.Base64Url.DecodeFromChars(key).Length);
        Assert.Equal(key, second.GetProperty("publicKey").GetString());
        Assert.Equal(key, await factory.VapidPublicKeyAsync());
        // The private half is in the database only as Data Protection ciphertext.
        var row = await factory.WithDbAsync(db => db.SiteKeys.AsNoTracking().SingleAsync(k => k.Name == "vapid"));
        Assert.Equal(key, row.PublicValue);
        Assert.DoesNotContain(key, row.ProtectedValue, StringComparison.Ordinal);
        Assert.StartsWith("CfDJ8", row.ProtectedValue, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubscribingIsIdempotentPerEndpointListedAndRemovable()
    {
        var (client, reader) = await ReaderClientAsync("api1");
        var browser = await BrowserAsync();

        var created = await client.PostAsJsonAsync("/api/push/subscriptions", ToJson(browser));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var again = await client.PostAsJsonAsync("/api/push/subscriptions", ToJson(browser));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var changed = await client.PostAsJsonAsync("/api/push/subscriptions", new { endpoint = browser.Endpoint.ToString(), keys = new { p256dh = browser.P256dh, auth = browser.Auth }, digests = false });
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);

        var list = await client.GetFromJsonAsync<JsonElement>("/api/push/subscriptions");
        var item = Assert.Single(list.GetProperty("items").EnumerateArray());
        Assert.Equal("Firefox on Linux", item.GetProperty("browser").GetString());
        Assert.False(item.GetProperty("digests").GetBoolean());
        Assert.True(item.GetProperty("breaking").GetBoolean());
        Assert.True(await factory.WithDbAsync(db => db.ReaderPreferences.Where(p => p.UserId == reader.Id).Select(p => p.WebPushEnabled).SingleAsync()));

        var removed = await client.DeleteAsync("/api/push/subscriptions?endpoint=" + Uri.EscapeDataString(browser.Endpoint.ToString()));
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        Assert.Empty((await client.GetFromJsonAsync<JsonElement>("/api/push/subscriptions")).GetProperty("items").EnumerateArray());
        Assert.False(await factory.WithDbAsync(db => db.ReaderPreferences.Where(p => p.UserId == reader.Id).Select(p => p.WebPushEnabled).SingleAsync()));
        Assert.Equal(HttpStatusCode.NotFound, (await client.DeleteAsync("/api/push/subscriptions?endpoint=" + Uri.EscapeDataString(browser.Endpoint.ToString()))).StatusCode);
    }

    [Fact]
    public async Task AnEndpointOutsideThePushServicesIsRefusedWithAProblemDetail()
    {
        var (client, _) = await ReaderClientAsync("api2");
        var browser = await BrowserAsync();
        foreach (var endpoint in new[] { "http://169.254.169.254/latest/meta-data/", "https://intranet.example.com/push/1", "http://10.0.0.5:8080/x" })
        {
            var response = await client.PostAsJsonAsync("/api/push/subscriptions", ToJson(browser, endpoint));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var problem = await ProblemAsync(response);
            Assert.Equal("This browser's subscription cannot be used.", problem.GetProperty("title").GetString());
            Assert.Contains("push service", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
        Assert.Equal(0, await factory.WithDbAsync(db => db.WebPushSubscriptions.CountAsync(s => !s.Endpoint.StartsWith("http://127.0.0.1"))));
    }

    [Fact]
    public async Task MalformedKeysAreRefusedWithWhatIsWrong()
    {
        var (client, _) = await ReaderClientAsync("api3");
        var browser = await BrowserAsync();
        var response = await client.PostAsJsonAsync("/api/push/subscriptions", new { endpoint = browser.Endpoint.ToString(), keys = new { p256dh = "AAAA", auth = "short" } });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await ProblemAsync(response);
        Assert.True(problem.GetProperty("errors").EnumerateObject().Any(), problem.ToString());
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync("/api/push/subscriptions", JsonContent.Create<object?>(null))).StatusCode);
    }

    [Fact]
    public async Task WithoutTheAntiforgeryTokenACookieCallIsRefusedAndAnonymousOnesNeedALogin()
    {
        var reader = await factory.CreateReaderAsync("api4");
        using var client = await factory.CreateLoggedInClientAsync(reader.Email!);
        var browser = await BrowserAsync();
        var response = await client.PostAsJsonAsync("/api/push/subscriptions", ToJson(browser));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("The antiforgery token is missing or invalid.", (await ProblemAsync(response)).GetProperty("title").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync("/api/push/test", null)).StatusCode);
        Assert.Equal(0, await factory.WithDbAsync(db => db.WebPushSubscriptions.CountAsync(s => s.UserId == reader.Id)));

        using var anonymous = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var unauthenticated = await anonymous.PostAsJsonAsync("/api/push/subscriptions", ToJson(browser));
        Assert.True(unauthenticated.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Redirect, unauthenticated.StatusCode.ToString());
        Assert.Equal(0, await factory.WithDbAsync(db => db.WebPushSubscriptions.CountAsync(s => s.Endpoint == browser.Endpoint.ToString())));
    }

    [Fact]
    public async Task AnotherReadersBrowserCanBeNeitherSeenNorRemoved()
    {
        var (owner, _) = await ReaderClientAsync("api5");
        var (other, _) = await ReaderClientAsync("api6");
        var browser = await BrowserAsync();
        var created = await (await owner.PostAsJsonAsync("/api/push/subscriptions", ToJson(browser))).Content.ReadFromJsonAsync<JsonElement>();
        var id = created.GetProperty("id").GetInt64();

        Assert.Empty((await other.GetFromJsonAsync<JsonElement>("/api/push/subscriptions")).GetProperty("items").EnumerateArray());
        Assert.Equal(HttpStatusCode.NotFound, (await other.DeleteAsync($"/api/push/subscriptions/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.DeleteAsync("/api/push/subscriptions?endpoint=" + Uri.EscapeDataString(browser.Endpoint.ToString()))).StatusCode);
        Assert.NotNull(await factory.SubscriptionAsync(id));
        Assert.Equal(HttpStatusCode.NoContent, (await owner.DeleteAsync($"/api/push/subscriptions/{id}")).StatusCode);
        Assert.Null(await factory.SubscriptionAsync(id));
    }

    [Fact]
    public async Task TheServiceWorkerRenewsWithTheOldSecretOnlyAndAStrangerCannot()
    {
        var (owner, reader) = await ReaderClientAsync("api7");
        var old = await BrowserAsync();
        var id = (await (await owner.PostAsJsonAsync("/api/push/subscriptions", ToJson(old))).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        var renewed = await BrowserAsync();
        using var worker = factory.CreateClient(); // no cookie, as a service worker's fetch after pushsubscriptionchange may be

        var forged = await worker.PostAsJsonAsync("/api/push/subscriptions/renew", new
        {
            endpoint = renewed.Endpoint.ToString(), keys = new { p256dh = renewed.P256dh, auth = renewed.Auth }, oldEndpoint = old.Endpoint.ToString(), oldAuth = renewed.Auth,
        });
        Assert.Equal(HttpStatusCode.NotFound, forged.StatusCode);

        var ok = await worker.PostAsJsonAsync("/api/push/subscriptions/renew", new
        {
            endpoint = renewed.Endpoint.ToString(), keys = new { p256dh = renewed.P256dh, auth = renewed.Auth }, oldEndpoint = old.Endpoint.ToString(), oldAuth = old.Auth,
        });
        Assert.Equal(HttpStatusCode.NoContent, ok.StatusCode);
        var row = await factory.SubscriptionAsync(id);
        Assert.Equal((renewed.Endpoint.ToString(), reader.Id), (row!.Endpoint, row.UserId));

        // Notifications now go to the new endpoint.
        await factory.QueueStoryAsync(reader.Id, id, new NewsPush.Web.Push.DeliveryContent(DeliveryContentKind.Breaking, 9300, "Renewed", "Still here", "/", []));
        await factory.DispatchAsync();
        Assert.Single(await peer.WaitForMessagesAsync(1, TimeSpan.FromSeconds(20), renewed.Id));
        Assert.Empty(await peer.MessagesAsync(old.Id));
    }

    [Fact]
    public async Task SendATestQueuesOneNotificationPerBrowserAndRefusesASecondWithin30Seconds()
    {
        var (client, reader) = await ReaderClientAsync("api8");
        var browser = await BrowserAsync();
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/push/subscriptions", ToJson(browser))).StatusCode);

        var test = await client.PostAsync("/api/push/test", null);
        Assert.Equal(HttpStatusCode.Accepted, test.StatusCode);
        var queued = Assert.Single((await test.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("queued").EnumerateArray());
        Assert.Equal("webPush", queued.GetProperty("channel").GetString());
        Assert.Equal("Firefox on Linux", queued.GetProperty("label").GetString());

        var tooSoon = await client.PostAsync("/api/push/test", null);
        Assert.Equal(HttpStatusCode.TooManyRequests, tooSoon.StatusCode);
        Assert.Equal("30", tooSoon.Headers.GetValues("Retry-After").Single());

        await factory.DispatchAsync();
        var message = JsonDocument.Parse(Assert.Single(await peer.WaitForMessagesAsync(1, TimeSpan.FromSeconds(20), browser.Id)).Plaintext).RootElement;
        Assert.Equal("Test notification from NewsPush", message.GetProperty("title").GetString());
        Assert.Equal("test", message.GetProperty("tag").GetString());

        factory.Clock.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/api/push/test", null)).StatusCode);
        Assert.Equal(2, (await factory.DeliveriesOfAsync(reader.Id)).Count(d => d.ContentKind == DeliveryContentKind.Test));
    }
}

public sealed class SqliteWebPushApiTests(WebPushFactory factory, PushServicePeer peer) : WebPushApiTests<WebPushFactory>(factory, peer), IClassFixture<WebPushFactory>, IClassFixture<PushServicePeer>;

public sealed class PostgreSqlWebPushApiTests(WebPushPostgreSqlFactory factory, PushServicePeer peer) : WebPushApiTests<WebPushPostgreSqlFactory>(factory, peer), IClassFixture<WebPushPostgreSqlFactory>, IClassFixture<PushServicePeer>;
