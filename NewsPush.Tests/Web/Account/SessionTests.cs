using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NewsPush.Data.Entities;
using NewsPush.Tests.Infrastructure;
using static NewsPush.Tests.Web.Reader.ReaderTestData;

namespace NewsPush.Tests.Web.Account;

/// <summary>Sessions end when the account changes, on logout (the cookie's copies too) and everywhere on request.</summary>
public abstract class SessionTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : SecurityFactory
{
    private static bool SignedOut(HttpResponseMessage response) =>
        response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location!.OriginalString.Contains("/account/login", StringComparison.Ordinal);

    private HttpClient CopyOf(LoggedInClient client)
    {
        var copy = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        copy.DefaultRequestHeaders.Add("Cookie", client.CookieHeader);
        return copy;
    }

    [Fact]
    public async Task TakingTheEditorRoleAwayEndsTheEditorsSessionAtTheNextRequest()
    {
        var editor = await factory.CreateUserAsync(Unique("ed") + "@test.local", Roles.Editor, Roles.Reader);
        using var asEditor = await factory.CreateLoggedInClientAsync(editor.Email!);
        Assert.Equal(HttpStatusCode.OK, (await asEditor.GetAsync("/editor/articles")).StatusCode);
        using var admin = await factory.CreateLoggedInClientAsync(NewsPushFactory.AdminEmail);

        var content = new FormUrlEncodedContent([new("roles", Roles.Reader), new("__RequestVerificationToken", HttpTestExtensions.AntiforgeryToken(await admin.GetStringAsync("/admin/users")))]);
        Assert.Equal(HttpStatusCode.Redirect, (await admin.PostAsync($"/admin/users/{editor.Id}/roles", content)).StatusCode);

        // No time passes: staff sessions are checked on every request.
        var after = await asEditor.GetAsync("/editor/articles");
        Assert.True(SignedOut(after), $"{after.StatusCode} {after.Headers.Location}");
    }

    [Theory]
    [InlineData("lock")]
    [InlineData("delete")]
    [InlineData("change-password")]
    [InlineData("reset-password")]
    [InlineData("sign-out-everywhere")]
    [InlineData("admin-sign-out")]
    public async Task AReadersOtherSessionsEndWithinAMinuteOf(string change)
    {
        var reader = await factory.CreateUserAsync(Unique("rev") + "@test.local");
        using var session = await factory.CreateLoggedInClientAsync(reader.Email!);
        Assert.Equal(HttpStatusCode.OK, (await session.GetAsync("/me/bookmarks")).StatusCode);
        using var other = await factory.CreateLoggedInClientAsync(reader.Email!);
        using var admin = await factory.CreateLoggedInClientAsync(NewsPushFactory.AdminEmail);

        var done = change switch
        {
            "lock" => await admin.PostFormAsync("/admin/users", new Dictionary<string, string> { ["locked"] = "true" }, $"/admin/users/{reader.Id}/lock"),
            "delete" => await admin.PostFormAsync("/admin/users", null, $"/admin/users/{reader.Id}/delete"),
            "admin-sign-out" => await admin.PostFormAsync("/admin/users", null, $"/admin/users/{reader.Id}/sign-out"),
            "change-password" => await other.PostFormAsync("/account/change-password", new Dictionary<string, string>
            {
                ["CurrentPassword"] = NewsPushFactory.Password, ["NewPassword"] = "a different long phrase", ["ConfirmPassword"] = "a different long phrase",
            }),
            "reset-password" => await ResetAsync(reader),
            _ => await other.PostFormAsync("/account/sign-out-everywhere", new Dictionary<string, string> { ["currentPassword"] = NewsPushFactory.Password }),
        };
        Assert.True(done.IsSuccessStatusCode || done.StatusCode == HttpStatusCode.Redirect, $"{change}: {done.StatusCode}");
        factory.Clock.Advance(TimeSpan.FromSeconds(61));

        Assert.True(SignedOut(await session.GetAsync("/me/bookmarks")), $"the session outlived {change}");
        if (change == "change-password")
        {
            // The session that changed the password goes on.
            Assert.Equal(HttpStatusCode.OK, (await other.GetAsync("/me/bookmarks")).StatusCode);
        }
        if (change == "sign-out-everywhere")
        {
            Assert.True(SignedOut(await other.GetAsync("/me/bookmarks")));
        }
    }

    private async Task<HttpResponseMessage> ResetAsync(ApplicationUser reader)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = await users.FindByIdAsync(reader.Id);
        var token = NewsPush.Web.Account.AccountEmails.Encode(await users.GeneratePasswordResetTokenAsync(user!));
        using var anonymous = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        return await anonymous.PostFormAsync($"/account/reset-password?email={Uri.EscapeDataString(reader.Email!)}&code={token}", new Dictionary<string, string>
        {
            ["Email"] = reader.Email!, ["Code"] = token, ["Password"] = "my reset long phrase", ["ConfirmPassword"] = "my reset long phrase",
        }, "/account/reset-password");
    }

    [Fact]
    public async Task ASessionInUseStillEndsThirtyDaysAfterItsSignIn()
    {
        var reader = await factory.CreateUserAsync(Unique("abs") + "@test.local");
        using var session = await factory.CreateLoggedInClientAsync(reader.Email!);

        // Each visit renews the 14-day cookie (days 8, 16, 24, 29) …
        foreach (var days in new[] { 8, 8, 8, 5 })
        {
            factory.Clock.Advance(TimeSpan.FromDays(days));
            Assert.Equal(HttpStatusCode.OK, (await session.GetAsync("/me/bookmarks")).StatusCode);
        }
        // … but day 30 after the password sign-in is the end (Accounts:AbsoluteSessionDays).
        factory.Clock.Advance(TimeSpan.FromDays(1.5));
        var after = await session.GetAsync("/me/bookmarks");
        Assert.True(SignedOut(after), $"{after.StatusCode} {after.Headers.Location}");
    }

    [Fact]
    public async Task LoggingOutEndsACopyOfTheSessionCookieToo()
    {
        var reader = await factory.CreateUserAsync(Unique("out") + "@test.local");
        using var session = await factory.CreateLoggedInClientAsync(reader.Email!);
        using var stolen = CopyOf(session);
        Assert.Equal(HttpStatusCode.OK, (await stolen.GetAsync("/me/bookmarks")).StatusCode);

        var logout = await session.PostFormAsync("/me/bookmarks", null, "/account/logout");
        factory.Clock.Advance(TimeSpan.FromSeconds(61));

        Assert.Equal(HttpStatusCode.Redirect, logout.StatusCode);
        Assert.True(SignedOut(await stolen.GetAsync("/me/bookmarks")));
        Assert.True(await factory.WithDbAsync(db => db.UserTokens.AnyAsync(t => t.UserId == reader.Id && t.LoginProvider == NewsPush.Web.Account.AccountSessions.SignedOutProvider)));
    }

    [Fact]
    public async Task SignOutEverywhereIsAConfirmedFormWithAntiforgery()
    {
        var reader = await factory.CreateUserAsync(Unique("conf") + "@test.local");
        using var session = await factory.CreateLoggedInClientAsync(reader.Email!);

        var security = WebUtility.HtmlDecode(await session.GetStringAsync("/account/security"));
        var confirm = WebUtility.HtmlDecode(await session.GetStringAsync("/account/sign-out-everywhere"));
        var forged = await session.PostAsync("/account/sign-out-everywhere", new FormUrlEncodedContent(new Dictionary<string, string> { ["currentPassword"] = NewsPushFactory.Password }));
        var noPassword = await session.PostFormAsync("/account/sign-out-everywhere", new Dictionary<string, string> { ["currentPassword"] = "not it" });

        Assert.Contains("href=\"/account/sign-out-everywhere\"", security);
        Assert.Contains("Sign out everywhere?", confirm);
        Assert.Contains("__RequestVerificationToken", confirm);
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Contains("Your password is not right.", await noPassword.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await session.GetAsync("/me/bookmarks")).StatusCode);
    }

    [Fact]
    public async Task AnOldPasswordHashIsRehashedWith210000IterationsAtSignIn()
    {
        var reader = await factory.CreateUserAsync(Unique("hash") + "@test.local");
        Assert.Equal(210_000, Iterations(await HashOfAsync(reader.Id)));
        var old = new PasswordHasher<ApplicationUser>(Microsoft.Extensions.Options.Options.Create(new PasswordHasherOptions { IterationCount = 100_000 }))
            .HashPassword(reader, NewsPushFactory.Password);
        await factory.WithDbAsync(db => db.Users.Where(u => u.Id == reader.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.PasswordHash, old)));
        Assert.Equal(100_000, Iterations(await HashOfAsync(reader.Id)));

        using var session = await factory.CreateLoggedInClientAsync(reader.Email!);

        Assert.Equal(210_000, Iterations(await HashOfAsync(reader.Id)));
        Assert.Equal(HttpStatusCode.OK, (await session.GetAsync("/me/bookmarks")).StatusCode);
    }

    private Task<string> HashOfAsync(string id) => factory.WithDbAsync(db => db.Users.Where(u => u.Id == id).Select(u => u.PasswordHash!).SingleAsync());

    /// <summary>Identity V3 format: 0x01, PRF (4 bytes), iteration count (4 bytes, big-endian), salt length, salt, subkey.</summary>
    private static int Iterations(string hash)
    {
        var bytes = Convert.FromBase64String(hash);
        Assert.Equal(0x01, bytes[0]);
        Assert.Equal(2, (bytes[1] << 24) | (bytes[2] << 16) | (bytes[3] << 8) | bytes[4]); // HMAC-SHA512
        return (bytes[5] << 24) | (bytes[6] << 16) | (bytes[7] << 8) | bytes[8];
    }

    [Fact]
    public async Task DeletingAUserLeavesNoEMailAddressOfTheirsInTheAuditLog()
    {
        var editor = await factory.CreateUserAsync(Unique("gone") + "@test.local", Roles.Editor, Roles.Reader);
        using var admin = await factory.CreateLoggedInClientAsync(NewsPushFactory.AdminEmail);
        var roles = new FormUrlEncodedContent([new("roles", Roles.Reader), new("__RequestVerificationToken", HttpTestExtensions.AntiforgeryToken(await admin.GetStringAsync("/admin/users")))]);
        await admin.PostAsync($"/admin/users/{editor.Id}/roles", roles);
        await admin.PostFormAsync("/admin/users", new Dictionary<string, string> { ["locked"] = "true" }, $"/admin/users/{editor.Id}/lock");
        // Something the user did themselves, recorded under their name.
        await factory.WithDbAsync(async db =>
        {
            db.AuditLog.Add(new AuditLogEntry { ActorId = editor.Id, ActorName = editor.Email, Action = "article.published", EntityType = "Article", EntityId = "1", CreatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        });
        Assert.True(await factory.WithDbAsync(db => db.AuditLog.AnyAsync(e => e.Details!.Contains(editor.Email!))));

        var deleted = await admin.PostFormAsync("/admin/users", null, $"/admin/users/{editor.Id}/delete");

        Assert.Equal(HttpStatusCode.Redirect, deleted.StatusCode);
        var entries = await factory.WithDbAsync(db => db.AuditLog.Where(e => e.EntityId == editor.Id || e.ActorId == editor.Id).ToListAsync());
        Assert.Contains(entries, e => e.Action == "user.deleted");
        Assert.Contains(entries, e => e.Action == "user.roles-changed");
        Assert.Contains(entries, e => e.Action == "article.published" && e.ActorName == $"deleted user {editor.Id}");
        Assert.False(await factory.WithDbAsync(db => db.AuditLog.AnyAsync(e => (e.Details != null && e.Details.Contains(editor.Email!)) || e.ActorName == editor.Email)));
    }
}

public sealed class SqliteSessionTests(SqliteSecurityFactory factory) : SessionTests<SqliteSecurityFactory>(factory);

public sealed class PostgreSqlSessionTests(PostgreSqlSecurityFactory factory) : SessionTests<PostgreSqlSecurityFactory>(factory);
