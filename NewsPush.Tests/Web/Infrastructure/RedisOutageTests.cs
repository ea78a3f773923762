using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NewsPush.Data.Entities;
using NewsPush.Tests.Infrastructure;
using NewsPush.Tests.Web.Push;
using NewsPush.Web.Inbox;
using NewsPush.Web.Infrastructure.Realtime;
using Xunit.Abstractions;

namespace NewsPush.Tests.Web.Infrastructure;

/// <summary>
/// The site with the SignalR Redis backplane, and Redis going down while it runs: what readers and admins do still
/// works, /healthz says Degraded, and once Redis is back the open pages are nudged without anyone doing anything.
/// </summary>
public sealed class RedisOutageTests(RedisOutageSite site, ITestOutputHelper output) : IClassFixture<RedisOutageSite>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task InboxActionsSucceedWhileRedisIsDownAndTheReadersPageIsNudgedWhenItIsBack()
    {
        var reader = await site.Factory.CreateReaderAsync("outage");
        var messages = new List<InboxMessage>();
        await using (var scope = site.Factory.Services.CreateAsyncScope())
        {
            var inbox = scope.ServiceProvider.GetRequiredService<InboxService>();
            for (var i = 1; i <= 3; i++)
            {
                messages.Add(await inbox.SendPersonalAsync(reader.Id, $"Note {i}", "body", null, InboxMessageKind.Personal, CancellationToken.None));
            }
        }
        using var client = await (await site.Factory.CreateLoggedInClientAsync(reader.Email!)).WithAntiforgeryHeaderAsync();
        await using var page = await OpenPageAsync(client, reader.Id);

        using (site.RedisDown())
        {
            var read = await TimedAsync("read", () => client.PostAsync($"/api/inbox/message/{messages[0].Id}/read", null));
            Assert.Equal(HttpStatusCode.NoContent, read.StatusCode);
            var archive = await TimedAsync("archive", () => client.PostAsync($"/api/inbox/message/{messages[1].Id}/archive", null));
            Assert.Equal(HttpStatusCode.NoContent, archive.StatusCode);
            var readAll = await TimedAsync("read-all", () => client.PostAsync("/api/inbox/read-all", null));
            Assert.Equal(HttpStatusCode.OK, readAll.StatusCode);
            Assert.Equal(0, (await readAll.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("count").GetInt32());

            var health = await HealthBecomesAsync("Degraded");
            Assert.Contains("failing", health.GetProperty("checks").GetProperty(ReaderNotifierHealthCheck.Name).GetProperty("description").GetString(), StringComparison.Ordinal);
            Assert.Equal(0, await UnreadAsync(client));
            Assert.Equal(0, page.Heard);
        }

        Assert.True(await page.Nudges.WaitAsync(Wait), "the reader's open page was not nudged within 30 s of Redis coming back");
        await HealthBecomesAsync("Healthy");
        var stored = await site.Factory.InboxOfAsync(reader.Id);
        Assert.All(stored, m => Assert.NotNull(m.ReadAt));
        Assert.NotNull(stored.Single(m => m.Id == messages[1].Id).ArchivedAt);
    }

    [Fact]
    public async Task AdminBroadcastWhileRedisIsDownIsSavedOnceWithItsAuditEntryAndReadersAreNudgedWhenItIsBack()
    {
        var reader = await site.Factory.CreateReaderAsync("outbc");
        using var client = await (await site.Factory.CreateLoggedInClientAsync(reader.Email!)).WithAntiforgeryHeaderAsync();
        using var admin = await site.Factory.CreateLoggedInClientAsync(NewsPushFactory.AdminEmail);
        await using var page = await OpenPageAsync(client, reader.Id);
        var before = await UnreadAsync(client);
        var title = $"Outage {Guid.NewGuid():N}"[..20];

        using (site.RedisDown())
        {
            var sent = await TimedAsync("broadcast", () => admin.PostFormAsync("/admin/broadcasts", new Dictionary<string, string>
            {
                ["Form.Title"] = title, ["Form.Body"] = "Sent while Redis is down.", ["Form.Link"] = "", ["Form.ExpiresAt"] = "",
            }));
            Assert.Equal(HttpStatusCode.Redirect, sent.StatusCode);
            Assert.Contains("Broadcast sent", await admin.GetStringAsync(sent.Headers.Location), StringComparison.Ordinal);

            var ids = await site.Factory.WithDbAsync(db => db.Broadcasts.Where(b => b.Title == title).Select(b => b.Id).ToListAsync());
            var id = Assert.Single(ids).ToString();
            Assert.Equal(1, await site.Factory.WithDbAsync(db => db.AuditLog.CountAsync(e => e.Action == "broadcast.created" && e.EntityId == id && e.ActorName == NewsPushFactory.AdminEmail)));
            await HealthBecomesAsync("Degraded");
            Assert.Equal(before + 1, await UnreadAsync(client));
            Assert.Equal(0, page.Heard);
        }

        Assert.True(await page.Nudges.WaitAsync(Wait), "the reader's open page was not nudged within 30 s of Redis coming back");
        await HealthBecomesAsync("Healthy");
    }

    /// <summary>
    /// A reader's page: a hub connection with their login cookie, heard a nudge, then quiet. The nudge is repeated
    /// each second until heard: one published before the node's Redis subscription for the reader is in place is lost.
    /// </summary>
    private async Task<OpenPage> OpenPageAsync(LoggedInClient client, string userId)
    {
        var page = new OpenPage(site.Factory.NotificationHubConnection(client));
        await page.Connection.StartAsync();
        var notifier = site.Factory.Services.GetRequiredService<ReaderNotifier>();
        var heard = false;
        for (var attempt = 0; attempt < 30 && !heard; attempt++)
        {
            notifier.InboxChanged(userId);
            heard = await page.Nudges.WaitAsync(TimeSpan.FromSeconds(1));
        }
        Assert.True(heard, "the reader's page heard no nudge in 30 s while Redis was up");
        while (await page.Nudges.WaitAsync(TimeSpan.FromMilliseconds(500)))
        {
        }
        page.ResetHeard();
        await HealthBecomesAsync("Healthy");
        return page;
    }

    /// <summary>Polls /healthz (always 200 unless Unhealthy) until its status is <paramref name="status"/>; returns its body.</summary>
    private async Task<JsonElement> HealthBecomesAsync(string status)
    {
        using var anonymous = site.Factory.CreateClient();
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var response = await anonymous.GetAsync("/healthz");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            if (body.GetProperty("status").GetString() == status)
            {
                Assert.Equal(status, body.GetProperty("checks").GetProperty(ReaderNotifierHealthCheck.Name).GetProperty("status").GetString());
                return body;
            }
            Assert.True(deadline.Elapsed < Wait, $"/healthz did not become {status} within 30 s: {body}");
            await Task.Delay(100);
        }
    }

    private async Task<T> TimedAsync<T>(string what, Func<Task<T>> action)
    {
        var watch = Stopwatch.StartNew();
        var result = await action();
        output.WriteLine($"{what} with Redis down: {watch.ElapsedMilliseconds} ms");
        return result;
    }

    private static async Task<int> UnreadAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<JsonElement>("/api/inbox/unread-count")).GetProperty("count").GetInt32();

    private sealed class OpenPage : IAsyncDisposable
    {
        private int heard;

        public OpenPage(HubConnection connection)
        {
            Connection = connection;
            connection.On(NotificationHub.InboxChanged, () =>
            {
                Interlocked.Increment(ref heard);
                Nudges.Release();
            });
        }

        public HubConnection Connection { get; }

        public SemaphoreSlim Nudges { get; } = new(0);

        /// <summary>Nudges heard since <see cref="ResetHeard"/>.</summary>
        public int Heard => Volatile.Read(ref heard);

        public void ResetHeard() => Interlocked.Exchange(ref heard, 0);

        public async ValueTask DisposeAsync()
        {
            await Connection.DisposeAsync();
            Nudges.Dispose();
        }
    }
}

/// <summary>One in-memory site (SQLite) whose SignalR backplane is a Redis server of its own, which the tests stop and start.</summary>
public sealed class RedisOutageSite : IDisposable
{
    public RedisOutageSite()
    {
        Redis = RedisServer.StartPrivate();
        Factory = new PushFactory(TestDatabase.Sqlite);
        Factory.Settings["Redis:ConnectionString"] = Redis.ConnectionString;
        Factory.Settings["Realtime:RetrySeconds"] = "0.5";
        try
        {
            _ = Factory.Server;
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public RedisServer Redis { get; }

    public PushFactory Factory { get; }

    /// <summary>Stops Redis until the returned scope is disposed (also when the test fails inside it).</summary>
    public IDisposable RedisDown()
    {
        Redis.Stop();
        return new Restart(Redis);
    }

    public void Dispose()
    {
        Factory.Dispose();
        Redis.Dispose();
    }

    private sealed class Restart(RedisServer redis) : IDisposable
    {
        public void Dispose() => redis.Start();
    }
}

/// <summary>
/// The site whose output cache and rate counters are in Redis, with Redis going down (a site of its own: the outage
/// tests above watch the SignalR backplane recover, which an outage of this test would disturb).
/// </summary>
public sealed class SharedCacheOutageTests(RedisOutageSite site) : IClassFixture<RedisOutageSite>
{
    [Fact]
    public async Task PagesLimitsAndCorrectionsWorkWhileRedisIsDownAndNoStalePageIsServedWhenItIsBack()
    {
        // Redis holds the shared output cache and the rate counters here; while it is down pages are rendered, limits
        // count in memory, and a correction saved meanwhile is not hidden by a page Redis cached before.
        var original = NewsPush.Tests.Web.Reader.ReaderTestData.Unique("Before the outage");
        var corrected = NewsPush.Tests.Web.Reader.ReaderTestData.Unique("Corrected in the outage");
        var (id, slug) = await NewsPush.Tests.Web.Reader.ReaderTestData.PublishAsync(site.Factory, original, "Body", publishedAt: site.Factory.Clock.Now.UtcDateTime.AddMinutes(-1));
        using var anonymous = site.Factory.CreateClient();
        Assert.Contains(original, await anonymous.GetStringAsync("/article/" + slug));
        Assert.Contains(original, await anonymous.GetStringAsync("/article/" + slug));
        var reader = await site.Factory.CreateReaderAsync("outpg");
        using (site.RedisDown())
        {
            var page = await anonymous.GetAsync("/article/" + slug);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            using var signedIn = await site.Factory.CreateLoggedInClientAsync(reader.Email!);
            Assert.Equal(HttpStatusCode.OK, (await signedIn.GetAsync("/article/" + slug)).StatusCode);
            await site.Factory.WithDbAsync(async db =>
            {
                var article = await db.Articles.SingleAsync(a => a.Id == id);
                article.Title = corrected;
                await db.SaveChangesAsync();
            });
            Assert.Contains(corrected, await anonymous.GetStringAsync("/article/" + slug));
        }
        Assert.Contains(corrected, await anonymous.GetStringAsync("/article/" + slug));
    }
}
