using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using NewsPush.Tests.Infrastructure;

namespace NewsPush.Tests.Web.Push;

/// <summary>The click redirect refuses targets a browser would rewrite, with a 400 rather than a 500 or an open redirect.</summary>
public sealed class TrackingInputTests(SqliteFactory factory) : IClassFixture<SqliteFactory>
{
    [Theory]
    [InlineData("%2F%09%2Fevil.example")] // "/\t/evil.example": a browser drops the tab and goes to //evil.example
    [InlineData("%2Farticle%0A")]
    [InlineData("%2Farticle%00x")]
    [InlineData("%2Farticle%E2%80%AE")] // U+202E, a bidi override
    public async Task ClickWithAControlCharacterInTheTargetIsABadRequest(string target)
    {
        using var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var response = await client.GetAsync($"/t/c/unknown-token?a=1&u={target}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("control characters", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("%2Farticle%2Fsome-story", "/article/some-story")]
    [InlineData("https%3A%2F%2Fevil.example%2F", "/")]
    [InlineData("%2F%2Fevil.example", "/")]
    public async Task ClickRedirectsToLocalTargetsOnly(string target, string location)
    {
        using var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var response = await client.GetAsync($"/t/c/unknown-token?u={target}");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(location, response.Headers.Location?.OriginalString);
    }
}
