using NewsPush.Web.Infrastructure.Realtime;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NewsPush.Data.Entities;
using NewsPush.Tests.Infrastructure;
using NewsPush.Tests.Web.Push;
using NewsPush.Web.Inbox;

namespace NewsPush.Tests.Web.Inbox;

/// <summary>The inbox: pages, JSON API, broadcasts stored once, privacy, live notifications.</summary>
public abstract class InboxTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : PushFactory
{
    private async Task<InboxMessage> SendAsync(string userId, string title)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<InboxService>().SendPersonalAsync(userId, title, "body of " + title, null, InboxMessageKind.Personal, CancellationToken.None);
    }

    private static async Task<JsonElement> JsonAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    [Fact]
    public async Task ApiPagesMarksReadArchivesAndMarksAllRead()
    {
        var reader = await factory.CreateReaderAsync("api");
        for (var i = 1; i <= 25; i++)
        {
            factory.Clock.Advance(TimeSpan.FromSeconds(1));
            await SendAsync(reader.Id, $"Message {i:00}");
        }
        using var client = await (await factory.CreateLoggedInClientAsync(reader.Email!)).WithAntiforgeryHeaderAsync();

        var page2 = await JsonAsync(client, "/api/inbox?page=2&pageSize=10");
        Assert.Equal(25, page2.GetProperty("total").GetInt32());
        Assert.Equal(25, page2.GetProperty("unread").GetInt32());
        var items = page2.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(10, items.Count);
        Assert.Equal("Message 15", items[0].GetProperty("title").GetString());

        var id = items[0].GetProperty("id").GetInt64();
        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync($"/api/inbox/message/{id}/read", null)).StatusCode);
        Assert.Equal(24, (await JsonAsync(client, "/api/inbox/unread-count")).GetProperty("count").GetInt32());

        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync($"/api/inbox/message/{id}/archive", null)).StatusCode);
        Assert.Equal(24, (await JsonAsync(client, "/api/inbox")).GetProperty("total").GetInt32());
        var archived = await JsonAsync(client, "/api/inbox?archived=true");
        Assert.Equal(id, Assert.Single(archived.GetProperty("items").EnumerateArray()).GetProperty("id").GetInt64());

        var all = await client.PostAsync("/api/inbox/read-all", null);
        Assert.Equal(0, (await all.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("count").GetInt32());

        // A cookie-authenticated call without the page's token (another site's form) changes nothing.
        using var forged = await factory.CreateLoggedInClientAsync(reader.Email!);
        var refused = await forged.PostAsync($"/api/inbox/message/{items[1].GetProperty("id").GetInt64()}/archive", null);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("The antiforgery token is missing or invalid.", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
        Assert.Equal(24, (await JsonAsync(client, "/api/inbox")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task BroadcastIsStoredOnceAndEachReaderHasTheirOwnReadState()
    {
        var a = await factory.CreateReaderAsync("bca");
        var b = await factory.CreateReaderAsync("bcb");
        var title = $"Maintenance {Guid.NewGuid():N}";
        Broadcast broadcast;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            broadcast = await scope.ServiceProvider.GetRequiredService<InboxService>().BroadcastAsync(title, "Tonight 02:00 UTC", null, null, CancellationToken.None);
        }
        using var clientA = await (await factory.CreateLoggedInClientAsync(a.Email!)).WithAntiforgeryHeaderAsync();
        using var clientB = await (await factory.CreateLoggedInClientAsync(b.Email!)).WithAntiforgeryHeaderAsync();
        var unreadB = (await JsonAsync(clientB, "/api/inbox/unread-count")).GetProperty("count").GetInt32();
        Assert.Contains((await JsonAsync(clientA, "/api/inbox")).GetProperty("items").EnumerateArray(), i => i.GetProperty("title").GetString() == title && i.GetProperty("kind").GetString() == "broadcast");

        Assert.Equal(HttpStatusCode.NoContent, (await clientA.PostAsync($"/api/inbox/broadcast/{broadcast.Id}/read", null)).StatusCode);

        Assert.Equal(unreadB, (await JsonAsync(clientB, "/api/inbox/unread-count")).GetProperty("count").GetInt32());
        var (copies, receipts) = await factory.WithDbAsync(async db => (
            await db.Broadcasts.CountAsync(x => x.Title == title),
            await db.BroadcastReceipts.Where(r => r.BroadcastId == broadcast.Id).Select(r => r.UserId).ToListAsync()));
        Assert.Equal(1, copies);
        Assert.Equal([a.Id], receipts);
        var forA = (await JsonAsync(clientA, "/api/inbox")).GetProperty("items").EnumerateArray().Single(i => i.GetProperty("title").GetString() == title);
        Assert.True(forA.GetProperty("isRead").GetBoolean());
    }

    [Fact]
    public async Task ReaderCannotSeeOrChangeAnotherReadersMessage()
    {
        var owner = await factory.CreateReaderAsync("owner");
        var other = await factory.CreateReaderAsync("other");
        var message = await SendAsync(owner.Id, "Private");
        using var client = await (await factory.CreateLoggedInClientAsync(other.Email!)).WithAntiforgeryHeaderAsync();

        var api = await client.PostAsync($"/api/inbox/message/{message.Id}/read", null);
        Assert.Equal(HttpStatusCode.NotFound, api.StatusCode);
        Assert.Equal("application/problem+json", api.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync($"/api/inbox/message/{message.Id}/archive", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/inbox/message/{message.Id}")).StatusCode);
        Assert.DoesNotContain("Private", await client.GetStringAsync("/api/inbox"), StringComparison.Ordinal);
        var stored = await factory.WithDbAsync(db => db.InboxMessages.SingleAsync(m => m.Id == message.Id));
        Assert.Null(stored.ReadAt);
        Assert.Null(stored.ArchivedAt);
    }

    [Theory]
    [InlineData("/api/inbox?page=abc", "page")]
    [InlineData("/api/inbox?page=0", "page")]
    [InlineData("/api/inbox?pageSize=1000", "pageSize")]
    [InlineData("/api/inbox?page=21474836", "page")] // page × size would read the whole inbox
    [InlineData("/api/inbox?page=101&pageSize=100", "page")]
    [InlineData("/api/inbox?page=501", "page")]
    [InlineData("/api/inbox?archived=maybe", "archived")]
    public async Task BadQueryAnswersProblemDetails(string url, string field)
    {
        var reader = await factory.CreateReaderAsync("bad");
        using var client = await (await factory.CreateLoggedInClientAsync(reader.Email!)).WithAntiforgeryHeaderAsync();
        var response = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task DeepPageIsRefusedByTheServiceAndClampedOnTheInboxPage()
    {
        var reader = await factory.CreateReaderAsync("deep");
        await SendAsync(reader.Id, "Only note");
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var inbox = scope.ServiceProvider.GetRequiredService<InboxService>();
            await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => inbox.ListAsync(reader.Id, int.MaxValue / 100, 100, archived: false, CancellationToken.None));
            var last = await inbox.ListAsync(reader.Id, InboxService.MaxPage(100), 100, archived: false, CancellationToken.None);
            Assert.Empty(last.Items);
            Assert.Equal(1, last.Total);
        }
        using var client = await factory.CreateLoggedInClientAsync(reader.Email!);
        var response = await client.GetAsync("/inbox?page=2147483647");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("Only note", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var api = await JsonAsync(client, $"/api/inbox?page={InboxService.MaxPage(20)}");
        Assert.Equal(1, api.GetProperty("total").GetInt32());
        Assert.Empty(api.GetProperty("items").EnumerateArray());
    }

    [Theory]
    [InlineData("/api/inbox/letter/1/read")]
    [InlineData("/api/inbox/message/-5/read")]
    [InlineData("/api/inbox/message/x/archive")]
    public async Task BadItemAddressAnswersProblemDetails(string url)
    {
        var reader = await factory.CreateReaderAsync("badid");
        using var client = await (await factory.CreateLoggedInClientAsync(reader.Email!)).WithAntiforgeryHeaderAsync();
        var response = await client.PostAsync(url, null);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task AnonymousApiCallIsUnauthorizedNotRedirected()
    {
        using var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/inbox")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/inbox")).StatusCode);
    }

    [Fact]
    public async Task InboxPageShowsMessagesBadgeAndMarkAllRead()
    {
        var reader = await factory.CreateReaderAsync("page");
        await SendAsync(reader.Id, "First note");
        await SendAsync(reader.Id, "Second note");
        using var client = await (await factory.CreateLoggedInClientAsync(reader.Email!)).WithAntiforgeryHeaderAsync();

        var html = await client.GetStringAsync("/inbox");
        Assert.Contains("First note", html, StringComparison.Ordinal);
        Assert.Contains("id=\"inbox-badge\" class=\"badge rounded-pill bg-danger\" data-count=\"2\"", html, StringComparison.Ordinal);

        var response = await client.PostFormAsync("/inbox", postUrl: "/inbox/read-all");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        html = await client.GetStringAsync("/inbox");
        Assert.Contains("data-count=\"0\"", html, StringComparison.Ordinal);
        Assert.Contains(">0</span> unread", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HubTellsOnlyTheAddresseeThatTheInboxChanged()
    {
        var reader = await factory.CreateReaderAsync("hub");
        var bystander = await factory.CreateReaderAsync("bystander");
        using var readerClient = await (await factory.CreateLoggedInClientAsync(reader.Email!)).WithAntiforgeryHeaderAsync();
        using var bystanderClient = await (await factory.CreateLoggedInClientAsync(bystander.Email!)).WithAntiforgeryHeaderAsync();
        await using var connection = factory.NotificationHubConnection(readerClient);
        await using var otherConnection = factory.NotificationHubConnection(bystanderClient);
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var otherReceived = new SemaphoreSlim(0);
        var otherCount = 0;
        connection.On(NotificationHub.InboxChanged, () => received.TrySetResult());
        otherConnection.On(NotificationHub.InboxChanged, () =>
        {
            Interlocked.Increment(ref otherCount);
            otherReceived.Release();
        });
        await connection.StartAsync();
        await otherConnection.StartAsync();

        await SendAsync(reader.Id, "Live");
        await received.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // Messages on one connection arrive in order: had the bystander been told about the reader's message,
        // that notification would have come before the two for its own messages.
        await SendAsync(bystander.Id, "Control 1");
        Assert.True(await otherReceived.WaitAsync(TimeSpan.FromSeconds(30)));
        await SendAsync(bystander.Id, "Control 2");
        Assert.True(await otherReceived.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(2, Volatile.Read(ref otherCount));

        var anonymous = factory.NotificationHubConnection(null);
        await Assert.ThrowsAnyAsync<Exception>(() => anonymous.StartAsync());
        await anonymous.DisposeAsync();
    }
}

public sealed class SqliteInboxTests(PushSqliteFactory factory) : InboxTests<PushSqliteFactory>(factory);

public sealed class PostgreSqlInboxTests(PushPostgreSqlFactory factory) : InboxTests<PushPostgreSqlFactory>(factory);
