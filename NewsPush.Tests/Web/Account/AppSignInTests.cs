using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using NewsPush.Tests.Infrastructure;
using NewsPush.Tests.Web.Devices;

namespace NewsPush.Tests.Web.Account;

/// <summary>Sign-in for apps: Identity's bearer tokens under /api/auth, with the site's lockout; the OpenAPI document of the API.</summary>
public sealed class AppSignInTests(DeviceFactory factory) : IClassFixture<DeviceFactory>
{
    private HttpClient Anonymous() => factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });

    [Fact]
    public async Task TheAccessTokenLastsAnHourAndTheRefreshTokenRenewsItForTwoWeeks()
    {
        var reader = await factory.CreateReaderAsync("auth1");
        var tokens = await factory.AppLoginAsync(reader.Email!);
        Assert.Equal("Bearer", tokens.GetProperty("tokenType").GetString());
        Assert.Equal(3600, tokens.GetProperty("expiresIn").GetInt32());
        using (var app = factory.BearerClient(tokens.GetProperty("accessToken").GetString()!))
        {
            Assert.Equal(HttpStatusCode.OK, (await app.GetAsync("/api/devices")).StatusCode);
            var info = await app.GetFromJsonAsync<JsonElement>("/api/auth/manage/info");
            Assert.Equal(reader.Email, info.GetProperty("email").GetString());
            factory.Clock.Advance(TimeSpan.FromMinutes(61));
            Assert.Equal(HttpStatusCode.Unauthorized, (await app.GetAsync("/api/devices")).StatusCode);
        }

        using var anonymous = Anonymous();
        var refreshed = await anonymous.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = tokens.GetProperty("refreshToken").GetString() });
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        var renewed = await refreshed.Content.ReadFromJsonAsync<JsonElement>();
        using (var app = factory.BearerClient(renewed.GetProperty("accessToken").GetString()!))
        {
            Assert.Equal(HttpStatusCode.OK, (await app.GetAsync("/api/devices")).StatusCode);
        }

        factory.Clock.Advance(TimeSpan.FromDays(15));
        var stale = await anonymous.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = renewed.GetProperty("refreshToken").GetString() });
        Assert.Equal(HttpStatusCode.Unauthorized, stale.StatusCode);
    }

    [Theory]
    [InlineData("/api/auth/register")]
    [InlineData("/api/auth/forgotPassword")]
    [InlineData("/api/auth/resetPassword")]
    [InlineData("/api/auth/manage/2fa")]
    public async Task AccountsAreMadeAndRecoveredOnTheSiteSoIdentitysOtherEndpointsAnswer404(string path)
    {
        using var anonymous = Anonymous();
        var response = await anonymous.PostAsJsonAsync(path, new { email = "new@test.local", password = "a long enough password" });
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("Not available to apps.", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
    }

    [Fact]
    public async Task AppsCannotAskForTheSitesCookie()
    {
        var reader = await factory.CreateReaderAsync("auth3");
        using var anonymous = Anonymous();
        var response = await anonymous.PostAsJsonAsync("/api/auth/login?useCookies=true", new { email = reader.Email, password = NewsPushFactory.Password });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task TheOpenApiDocumentDescribesTheWholeApiAndItsReferencePageLoads()
    {
        using var anonymous = Anonymous();
        var document = await anonymous.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/api/auth/login", paths);
        Assert.Contains("/api/auth/refresh", paths);
        Assert.Contains("/api/devices", paths);
        Assert.Contains("/api/devices/{deviceId}/opened", paths);
        Assert.Contains("/api/me/badge", paths);
        Assert.Contains("/api/push/subscriptions", paths);
        Assert.Contains("/api/inbox", paths);
        Assert.DoesNotContain("/api/auth/register", paths);
        Assert.All(paths, p => Assert.StartsWith("/api/", p));
        Assert.Equal("bearer", document.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer").GetProperty("scheme").GetString());

        var page = await anonymous.GetAsync("/api/docs/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("openapi/v1.json", await page.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/api/docs/scalar.js")).StatusCode);
        // Only the reference page may run its inline start-up script: the one carrying this response's nonce.
        var csp = page.Headers.GetValues("Content-Security-Policy").Single();
        var nonce = System.Text.RegularExpressions.Regex.Match(csp, "'nonce-([^']+)'").Groups[1].Value;
        Assert.NotEmpty(nonce);
        Assert.Contains($"nonce=\"{nonce}\"", await page.Content.ReadAsStringAsync());
        Assert.DoesNotContain("script-src 'self' 'unsafe-inline'", csp);
        Assert.DoesNotContain("nonce", (await anonymous.GetAsync("/")).Headers.GetValues("Content-Security-Policy").Single());
    }
}

/// <summary>The app's login shares the site's login rate limit.</summary>
public sealed class AppSignInRateLimitTests(LowRateLimitFactory factory) : IClassFixture<LowRateLimitFactory>
{
    [Fact]
    public async Task TheFourthLoginWithinTheWindowAnswers429()
    {
        using var anonymous = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            statuses.Add((await anonymous.PostAsJsonAsync("/api/auth/login", new { email = "nobody@test.local", password = "guess " + i })).StatusCode);
        }
        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests], statuses);
    }
}
