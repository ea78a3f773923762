using System.Net;
using System.Text.RegularExpressions;

namespace NewsPush.Tests.Infrastructure;

public static partial class HttpTestExtensions
{
    /// <summary>Reads the antiforgery token from a page's form.</summary>
    public static string AntiforgeryToken(string html)
    {
        var match = TokenRegex().Match(html);
        Assert.True(match.Success, "The page has no antiforgery token in a form.");
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    /// <summary>GETs <paramref name="formUrl"/>, then POSTs the fields with its antiforgery token.</summary>
    public static async Task<HttpResponseMessage> PostFormAsync(this HttpClient client, string formUrl, IDictionary<string, string> fields, string? postUrl = null)
    {
        var page = await client.GetStringAsync(formUrl);
        var content = new Dictionary<string, string>(fields) { ["__RequestVerificationToken"] = AntiforgeryToken(page) };
        return await client.PostAsync(postUrl ?? formUrl, new FormUrlEncodedContent(content));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenRegex();
}

public static class LoginExtensions
{
    /// <summary>A client with cookies, not following redirects, logged in through the real login form.</summary>
    public static async Task<HttpClient> CreateLoggedInClientAsync(this NewsPushFactory factory, string email, string? password = null)
    {
        var client = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var response = await client.PostFormAsync("/account/login", new Dictionary<string, string>
        {
            ["Email"] = email,
            ["Password"] = password ?? NewsPushFactory.Password,
        });
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Redirect, $"login of {email} failed: {(int)response.StatusCode}");
        return client;
    }
}
