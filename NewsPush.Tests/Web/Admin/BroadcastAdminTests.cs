using NewsPush.Web.Infrastructure.Realtime;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NewsPush.Data.Entities;
using NewsPush.Tests.Infrastructure;
using NewsPush.Tests.Web.Push;
using NewsPush.Web.Inbox;

namespace NewsPush.Tests.Web.Admin;

/// <summary>Admins send broadcasts to every reader's inbox, see how many have read each, expire and delete them.</summary>
public abstract class BroadcastAdminTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : PushFactory
{
    private static string Unique(string prefix) => $"{prefix} {Guid.NewGuid():N}"[..(prefix.Length + 9)];

    private static Dictionary<string, string> Form(string title, string body = "Tonight from 02:00 to 03:00 UTC.\nComments are read-only.", string link = "", string expiresAt = "") => new()
    {
        ["Form.Title"] = title, ["Form.Body"] = body, ["Form.Link"] = link, ["Form.ExpiresAt"] = expiresAt,
    };

    private async Task<long> SendAsync(HttpClient admin, Dictionary<string, string> form)
    {
        var response = await admin.PostFormAsync("/admin/broadcasts", form);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var title = form["Form.Title"];
        return await factory.WithDbAsync(db => db.Broadcasts.Where(b => b.Title == title).Select(b => b.Id).SingleAsync());
    }

    private static async Task<int> UnreadAsync(HttpClient reader) =>
        (await reader.GetFromJsonAsync<JsonElement>("/api/inbox/unread-count")).GetProperty("count").GetInt32();

    /// <summary>The text of the admin list's row for one broadcast.</summary>
    private static async Task<string> RowAsync(HttpClient admin, long id, int page = 1)
    {
        var html = await admin.GetStringAsync($"/admin/broadcasts?page={page}");
        var row = Regex.Match(html, $"<tr id=\"broadcast-{id}\">.*?</tr>", RegexOptions.Singleline);
        Assert.True(row.Success, $"broadcast {id} is not listed on page {page}");
        return Regex.Replace(WebUtility.HtmlDecode(Regex.Replace(row.Value, "<[^>]+>", " ")), @"\s+", " ");
    }

    private string Local(TimeSpan fromNow) => (factory.Clock.Now + fromNow).UtcDateTime.ToString("yyyy-MM-ddTHH:mm");

    [Fact]
    public async Task AdminSendsABroadcastAndAReaderSeesItWithTheBadgeOneHigherAtOnce()
    {
        var reader = await factory.CreateReaderAsync("bcnew");
        using var readerClient = await (await factory.CreateLoggedInClientAsync(reader.Email!)).WithAntiforgeryHeaderAsync();
        using var admin = await (await factory.CreateLoggedInClientAsync(NewsPushFactory.AdminEmail)).WithAntiforgeryHeaderAsync();
        var before = await UnreadAsync(readerClient);
        await using var hub = factory.NotificationHubConnection(readerClient);
        var told = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        hub.On(NotificationHub.InboxChanged, () => told.TrySetResult());
        await hub.StartAsync();
        var title = Unique("Maintenance");

        var id = await SendAsync(admin, Form(title, link: "https://status.example.com/incidents/42"));

        await told.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(before + 1, await UnreadAsync(readerClient));
        Assert.Contains(title, await readerClient.GetStringAsync("/inbox"), StringComparison.Ordinal);
        var opened = await readerClient.GetStringAsync($"/inbox/broadcast/{id}");
        Assert.Contains("<p class=\"mb-1\">Comments are read-only.</p>", opened, StringComparison.Ordinal);
        Assert.Contains("href=\"https://status.example.com/incidents/42\" rel=\"noopener noreferrer\">Open</a>", opened, StringComparison.Ordinal);
        Assert.Equal(before, await UnreadAsync(readerClient));
        Assert.Contains("Broadcast sent", await admin.GetStringAsync("/admin/broadcasts"), StringComparison.Ordinal);
        Assert.True(await factory.WithDbAsync(db => db.AuditLog.AnyAsync(e => e.Action == "broadcast.created" && e.EntityId == id.ToString() && e.ActorName == NewsPushFactory.AdminEmail)));
    }

    [Theory]
    [InlineData("", "Body", "", null, "Give the broadcast a title.")]
    [InlineData("   ", "Body", "", null, "Give the broadcast a title.")]
    [InlineData("LONG", "Body", "", null, "The title can be at most 200 characters.")]
    [InlineData("Title", "", "", null, "Write the message readers will see.")]
    [InlineData("Title", "Body", "javascript:alert(document.cookie)", null, "The link must be a path on this site (starting with /) or an http:// or https:// address.")]
    [InlineData("Title", "Body", "//evil.example/login", null, "The link must be a path on this site")]
    [InlineData("Title", "Body", "data:text/html,hi", null, "The link must be a path on this site")]
    [InlineData("Title", "Body", "/column\t/evil.example", null, "The link must be a path on this site")]
    [InlineData("Title", "Body", "https://status.example.com/\u0007incident", null, "The link must be a path on this site")]
    [InlineData("Title", "Body", "https://status.example.com/\u202Efdp.exe", null, "The link must be a path on this site")]
    [InlineData("Title", "Body", "/column/world", -60, "The expiry must be in the future (UTC)")]
    [InlineData("Title", "Body", "", 0, "The expiry must be in the future (UTC)")]
    public async Task InvalidBroadcastIsShownAgainWithItsMessageAndNothingIsStored(string title, string body, string link, int? expiresInMinutes, string message)
    {
        using var admin = await (await factory.CreateLoggedInClientAsync(NewsPushFactory.AdminEmail)).WithAntiforgeryHeaderAsync();
        title = title == "LONG" ? new string('x', 201) : title;
        var count = await factory.WithDbAsync(db => db.Broadcasts.CountAsync());
        var expiresAt = expiresInMinutes is { } m ? Local(TimeSpan.FromMinutes(m)) : "";

        var response = await admin.PostFormAsync("/admin/broadcasts", Form(title, body, link, expiresAt));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.Contains(message, html, StringComparison.Ordinal);
        Assert.Contains("<form method=\"post\" action=\"/admin/broadcasts\"", html, StringComparison.Ordinal);
        if (link.Length > 0)
        {
            Assert.Contains($"value=\"{link}\"", html, StringComparison.Ordinal);
        }
        Assert.Equal(count, await factory.WithDbAsync(db => db.Broadcasts.CountAsync()));
    }

    [Theory]
    [InlineData(Roles.Reader, "/inbox")]
    [InlineData(Roles.Editor, "/editor/articles")]
    public async Task ReadersAndEditorsCannotSendABroadcastEvenWithAValidToken(string role, string pageTheyCanSee)
    {
        var email = $"{role.ToLowerInvariant()}-{Guid.NewGuid():N}"[..20] + "@test.local";
        await factory.CreateUserAsync(email, role);
        using var client = await (await factory.CreateLoggedInClientAsync(email)).WithAntiforgeryHeaderAsync();
        var title = Unique("Not allowed");

        var response = await client.PostFormAsync(pageTheyCanSee, Form(title), "/admin/broadcasts");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/account/access-denied", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.False(await factory.WithDbAsync(db => db.Broadcasts.AnyAsync(b => b.Title == title)));
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/admin/broadcasts")).StatusCode);
    }

    [Fact]
    public async Task ExpireNowTakesItOutOfReadersInboxesAndUnreadCountsButKeepsItListed()
    {
        var reader = await factory.CreateReaderAsync("bcexp");
        using var readerClient = await (await factory.CreateLoggedInClientAsync(reader.Email!)).WithAntiforgeryHeaderAsync();
        using var admin = await (await factory.CreateLoggedInClientAsync(NewsPushFactory.AdminEmail)).WithAntiforgeryHeaderAsync();
        var before = await UnreadAsync(readerClient);
        var title = Unique("Expire me");
        var id = await SendAsync(admin, Form(title));
        Assert.Equal(before + 1, await UnreadAsync(readerClient));

        var response = await admin.PostFormAsync("/admin/broadcasts", postUrl: $"/admin/broadcasts/{id}/expire");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(before, await UnreadAsync(readerClient));
        Assert.DoesNotContain(title, await readerClient.GetStringAsync("/inbox"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await readerClient.GetAsync($"/inbox/broadcast/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await readerClient.PostAsync($"/api/inbox/broadcast/{id}/read", null)).StatusCode);
        var row = await RowAsync(admin, id);
        Assert.Contains("expired", row, StringComparison.Ordinal);
        Assert.DoesNotContain("Expire now", row, StringComparison.Ordinal);
        Assert.True(await factory.WithDbAsync(db => db.AuditLog.AnyAsync(e => e.Action == "broadcast.expired" && e.EntityId == id.ToString())));
    }

    [Fact]
    public async Task BroadcastLeavesInboxesWhenItsExpiryPasses()
    {
        var reader = await factory.CreateReaderAsync("bcttl");
        using var readerClient = await (await factory.CreateLoggedInClientAsync(reader.Email!)).WithAntiforgeryHeaderAsync();
        using var admin = await (await factory.CreateLoggedInClientAsync(NewsPushFactory.AdminEmail)).WithAntiforgeryHeaderAsync();
        var before = await UnreadAsync(readerClient);
        var title = Unique("Two hours");
        await SendAsync(admin, Form(title, expiresAt: Local(TimeSpan.FromHours(2))));
        Assert.Contains(title, await readerClient.GetStringAsync("/inbox"), StringComparison.Ordinal);

        factory.Clock.Advance(TimeSpan.FromHours(3));

        Assert.DoesNotContain(title, await readerClient.GetStringAsync("/inbox"), StringComparison.Ordinal);
        Assert.Equal(before, await UnreadAsync(readerClient));
    }

    [Fact]
    public async Task AdminListShowsHowManyReadersHaveReadEachBroadcast()
    {
        var readsIt = await factory.CreateReaderAsync("bcread");
        var archivesIt = await factory.CreateReaderAsync("bcarch");
        using var admin = await (await factory.CreateLoggedInClientAsync(NewsPushFactory.AdminEmail)).WithAntiforgeryHeaderAsync();
        var id = await SendAsync(admin, Form(Unique("Read count")));
        Assert.Contains("0 readers", await RowAsync(admin, id), StringComparison.Ordinal);

        using (var reader = await factory.CreateLoggedInClientAsync(readsIt.Email!))
        {
            Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync($"/inbox/broadcast/{id}")).StatusCode);
        }
        using (var other = await (await factory.CreateLoggedInClientAsync(archivesIt.Email!)).WithAntiforgeryHeaderAsync())
        {
            // Archived unread: a receipt, but not a read.
            Assert.Equal(HttpStatusCode.NoContent, (await other.PostAsync($"/api/inbox/broadcast/{id}/archive", null)).StatusCode);
        }

        Assert.Contains("1 reader", await RowAsync(admin, id), StringComparison.Ordinal);
        Assert.DoesNotContain("2 readers", await RowAsync(admin, id), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeleteRemovesTheBroadcastAndEveryReceipt()
    {
        var reader = await factory.CreateReaderAsync("bcdel");
        using var readerClient = await (await factory.CreateLoggedInClientAsync(reader.Email!)).WithAntiforgeryHeaderAsync();
        using var admin = await (await factory.CreateLoggedInClientAsync(NewsPushFactory.AdminEmail)).WithAntiforgeryHeaderAsync();
        var title = Unique("Delete me");
        var id = await SendAsync(admin, Form(title));
        await readerClient.GetAsync($"/inbox/broadcast/{id}");

        var response = await admin.PostFormAsync("/admin/broadcasts", postUrl: $"/admin/broadcasts/{id}/delete");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.DoesNotContain(title, await readerClient.GetStringAsync("/inbox"), StringComparison.Ordinal);
        Assert.DoesNotContain(title, await admin.GetStringAsync("/admin/broadcasts"), StringComparison.Ordinal);
        var (broadcasts, receipts) = await factory.WithDbAsync(async db => (await db.Broadcasts.CountAsync(b => b.Id == id), await db.BroadcastReceipts.CountAsync(r => r.BroadcastId == id)));
        Assert.Equal((0, 0), (broadcasts, receipts));
        Assert.True(await factory.WithDbAsync(db => db.AuditLog.AnyAsync(e => e.Action == "broadcast.deleted" && e.EntityId == id.ToString())));
        Assert.Contains("The broadcast does not exist.", await FollowAsync(admin, await admin.PostFormAsync("/admin/broadcasts", postUrl: $"/admin/broadcasts/{id}/expire")));
    }

    [Fact]
    public async Task ListIsNewestFirstTwentyAPage()
    {
        var batch = Unique("Batch");
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var inbox = scope.ServiceProvider.GetRequiredService<InboxService>();
            for (var i = 1; i <= 21; i++)
            {
                factory.Clock.Advance(TimeSpan.FromSeconds(1));
                await inbox.BroadcastAsync($"{batch} #{i:00}", "Body", null, null, CancellationToken.None);
            }
        }
        using var admin = await (await factory.CreateLoggedInClientAsync(NewsPushFactory.AdminEmail)).WithAntiforgeryHeaderAsync();

        var first = await admin.GetStringAsync("/admin/broadcasts");
        var second = await admin.GetStringAsync("/admin/broadcasts?page=2");

        Assert.True(first.IndexOf($"{batch} #21", StringComparison.Ordinal) < first.IndexOf($"{batch} #20", StringComparison.Ordinal));
        Assert.Contains($"{batch} #02", first, StringComparison.Ordinal);
        Assert.DoesNotContain($"{batch} #01", first, StringComparison.Ordinal);
        Assert.Contains($"{batch} #01", second, StringComparison.Ordinal);
        Assert.Contains("Page 1 of", first, StringComparison.Ordinal);
    }

    private static async Task<string> FollowAsync(HttpClient client, HttpResponseMessage redirect)
    {
        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
        return await client.GetStringAsync(redirect.Headers.Location);
    }
}

public sealed class SqliteBroadcastAdminTests(PushSqliteFactory factory) : BroadcastAdminTests<PushSqliteFactory>(factory);

public sealed class PostgreSqlBroadcastAdminTests(PushPostgreSqlFactory factory) : BroadcastAdminTests<PushPostgreSqlFactory>(factory);
