using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using NewsPush.Data.Entities;
using NewsPush.Tests.Infrastructure;
using NewsPush.Web.Infrastructure.Email;
using static NewsPush.Tests.Web.Reader.ReaderTestData;

namespace NewsPush.Tests.Web.Account;

/// <summary>Sign-in and registration limits per address and per account that no cookie, proxy header or lockout trick gets around.</summary>
public sealed class SignInLimitTests(SqliteSecurityFactory factory) : IClassFixture<SqliteSecurityFactory>
{
    private HttpClient Client(string peer, bool cookies = true)
    {
        var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = cookies });
        client.DefaultRequestHeaders.Add(SecurityFactory.PeerHeader, peer);
        return client;
    }

    private static Dictionary<string, string> Login(string email, string password) => new() { ["Email"] = email, ["Password"] = password };

    private static Dictionary<string, string> Registration(string email) => new()
    {
        ["Email"] = email, ["DisplayName"] = "Chain", ["Password"] = "a long passphrase of mine", ["ConfirmPassword"] = "a long passphrase of mine",
    };

    [Fact]
    public async Task RegisteringWithTheCookieOfTheAccountJustMadeStillCountsAgainstTheAddress()
    {
        // One client keeps the cookie each registration signs it in with: before, that cookie bought a fresh bucket.
        using var client = Client("192.0.2.10");
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            statuses.Add((await client.PostFormAsync("/account/register", Registration(Unique("chain") + "@test.local"))).StatusCode);
        }

        Assert.Equal([HttpStatusCode.Redirect, HttpStatusCode.Redirect, HttpStatusCode.Redirect, HttpStatusCode.TooManyRequests], statuses);
    }

    [Fact]
    public async Task OneAccountGuessedFromManyAddressesWaitsLongerAfterEachFailureAndIsToldHowLong()
    {
        var user = await factory.CreateUserAsync(Unique("target") + "@test.local");
        for (var i = 0; i < 3; i++)
        {
            using var guesser = Client($"198.51.100.{i + 1}");
            var wrong = await guesser.PostFormAsync("/account/login", Login(user.Email!, "guess " + i));
            Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
            Assert.Contains("The e-mail or password is not right.", WebUtility.HtmlDecode(await wrong.Content.ReadAsStringAsync()));
        }

        using var owner = Client("203.0.113.50");
        var refused = await owner.PostFormAsync("/account/login", Login(user.Email!, NewsPushFactory.Password));
        var page = WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Contains("Too many attempts: try again in 1 second.", page);
        Assert.Contains($"value=\"{user.Email}\"", page);
        Assert.DoesNotContain(NewsPushFactory.Password, page);

        // The next failure doubles the wait.
        factory.Clock.Advance(TimeSpan.FromSeconds(1));
        using (var guesser = Client("198.51.100.9"))
        {
            await guesser.PostFormAsync("/account/login", Login(user.Email!, "guess again"));
        }
        factory.Clock.Advance(TimeSpan.FromSeconds(1));
        var stillWaiting = await owner.PostFormAsync("/account/login", Login(user.Email!, NewsPushFactory.Password));
        Assert.Contains("try again in 1 second", WebUtility.HtmlDecode(await stillWaiting.Content.ReadAsStringAsync()));

        factory.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.Redirect, (await owner.PostFormAsync("/account/login", Login(user.Email!, NewsPushFactory.Password))).StatusCode);
    }

    [Fact]
    public async Task OneAddressGuessingManyAccountsIsDelayed()
    {
        using var guesser = Client("198.51.100.77");
        for (var i = 0; i < 3; i++)
        {
            await guesser.PostFormAsync("/account/login", Login(Unique("spray") + "@test.local", "Summer2026!"));
        }
        var user = await factory.CreateUserAsync(Unique("sprayed") + "@test.local");

        var next = await guesser.PostFormAsync("/account/login", Login(user.Email!, "Summer2026!"));

        Assert.Equal(HttpStatusCode.TooManyRequests, next.StatusCode);
    }

    [Fact]
    public async Task WrongPasswordsNeverLockTheWellKnownAdminAccountAndTheMessageNamesNoAccount()
    {
        for (var i = 0; i < 8; i++)
        {
            using var guesser = Client($"198.51.101.{i + 1}");
            var wrong = await guesser.PostFormAsync("/account/login", Login(NewsPushFactory.AdminEmail, "guess " + i));
            Assert.DoesNotContain("locked", await wrong.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
            factory.Clock.Advance(TimeSpan.FromMinutes(2));
        }
        using var app = Client("198.51.101.99");
        for (var i = 0; i < 6; i++)
        {
            await app.PostAsJsonAsync("/api/auth/login", new { email = NewsPushFactory.AdminEmail, password = "app guess " + i });
            factory.Clock.Advance(TimeSpan.FromMinutes(2));
        }

        using var admin = Client("203.0.113.1");
        var response = await admin.PostFormAsync("/account/login", Login(NewsPushFactory.AdminEmail, NewsPushFactory.Password));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
    }

    [Fact]
    public async Task TheAppsLoginIsDelayedPerAccountLikeTheSitesAndSaysHowLong()
    {
        var user = await factory.CreateUserAsync(Unique("app") + "@test.local");
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var app = Client($"198.51.102.{i + 1}");
            statuses.Add((await app.PostAsJsonAsync("/api/auth/login", new { email = user.Email, password = "not the password" })).StatusCode);
        }
        using var owner = Client("203.0.113.2");
        var early = await owner.PostAsJsonAsync("/api/auth/login", new { email = user.Email, password = NewsPushFactory.Password });
        factory.Clock.Advance(TimeSpan.FromSeconds(2));
        var right = await owner.PostAsJsonAsync("/api/auth/login", new { email = user.Email, password = NewsPushFactory.Password });

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(HttpStatusCode.TooManyRequests, early.StatusCode);
        Assert.Equal("application/problem+json", early.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(early.Headers.RetryAfter);
        Assert.Contains("try again in", (await early.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
    }

    [Fact]
    public async Task AnUnknownAddressCostsAPasswordHashLikeAKnownOne()
    {
        await using var counted = new CountingHasherFactory();
        using var client = counted.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var user = await counted.CreateUserAsync(Unique("known") + "@test.local");
        counted.Hasher.Reset();

        var unknown = await client.PostFormAsync("/account/login", Login(Unique("unknown") + "@test.local", "some password"));
        var unknownHashes = counted.Hasher.Verifications;
        var known = await client.PostFormAsync("/account/login", Login(user.Email!, "some password"));

        Assert.Equal(WebUtility.HtmlDecode(await known.Content.ReadAsStringAsync()).Contains("The e-mail or password is not right.", StringComparison.Ordinal),
            WebUtility.HtmlDecode(await unknown.Content.ReadAsStringAsync()).Contains("The e-mail or password is not right.", StringComparison.Ordinal));
        Assert.Equal(1, unknownHashes);
        Assert.Equal(2, counted.Hasher.Verifications);
    }

    [Fact]
    public async Task ForgotPasswordAnswersBeforeTheMailGoesOutSoTimingTellsNothing()
    {
        await using var gated = new GatedMailFactory();
        var user = await gated.CreateUserAsync(Unique("gate") + "@test.local");
        using var client = gated.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        // The mail server does not answer until the test lets it: the form must not wait for it.
        var answer = await client.PostFormAsync("/account/forgot-password", new Dictionary<string, string> { ["Email"] = user.Email! }).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Contains("Check your inbox", await answer.Content.ReadAsStringAsync());
        Assert.Empty(gated.Mailer.Sent);

        gated.Mailer.Open();
        var sent = await gated.Mailer.FirstSent.Task.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(user.Email, sent.To.Mailboxes.Single().Address);
        Assert.Equal("Reset your NewsPush password", sent.Subject);
    }
}

public sealed class CountingHasher : IPasswordHasher<ApplicationUser>
{
    private readonly PasswordHasher<ApplicationUser> inner = new(Microsoft.Extensions.Options.Options.Create(new PasswordHasherOptions { IterationCount = 210_000 }));
    private int verifications;

    public int Verifications => verifications;

    public void Reset() => verifications = 0;

    public string HashPassword(ApplicationUser user, string password) => inner.HashPassword(user, password);

    public PasswordVerificationResult VerifyHashedPassword(ApplicationUser user, string hashedPassword, string providedPassword)
    {
        Interlocked.Increment(ref verifications);
        return inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
    }
}

public sealed class CountingHasherFactory() : NewsPushFactory(TestDatabase.Sqlite)
{
    public CountingHasher Hasher { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(s => s.AddSingleton<IPasswordHasher<ApplicationUser>>(Hasher));
    }
}

/// <summary>A mail server that holds every message until <see cref="Open"/>.</summary>
public sealed class GatedMailer : IMailer
{
    private readonly TaskCompletionSource gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public List<MimeMessage> Sent { get; } = [];

    public TaskCompletionSource<MimeMessage> FirstSent { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Open() => gate.TrySetResult();

    public async Task SendAsync(MimeMessage message, CancellationToken ct)
    {
        await gate.Task.WaitAsync(ct);
        lock (Sent)
        {
            Sent.Add(message);
        }
        FirstSent.TrySetResult(message);
    }
}

public sealed class GatedMailFactory() : NewsPushFactory(TestDatabase.Sqlite)
{
    public GatedMailer Mailer { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(s => s.AddSingleton<IMailer>(Mailer));
    }
}
