using NewsPush.Web.Account;
using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using NewsPush.Data.Entities;
using NewsPush.Tests.Infrastructure;
using NewsPush.Web.Reader;
using static NewsPush.Tests.Web.Reader.ReaderTestData;

namespace NewsPush.Tests.Web.Account;

/// <summary>Register, confirm, log in, lock out, reset and change passwords — through the real forms.</summary>
public sealed class AccountTests(SqliteFactory factory) : IClassFixture<SqliteFactory>
{
    private HttpClient NewClient() => factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    private static Dictionary<string, string> Registration(string email, string password, string? confirm = null, string name = "New Reader") => new()
    {
        ["Email"] = email, ["DisplayName"] = name, ["Password"] = password, ["ConfirmPassword"] = confirm ?? password,
    };

    [Fact]
    public async Task RegisteringSignsInSendsAConfirmationMailAndTheLinkConfirms()
    {
        var email = Unique("reg") + "@test.local";
        using var client = NewClient();

        var response = await client.PostFormAsync("/account/register", Registration(email, "a long passphrase of mine"));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/me/onboarding", response.Headers.Location!.ToString());
        Assert.Contains("What would you like to read?", await client.GetStringAsync("/me/onboarding"));
        var mail = await LastMessageToAsync(factory, email);
        var link = LinkIn(mail.TextBody ?? "", "/account/confirm-email");
        // The HTML part looks like the site (masthead, one column for the phone, a button to the same link as the text).
        Assert.Contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">", mail.HtmlBody, StringComparison.Ordinal);
        Assert.Contains(">NewsPush</a>", mail.HtmlBody, StringComparison.Ordinal);
        Assert.Contains(">Confirm my address</a>", mail.HtmlBody, StringComparison.Ordinal);
        Assert.Contains(System.Net.WebUtility.HtmlEncode(link), mail.HtmlBody, StringComparison.Ordinal);
        var confirmed = await client.GetStringAsync(link);
        Assert.Contains("E-mail confirmed", confirmed);
        var user = await factory.WithDbAsync(db => db.Users.SingleAsync(u => u.Email == email));
        Assert.True(user.EmailConfirmed);
        Assert.True(await factory.WithDbAsync(db => db.UserRoles.AnyAsync(r => r.UserId == user.Id && db.Roles.Any(x => x.Id == r.RoleId && x.Name == Roles.Reader))));
    }

    [Fact]
    public async Task UnconfirmedReaderGetsANewConfirmationLink()
    {
        var email = Unique("resend") + "@test.local";
        using var client = NewClient();
        await client.PostFormAsync("/account/register", Registration(email, "a long passphrase of mine"));
        var first = await LastMailToAsync(factory, email);

        var response = await client.PostFormAsync("/account/resend-confirmation", new Dictionary<string, string> { ["Email"] = email });

        Assert.Contains("Check your inbox", await response.Content.ReadAsStringAsync());
        Assert.Equal(2, await MailCountToAsync(factory, email, 2));
        var link = LinkIn(await LastMailToAsync(factory, email), "/account/confirm-email");
        Assert.Contains("E-mail confirmed", await client.GetStringAsync(link));
        Assert.NotEmpty(first);
    }

    [Fact]
    public async Task ATamperedConfirmationLinkIsRefusedPolitely()
    {
        var user = await factory.CreateUserAsync(Unique("tamper") + "@test.local");
        using var client = NewClient();

        var response = await client.GetAsync($"/account/confirm-email?userId={user.Id}&code=bm90LWEtdG9rZW4");
        var garbage = await client.GetAsync("/account/confirm-email?userId=x&code=%%%");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("not valid or has expired", await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, garbage.StatusCode);
    }

    [Theory]
    [InlineData("not-an-email", "a long passphrase of mine", null, "Enter a valid e-mail address.")]
    [InlineData("", "a long passphrase of mine", null, "Enter your e-mail address.")]
    [InlineData("x@test.local", "short", null, "at least 8 characters")]
    [InlineData("x@test.local", "password123", null, "too common")]
    [InlineData("x@test.local", "qwertyuiop", null, "too common")]
    [InlineData("x@test.local", "iloveyou2024", null, "too common")]
    [InlineData("x@test.local", "NewsPush2024!", null, "from the site's name")]
    [InlineData("x@test.local", "news-room 1234", null, "from the site's name")]
    [InlineData("x@test.local", "a long passphrase of mine", "something else", "do not match")]
    public async Task InvalidRegistrationsGetAValidationMessage(string email, string password, string? confirm, string message)
    {
        using var client = NewClient();
        var response = await client.PostFormAsync("/account/register", Registration(email.Replace("x@", Unique("v") + "@", StringComparison.Ordinal), password, confirm));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(message, WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task PasswordRulesFollowAsvsLengthNotComposition()
    {
        using var client = NewClient();
        var lowerOnly = await client.PostFormAsync("/account/register", Registration(Unique("low") + "@test.local", "plainlowercaseletters"));
        using var client2 = NewClient();
        var long64 = await client2.PostFormAsync("/account/register", Registration(Unique("long") + "@test.local", new string('k', 40) + " and twenty-four more xx"));

        Assert.Equal(HttpStatusCode.Redirect, lowerOnly.StatusCode);
        Assert.False(CommonPasswordValidator.IsContextWords("newspush is where I read the morning", ["newspush"]));
        Assert.False(CommonPasswordValidator.IsContextWords("badminton on tuesdays", ["admin"]));
        Assert.Equal(HttpStatusCode.Redirect, long64.StatusCode);
        Assert.True(CommonPasswordValidator.Count > 3000);
    }

    [Fact]
    public async Task RegisteringAnExistingAddressSaysSo()
    {
        var user = await factory.CreateUserAsync(Unique("dup") + "@test.local");
        using var client = NewClient();

        var response = await client.PostFormAsync("/account/register", Registration(user.Email!, "a long passphrase of mine"));

        Assert.Contains("already exists", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ForgottenPasswordIsResetThroughTheMailedLink()
    {
        var user = await factory.CreateUserAsync(Unique("forgot") + "@test.local");
        using var client = NewClient();

        var ask = await client.PostFormAsync("/account/forgot-password", new Dictionary<string, string> { ["Email"] = user.Email! });
        var unknown = await client.PostFormAsync("/account/forgot-password", new Dictionary<string, string> { ["Email"] = "nobody@test.local" });
        var link = LinkIn(await LastMailToAsync(factory, user.Email!), "/account/reset-password");
        var common = await client.PostFormAsync(link, new Dictionary<string, string>
        {
            ["Email"] = user.Email!, ["Code"] = System.Web.HttpUtility.ParseQueryString(new Uri("http://x" + link).Query)["code"]!,
            ["Password"] = "password1", ["ConfirmPassword"] = "password1",
        }, "/account/reset-password");
        var reset = await client.PostFormAsync(link, new Dictionary<string, string>
        {
            ["Email"] = user.Email!, ["Code"] = System.Web.HttpUtility.ParseQueryString(new Uri("http://x" + link).Query)["code"]!,
            ["Password"] = "my brand new passphrase", ["ConfirmPassword"] = "my brand new passphrase",
        }, "/account/reset-password");

        Assert.Contains("Check your inbox", await ask.Content.ReadAsStringAsync());
        Assert.Contains("Check your inbox", await unknown.Content.ReadAsStringAsync());
        Assert.Contains("too common", await common.Content.ReadAsStringAsync());
        Assert.Contains("Password changed", await reset.Content.ReadAsStringAsync());
        using var loggedIn = await factory.CreateLoggedInClientAsync(user.Email!, "my brand new passphrase");
    }

    [Fact]
    public async Task ResetWithABadCodeIsRefusedWithAMessage()
    {
        var user = await factory.CreateUserAsync(Unique("badcode") + "@test.local");
        using var client = NewClient();

        var response = await client.PostFormAsync("/account/reset-password?email=x&code=y", new Dictionary<string, string>
        {
            ["Email"] = user.Email!, ["Code"] = "bm9wZQ", ["Password"] = "my brand new passphrase", ["ConfirmPassword"] = "my brand new passphrase",
        }, "/account/reset-password");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("not valid or has expired", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ReaderChangesPasswordAfterGivingTheCurrentOne()
    {
        var user = await factory.CreateUserAsync(Unique("chg") + "@test.local");
        using var client = await factory.CreateLoggedInClientAsync(user.Email!);

        var wrong = await client.PostFormAsync("/account/change-password", new Dictionary<string, string>
        {
            ["CurrentPassword"] = "not it", ["NewPassword"] = "another long phrase", ["ConfirmPassword"] = "another long phrase",
        });
        var ok = await client.PostFormAsync("/account/change-password", new Dictionary<string, string>
        {
            ["CurrentPassword"] = NewsPushFactory.Password, ["NewPassword"] = "another long phrase", ["ConfirmPassword"] = "another long phrase",
        });

        Assert.Contains("current password is not right", await wrong.Content.ReadAsStringAsync());
        Assert.Contains("Your password is changed", await ok.Content.ReadAsStringAsync());
        using var again = await factory.CreateLoggedInClientAsync(user.Email!, "another long phrase");
    }

    [Fact]
    public async Task AccountFormsRenderForAnonymousVisitors()
    {
        using var client = NewClient();
        foreach (var (url, text) in new[] { ("/account/login", "Log in"), ("/account/register", "Create an account"), ("/account/forgot-password", "Forgot your password?"),
                     ("/account/reset-password?email=a@b.c&code=x", "Choose a new password"), ("/account/resend-confirmation", "Send a new confirmation link") })
        {
            var response = await client.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains(text, WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()));
        }
        var changePassword = await client.GetAsync("/account/change-password");
        Assert.Equal(HttpStatusCode.Redirect, changePassword.StatusCode);
    }

    [Fact]
    public async Task EmptyAccountFormsGetValidationMessages()
    {
        using var client = NewClient();
        foreach (var url in new[] { "/account/login", "/account/forgot-password", "/account/resend-confirmation", "/account/register" })
        {
            var response = await client.PostFormAsync(url, new Dictionary<string, string> { ["Email"] = "" });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("Enter your e-mail address.", await response.Content.ReadAsStringAsync());
        }
    }
}

/// <summary>A site with tiny rate limits, to see the 429s.</summary>
public sealed class LowRateLimitFactory : NewsPushFactory
{
    public LowRateLimitFactory() : base(TestDatabase.Sqlite)
    {
        Settings["RateLimits:Login:PermitLimit"] = "3";
        Settings["RateLimits:Login:WindowSeconds"] = "3600";
        Settings["RateLimits:Register:PermitLimit"] = "2";
        Settings["RateLimits:Register:WindowSeconds"] = "3600";
        Settings["RateLimits:Comment:PermitLimit"] = "2";
        Settings["RateLimits:Comment:WindowSeconds"] = "3600";
    }
}

public sealed class RateLimitTests(LowRateLimitFactory factory) : IClassFixture<LowRateLimitFactory>
{
    [Fact]
    public async Task LoginRegisterAndCommentAnswer429WhenOverTheLimit()
    {
        // Login: the seeded reader logs in (1 of 3), then guesses until the limit.
        var user = await factory.CreateUserAsync(Unique("rl") + "@test.local");
        using var commenter = await factory.CreateLoggedInClientAsync(user.Email!);
        using var guesser = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            statuses.Add((await guesser.PostFormAsync("/account/login", new Dictionary<string, string> { ["Email"] = "a@b.c", ["Password"] = "wrong wrong" })).StatusCode);
        }
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
        Assert.Contains("Too many attempts", await (await guesser.PostFormAsync("/account/login", new Dictionary<string, string> { ["Email"] = "a@b.c", ["Password"] = "x" })).Content.ReadAsStringAsync());

        // Comments: per user.
        var (_, slug) = await PublishAsync(factory, "Rate limited", "Body");
        var commentStatuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            commentStatuses.Add((await commenter.PostFormAsync($"/article/{slug}", new Dictionary<string, string> { ["NewComment.Body"] = "c" + i }, $"/article/{slug}/comments")).StatusCode);
        }
        Assert.Equal([HttpStatusCode.Redirect, HttpStatusCode.Redirect, HttpStatusCode.TooManyRequests], commentStatuses);

        // Register: per IP.
        var registerStatuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var c = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
            registerStatuses.Add((await c.PostFormAsync("/account/register", new Dictionary<string, string>
            {
                ["Email"] = Unique("r") + "@test.local", ["DisplayName"] = "R", ["Password"] = "x", ["ConfirmPassword"] = "y",
            })).StatusCode);
        }
        Assert.Equal(HttpStatusCode.TooManyRequests, registerStatuses[^1]);
    }

    [Fact]
    public async Task OverTheRegisterLimitTheFormsSayHowLongToWaitAndKeepWhatWasTyped()
    {
        var email = Unique("kept") + "@test.local";
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 3 && refused is null; i++)
        {
            using var c = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
            var response = await c.PostFormAsync("/account/register", new Dictionary<string, string>
            {
                ["Email"] = email, ["DisplayName"] = "Kept Name", ["Password"] = "typed secret one", ["ConfirmPassword"] = "typed secret two",
            });
            refused = response.StatusCode == HttpStatusCode.TooManyRequests ? response : null;
        }
        Assert.NotNull(refused);
        var register = WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync());
        using var other = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var forgot = await other.PostFormAsync("/account/forgot-password", new Dictionary<string, string> { ["Email"] = email });
        var forgotHtml = WebUtility.HtmlDecode(await forgot.Content.ReadAsStringAsync());

        Assert.Matches("try again in (59|60) minutes", register);
        Assert.Contains($"value=\"{email}\"", register);
        Assert.Contains("value=\"Kept Name\"", register);
        Assert.DoesNotContain("typed secret", register);
        Assert.Equal(HttpStatusCode.TooManyRequests, forgot.StatusCode);
        Assert.Matches("try again in (59|60) minutes", forgotHtml);
        Assert.Contains($"value=\"{email}\"", forgotHtml);
    }
}
