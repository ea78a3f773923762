using System.Net;
using Microsoft.EntityFrameworkCore;
using NewsPush.Data.Entities;
using NewsPush.Tests.Infrastructure;
using NewsPush.Tests.Web.Editor;

namespace NewsPush.Tests.Web.Admin;

public abstract class UserAdminTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : NewsPushFactory
{
    private static async Task<HttpResponseMessage> LoginAsync(HttpClient client, string email) =>
        await client.PostFormAsync("/account/login", new Dictionary<string, string> { ["Email"] = email, ["Password"] = NewsPushFactory.Password });

    [Fact]
    public async Task LockedUserCannotLogInUntilUnlocked()
    {
        var email = $"{NewsroomTestExtensions.Unique("lockme")}@test.local";
        var user = await factory.CreateUserAsync(email);
        using var admin = await factory.CreateLoggedInClientAsync(NewsPushFactory.AdminEmail);
        Assert.Equal(HttpStatusCode.Redirect, (await admin.PostFormAsync("/admin/users", new Dictionary<string, string> { ["locked"] = "true" }, $"/admin/users/{user.Id}/lock")).StatusCode);

        using var client = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var refused = await LoginAsync(client, email);
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains("locked", await refused.Content.ReadAsStringAsync());

        await admin.PostFormAsync("/admin/users", new Dictionary<string, string> { ["locked"] = "false" }, $"/admin/users/{user.Id}/lock");
        Assert.Equal(HttpStatusCode.Redirect, (await LoginAsync(client, email)).StatusCode);
        Assert.True(await factory.WithDbAsync(db => db.AuditLog.AnyAsync(e => e.Action == "user.locked" && e.EntityId == user.Id)));
    }

    [Fact]
    public async Task RoleChangeGivesAReaderTheEditorArea()
    {
        var email = $"{NewsroomTestExtensions.Unique("promote")}@test.local";
        var user = await factory.CreateUserAsync(email);
        using (var asReader = await factory.CreateLoggedInClientAsync(email))
        {
            Assert.Contains("/account/access-denied", (await asReader.GetAsync("/editor/articles")).Headers.Location!.OriginalString);
        }

        using var admin = await factory.CreateLoggedInClientAsync(NewsPushFactory.AdminEmail);
        var content = new List<KeyValuePair<string, string>> { new("roles", Roles.Reader), new("roles", Roles.Editor) };
        var page = await admin.GetStringAsync("/admin/users");
        content.Add(new("__RequestVerificationToken", HttpTestExtensions.AntiforgeryToken(page)));
        Assert.Equal(HttpStatusCode.Redirect, (await admin.PostAsync($"/admin/users/{user.Id}/roles", new FormUrlEncodedContent(content))).StatusCode);

        using var asEditor = await factory.CreateLoggedInClientAsync(email);
        Assert.Equal(HttpStatusCode.OK, (await asEditor.GetAsync("/editor/articles")).StatusCode);
        Assert.Contains("/account/access-denied", (await asEditor.GetAsync("/admin/users")).Headers.Location!.OriginalString);
        var details = await factory.WithDbAsync(db => db.AuditLog.Where(e => e.Action == "user.roles-changed" && e.EntityId == user.Id).Select(e => e.Details).SingleAsync());
        Assert.EndsWith(": Reader → Editor,Reader", details);
    }

    [Fact]
    public async Task AdminCannotRemoveOwnAdminRole()
    {
        using var admin = await factory.CreateLoggedInClientAsync(NewsPushFactory.AdminEmail);
        var adminId = await factory.WithDbAsync(db => db.Users.Where(u => u.Email == NewsPushFactory.AdminEmail).Select(u => u.Id).SingleAsync());
        await admin.PostFormAsync("/admin/users", new Dictionary<string, string> { ["roles"] = Roles.Reader }, $"/admin/users/{adminId}/roles");
        Assert.Contains("You cannot take the Admin role away from yourself.", WebUtility.HtmlDecode(await admin.GetStringAsync("/admin/users")));
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/admin/users")).StatusCode);
    }

    [Fact]
    public async Task SearchFindsUsersAndPages()
    {
        var marker = NewsroomTestExtensions.Unique("findme");
        for (var i = 0; i < 23; i++)
        {
            await factory.CreateUserAsync($"{marker}-{i:00}@test.local");
        }
        using var admin = await factory.CreateLoggedInClientAsync(NewsPushFactory.AdminEmail);
        var first = await admin.GetStringAsync($"/admin/users?q={marker}");
        Assert.Contains("23 user(s)", first);
        Assert.Contains($"{marker}-00@test.local", first);
        Assert.DoesNotContain($"{marker}-22@test.local", first);
        Assert.Contains($"{marker}-22@test.local", await admin.GetStringAsync($"/admin/users?q={marker}&page=2"));
    }

    [Fact]
    public async Task DeletingAUserRemovesPersonalDataAndKeepsCommentsAnonymously()
    {
        var email = $"{NewsroomTestExtensions.Unique("forget")}@test.local";
        var user = await factory.CreateUserAsync(email);
        var commentId = await factory.WithDbAsync(async db =>
        {
            var article = await db.Articles.FirstAsync(a => a.Status == ArticleStatus.Published);
            var now = DateTime.UtcNow;
            db.Follows.Add(new Follow { UserId = user.Id, Kind = FollowKind.Column, TargetId = article.ColumnId, CreatedAt = now });
            db.Bookmarks.Add(new Bookmark { UserId = user.Id, ArticleId = article.Id, CreatedAt = now });
            db.Ratings.Add(new Rating { UserId = user.Id, ArticleId = article.Id, Stars = 5, CreatedAt = now });
            db.ArticleReads.Add(new ArticleRead { UserId = user.Id, ArticleId = article.Id, FirstReadAt = now, LastReadAt = now, ReadCount = 1 });
            db.Interactions.Add(new Interaction { UserId = user.Id, ArticleId = article.Id, Type = InteractionType.Click, OccurredAt = now });
            db.ReaderPreferences.Add(new ReaderPreferences { UserId = user.Id, UpdatedAt = now });
            db.Devices.Add(new Device { UserId = user.Id, DeviceId = "d1", Token = "t", CreatedAt = now, LastSeenAt = now });
            db.InboxMessages.Add(new InboxMessage { UserId = user.Id, Title = "hi", CreatedAt = now });
            var digest = new Digest { UserId = user.Id, WindowKey = "daily:x", ScheduledFor = now, CreatedAt = now, Items = [new DigestItem { ArticleId = article.Id, Position = 1 }] };
            db.Digests.Add(digest);
            await db.SaveChangesAsync();
            db.Deliveries.Add(new Delivery { UserId = user.Id, ContentKind = DeliveryContentKind.Digest, ContentId = digest.Id, Channel = DeliveryChannel.Email, TrackingToken = NewsroomTestExtensions.Unique("tok"), CreatedAt = now });
            var comment = new Comment { ArticleId = article.Id, AuthorId = user.Id, Body = "kept", BodyHtml = "<p>kept</p>", CreatedAt = now };
            db.Comments.Add(comment);
            await db.SaveChangesAsync();
            return comment.Id;
        });

        using var admin = await factory.CreateLoggedInClientAsync(NewsPushFactory.AdminEmail);
        Assert.Equal(HttpStatusCode.Redirect, (await admin.PostFormAsync("/admin/users", new Dictionary<string, string>(), $"/admin/users/{user.Id}/delete")).StatusCode);

        await factory.WithDbAsync(async db =>
        {
            var comment = await db.Comments.AsNoTracking().SingleAsync(c => c.Id == commentId);
            Assert.Null(comment.AuthorId);
            Assert.Equal("<p>kept</p>", comment.BodyHtml);
            Assert.False(await db.Follows.AnyAsync(x => x.UserId == user.Id));
            Assert.False(await db.Bookmarks.AnyAsync(x => x.UserId == user.Id));
            Assert.False(await db.Ratings.AnyAsync(x => x.UserId == user.Id));
            Assert.False(await db.ArticleReads.AnyAsync(x => x.UserId == user.Id));
            Assert.False(await db.Interactions.AnyAsync(x => x.UserId == user.Id));
            Assert.False(await db.ReaderPreferences.AnyAsync(x => x.UserId == user.Id));
            Assert.False(await db.Devices.AnyAsync(x => x.UserId == user.Id));
            Assert.False(await db.InboxMessages.AnyAsync(x => x.UserId == user.Id));
            Assert.False(await db.Digests.AnyAsync(x => x.UserId == user.Id));
            Assert.False(await db.Deliveries.AnyAsync(x => x.UserId == user.Id));
            Assert.False(await db.Users.AnyAsync(u => u.Email == email));
            var scrubbed = await db.Users.AsNoTracking().SingleAsync(u => u.Id == user.Id);
            Assert.NotNull(scrubbed.DeletedAt);
            Assert.Null(scrubbed.PasswordHash);
        });
        using var client = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        Assert.Equal(HttpStatusCode.OK, (await LoginAsync(client, email)).StatusCode);
    }
}

public sealed class SqliteUserAdminTests(SqliteFactory factory) : UserAdminTests<SqliteFactory>(factory);

public sealed class PostgreSqlUserAdminTests(PostgreSqlFactory factory) : UserAdminTests<PostgreSqlFactory>(factory);
