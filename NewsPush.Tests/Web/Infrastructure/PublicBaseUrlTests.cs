using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Options;
using NewsPush.Tests.Infrastructure;
using static NewsPush.Tests.Web.Reader.ReaderTestData;

namespace NewsPush.Tests.Web.Infrastructure;

/// <summary>Where the links in e-mails and feeds point when Email:PublicBaseUrl is not set.</summary>
public sealed class PublicBaseUrlTests
{
    /// <summary>The site in an environment of the test's choice, with no Email:PublicBaseUrl unless given.</summary>
    private sealed class EnvironmentFactory(string environment, string? publicBaseUrl) : NewsPushFactory(TestDatabase.Sqlite)
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            Settings["Email:PublicBaseUrl"] = publicBaseUrl;
            if (environment == "Production")
            {
                // Production's other requirements met, so the only refusal is the one under test.
                Settings["Email:SmtpHost"] = "smtp.example.com";
                Settings["DataProtection:AllowUnprotectedKeys"] = "true";
            }
            base.ConfigureWebHost(builder);
            builder.UseEnvironment(environment);
        }
    }

    [Fact]
    public async Task InDevelopmentWithoutAPublicBaseUrlMailLinksUseTheRequestsOwnAddress()
    {
        await using var factory = new EnvironmentFactory("Development", null);
        var user = await factory.CreateUserAsync(Unique("base") + "@test.local");
        using var client = factory.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("http://reader.example.test:8080/") });

        await client.PostFormAsync("/account/forgot-password", new Dictionary<string, string> { ["Email"] = user.Email! });
        var mail = await LastMailToAsync(factory, user.Email!);

        Assert.Contains("http://reader.example.test:8080/account/reset-password?", mail, StringComparison.Ordinal);
        Assert.DoesNotContain("localhost:5000", mail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("http://news.example.com")]
    [InlineData("news.example.com")]
    public async Task ProductionRefusesToStartWithoutAnHttpsPublicBaseUrl(string? publicBaseUrl)
    {
        await using var factory = new EnvironmentFactory("Production", publicBaseUrl);

        var error = Assert.Throws<OptionsValidationException>(() => factory.Server);

        Assert.Contains("Email:PublicBaseUrl must be the site's public https:// address in Production", error.Message, StringComparison.Ordinal);
    }
}
