using System.Net;
using Microsoft.AspNetCore.Identity;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using NewsPush.Data.Entities;
using NewsPush.Tests.Infrastructure;
using static NewsPush.Tests.Web.Reader.ReaderTestData;

namespace NewsPush.Tests.Web.Account;

/// <summary>The site as deployed: admins and editors must sign in with a second factor.</summary>
public class MfaFactory : SecurityFactory
{
    protected MfaFactory(TestDatabase database) : base(database) => Settings["Accounts:RequireMfaForStaff"] = "true";

    public MfaFactory() : this(TestDatabase.Sqlite)
    {
    }
}

public sealed class MfaPostgreSqlFactory() : MfaFactory(TestDatabase.PostgreSql);

public abstract partial class TwoFactorTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : MfaFactory
{
    private static int peers;

    /// <summary>A browser of its own at an address of its own, so one test's failed codes do not delay another's sign-in.</summary>
    private static HttpClient WithCookies(TFactory f)
    {
        var client = f.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var n = Interlocked.Increment(ref peers);
        client.DefaultRequestHeaders.Add(SecurityFactory.PeerHeader, $"10.19.{n / 250}.{n % 250 + 1}");
        return client;
    }

    private static async Task<HttpResponseMessage> PasswordAsync(HttpClient client, string email) =>
        await client.PostFormAsync("/account/login", new Dictionary<string, string> { ["Email"] = email, ["Password"] = NewsPushFactory.Password, ["ReturnUrl"] = "/me/bookmarks" });

    /// <summary>The code an authenticator app shows now, by the site's clock.</summary>
    private string CodeNow(string key) => Totp.Code(key, factory.Clock.GetUtcNow());

    /// <summary>Signs in with the password, sets up TOTP through the setup page and returns the key and the recovery codes shown.</summary>
    private async Task<(string Key, List<string> Codes)> SetUpAsync(HttpClient client)
    {
        var setup = WebUtility.HtmlDecode(await client.GetStringAsync("/account/two-factor/setup"));
        Assert.Contains("<svg", setup);
        var key = KeyRegex().Match(setup).Groups[1].Value;
        Assert.NotEmpty(key);
        var wrong = await client.PostFormAsync("/account/two-factor/setup", new Dictionary<string, string> { ["Code"] = "000000" == CodeNow(key) ? "111111" : "000000" });
        Assert.Contains("That code is not right.", WebUtility.HtmlDecode(await wrong.Content.ReadAsStringAsync()));
        var done = await client.PostFormAsync("/account/two-factor/setup", new Dictionary<string, string> { ["Code"] = CodeNow(key) });
        var page = WebUtility.HtmlDecode(await done.Content.ReadAsStringAsync());
        Assert.Contains("They are shown only now.", page);
        Assert.Contains("download=\"newspush-recovery-codes.txt\"", page);
        var codes = CodeRegex().Matches(page.Split("id=\"recovery-codes\"")[1].Split("</ul>")[0]).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(10, codes.Count);
        return (key, codes);
    }

    [Fact]
    public async Task AnEditorWithoutTwoFactorIsSentToSetItUpAndCannotUseTheNewsroomUntilThen()
    {
        var editor = await factory.CreateUserAsync(Unique("mfa-ed") + "@test.local", Roles.Editor, Roles.Reader);
        using var client = WithCookies(factory);

        var login = await PasswordAsync(client, editor.Email!);
        var newsroom = await client.GetAsync("/editor/articles");

        Assert.StartsWith("/account/two-factor/setup?returnUrl=", login.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, newsroom.StatusCode);
        Assert.StartsWith("/account/two-factor/required?returnUrl=%2Feditor%2Farticles", newsroom.Headers.Location!.OriginalString);

        await SetUpAsync(client);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/editor/articles")).StatusCode);

        // Required for staff: they cannot turn it off.
        var off = await client.PostFormAsync("/account/two-factor", new Dictionary<string, string> { ["currentPassword"] = NewsPushFactory.Password }, "/account/two-factor/disable");
        Assert.Contains("must keep two-factor sign-in on", WebUtility.HtmlDecode(await client.GetStringAsync(off.Headers.Location!.OriginalString)));
        Assert.True(await factory.WithDbAsync(db => db.Users.Where(u => u.Id == editor.Id).Select(u => u.TwoFactorEnabled).SingleAsync()));
    }

    [Fact]
    public async Task AReaderTurnsOnTotpThenSignsInWithACodeOrARecoveryCodeOnce()
    {
        var reader = await factory.CreateUserAsync(Unique("mfa-r") + "@test.local");
        using var first = WithCookies(factory);
        Assert.Equal("/me/bookmarks", (await PasswordAsync(first, reader.Email!)).Headers.Location!.OriginalString);
        Assert.Contains("Two-factor sign-in is <strong>off</strong>", await first.GetStringAsync("/account/two-factor"));
        var (key, codes) = await SetUpAsync(first);
        Assert.Contains("Two-factor sign-in is <strong>on</strong>", await first.GetStringAsync("/account/two-factor"));

        // A copy of the database holds neither the seed nor the codes: the seed is encrypted, the codes hashed.
        var stored = await factory.WithDbAsync(db => db.UserTokens.Where(t => t.UserId == reader.Id).ToDictionaryAsync(t => t.Name, t => t.Value ?? ""));
        Assert.StartsWith("dp:", stored["AuthenticatorKey"]);
        Assert.DoesNotContain(key, stored["AuthenticatorKey"]);
        Assert.All(codes, c => Assert.DoesNotContain(c, stored["RecoveryCodes"]));
        Assert.Equal(10, stored["RecoveryCodes"].Split(';').Length);

        // The password alone no longer signs in.
        using var second = WithCookies(factory);
        var password = await PasswordAsync(second, reader.Email!);
        Assert.StartsWith("/account/login/two-factor", password.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, (await second.GetAsync("/me/bookmarks")).StatusCode);
        var form = password.Headers.Location!.OriginalString;
        var wrong = await second.PostFormAsync(form, new Dictionary<string, string> { ["Code"] = "12345" }, "/account/login/two-factor");
        Assert.Contains("That code is not right.", WebUtility.HtmlDecode(await wrong.Content.ReadAsStringAsync()));
        // The code that turned it on is used up: the app's next code (30 s later) signs in, once.
        var setupCode = await second.PostFormAsync(form, new Dictionary<string, string> { ["Code"] = CodeNow(key) }, "/account/login/two-factor");
        Assert.Contains("That code is not right.", WebUtility.HtmlDecode(await setupCode.Content.ReadAsStringAsync()));
        factory.Clock.Advance(TimeSpan.FromSeconds(30));
        var right = await second.PostFormAsync(form, new Dictionary<string, string> { ["Code"] = CodeNow(key), ["ReturnUrl"] = "/me/bookmarks" }, "/account/login/two-factor");
        Assert.Equal("/me/bookmarks", right.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync("/me/bookmarks")).StatusCode);
        using var replay = WithCookies(factory);
        var replayStep = (await PasswordAsync(replay, reader.Email!)).Headers.Location!.OriginalString;
        var replayed = await replay.PostFormAsync(replayStep, new Dictionary<string, string> { ["Code"] = CodeNow(key) }, "/account/login/two-factor");
        Assert.Contains("That code is not right.", WebUtility.HtmlDecode(await replayed.Content.ReadAsStringAsync()));
        Assert.Equal(HttpStatusCode.Redirect, (await replay.GetAsync("/me/bookmarks")).StatusCode);

        // A recovery code works once.
        using var third = WithCookies(factory);
        var step = (await PasswordAsync(third, reader.Email!)).Headers.Location!.OriginalString;
        var recovered = await third.PostFormAsync(step, new Dictionary<string, string> { ["Code"] = codes[0] }, "/account/login/two-factor");
        Assert.Equal(HttpStatusCode.Redirect, recovered.StatusCode);
        using var fourth = WithCookies(factory);
        step = (await PasswordAsync(fourth, reader.Email!)).Headers.Location!.OriginalString;
        var reused = await fourth.PostFormAsync(step, new Dictionary<string, string> { ["Code"] = codes[0] }, "/account/login/two-factor");
        Assert.Contains("That code is not right.", WebUtility.HtmlDecode(await reused.Content.ReadAsStringAsync()));
        Assert.Contains("Recovery codes left: <strong>9</strong>", await second.GetStringAsync("/account/two-factor"));

        // A reader may turn it off again, with their password (a borrowed session is not enough).
        var borrowed = await second.PostFormAsync("/account/two-factor", null, "/account/two-factor/disable");
        Assert.Contains("Enter your current password", WebUtility.HtmlDecode(await second.GetStringAsync(borrowed.Headers.Location!.OriginalString)));
        Assert.True(await factory.WithDbAsync(db => db.Users.Where(u => u.Id == reader.Id).Select(u => u.TwoFactorEnabled).SingleAsync()));
        // Three failures for the account since its last success (a replayed code, a used recovery code, no password): a second's wait.
        var tooSoon = await second.PostFormAsync("/account/two-factor", new Dictionary<string, string> { ["currentPassword"] = NewsPushFactory.Password }, "/account/two-factor/disable");
        Assert.Contains("Too many attempts: try again in 1 second.", WebUtility.HtmlDecode(await second.GetStringAsync(tooSoon.Headers.Location!.OriginalString)));
        factory.Clock.Advance(TimeSpan.FromSeconds(1));
        await second.PostFormAsync("/account/two-factor", new Dictionary<string, string> { ["currentPassword"] = NewsPushFactory.Password }, "/account/two-factor/disable");
        Assert.False(await factory.WithDbAsync(db => db.Users.Where(u => u.Id == reader.Id).Select(u => u.TwoFactorEnabled).SingleAsync()));
    }

    [GeneratedRegex("data-key=\"([A-Z2-7]+)\"")]
    private static partial Regex KeyRegex();

    [GeneratedRegex("<li>([0-9A-Z]{5}-[0-9A-Z]{5})</li>")]
    private static partial Regex CodeRegex();
}

public sealed class SqliteTwoFactorTests(MfaFactory factory) : TwoFactorTests<MfaFactory>(factory);

public sealed class PostgreSqlTwoFactorTests(MfaPostgreSqlFactory factory) : TwoFactorTests<MfaPostgreSqlFactory>(factory);

/// <summary>A reader turns on two-factor sign-in in a real browser and signs in with a code computed here, as their phone would.</summary>
public sealed class TwoFactorBrowserTests(BrowserHost<MfaFactory> host) : IClassFixture<BrowserHost<MfaFactory>>
{
    [Fact]
    public async Task AReaderScansTheKeyThenSignsInWithTheAppsCode()
    {
        var reader = await host.Factory.CreateUserAsync(Unique("mfa-b") + "@test.local");
        await using (var tab = await host.NewPageAsync())
        {
            var page = tab.Page;
            await page.GotoAsync("/account/login");
            await page.GetByLabel("E-mail").FillAsync(reader.Email!);
            await page.GetByLabel("Password").FillAsync(NewsPushFactory.Password);
            await page.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
            await page.WaitForURLAsync(host.Url("/"));

            await page.GotoAsync("/account/security");
            await page.GetByRole(AriaRole.Link, new() { Name = "Two-factor sign-in: off" }).ClickAsync();
            await page.GetByRole(AriaRole.Link, new() { Name = "Set up two-factor sign-in" }).ClickAsync();
            await Assertions.Expect(page.Locator(".qr-code svg")).ToBeVisibleAsync();
            var key = await page.Locator("#authenticator-key").GetAttributeAsync("data-key");
            await page.GetByLabel("Code from the app").FillAsync(Totp.Code(key!, host.Factory.Clock.GetUtcNow()));
            await page.GetByRole(AriaRole.Button, new() { Name = "Turn on two-factor sign-in" }).ClickAsync();
            await Assertions.Expect(page.Locator("#recovery-codes li")).ToHaveCountAsync(10);
            await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Download the codes" })).ToHaveAttributeAsync("download", "newspush-recovery-codes.txt");
        }

        // The phone shows its next code 30 s later (the one used to turn it on works only once).
        host.Factory.Clock.Advance(TimeSpan.FromSeconds(30));
        await using var again = await host.NewPageAsync();
        var p = again.Page;
        await p.GotoAsync("/account/login");
        await p.GetByLabel("E-mail").FillAsync(reader.Email!);
        await p.GetByLabel("Password").FillAsync(NewsPushFactory.Password);
        await p.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
        await Assertions.Expect(p.GetByRole(AriaRole.Heading, new() { Name = "Enter your sign-in code" })).ToBeVisibleAsync();
        await p.GetByLabel("Code").FillAsync(Totp.Code(await KeyAsync(reader.Id), host.Factory.Clock.GetUtcNow()));
        await p.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await p.WaitForURLAsync(host.Url("/"));
        await Assertions.Expect(p.Locator(".nav-user")).ToHaveTextAsync(reader.Email!);
    }

    /// <summary>The key as the phone holds it (the database holds it encrypted).</summary>
    private async Task<string> KeyAsync(string userId)
    {
        await using var scope = host.Factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        return (await users.GetAuthenticatorKeyAsync((await users.FindByIdAsync(userId))!))!;
    }
}
