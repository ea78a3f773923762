using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;

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

    /// <summary>GETs <paramref name="formUrl"/>, then POSTs the fields with its antiforgery token (to <paramref name="postUrl"/> if given).</summary>
    public static async Task<HttpResponseMessage> PostFormAsync(this HttpClient client, string formUrl, IDictionary<string, string>? fields = null, string? postUrl = null)
    {
        var page = await client.GetStringAsync(formUrl);
        var content = new Dictionary<string, string>(fields ?? new Dictionary<string, string>()) { ["__RequestVerificationToken"] = AntiforgeryToken(page) };
        return await client.PostAsync(postUrl ?? formUrl, new FormUrlEncodedContent(content));
    }

    /// <summary>
    /// Sends the antiforgery token of <paramref name="page"/> with every request of this client, as a page's script does
    /// for cookie-authenticated JSON calls (header <c>RequestVerificationToken</c>).
    /// </summary>
    public static async Task<T> WithAntiforgeryHeaderAsync<T>(this T client, string page = "/preferences") where T : HttpClient
    {
        client.DefaultRequestHeaders.Remove("RequestVerificationToken");
        client.DefaultRequestHeaders.Add("RequestVerificationToken", AntiforgeryToken(await client.GetStringAsync(page)));
        return client;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenRegex();
}

/// <summary>An HTTP client with its own cookies that does not follow redirects; <see cref="Cookies"/> lets SignalR clients and browsers share its login.</summary>
public sealed class LoggedInClient(HttpMessageHandler handler, CookieContainer cookies, Uri baseAddress) : HttpClient(handler, disposeHandler: true)
{
    public CookieContainer Cookies { get; } = cookies;

    /// <summary>The "Cookie" header value (auth + antiforgery) for another client of the same site.</summary>
    public string CookieHeader => Cookies.GetCookieHeader(baseAddress);

    internal static LoggedInClient For(NewsPushFactory factory)
    {
        var cookies = new CookieContainer();
        if (factory.LoopbackAddress is { } address)
        {
            // The site on a real port (browser tests): a plain socket client.
            return new LoggedInClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = cookies }, cookies, address) { BaseAddress = address };
        }
        var baseAddress = factory.ClientOptions.BaseAddress;
        return new LoggedInClient(new CookieContainerHandler(cookies) { InnerHandler = factory.Server.CreateHandler() }, cookies, baseAddress) { BaseAddress = baseAddress };
    }
}

public static class LoginExtensions
{
    /// <summary>
    /// The one login helper: a client logged in through the real login form (antiforgery token and all), with cookies,
    /// not following redirects. Works for the in-memory site and for one started with <see cref="NewsPushFactory.StartOnLoopbackPort"/>.
    /// </summary>
    public static async Task<LoggedInClient> CreateLoggedInClientAsync(this NewsPushFactory factory, string email, string? password = null)
    {
        var client = LoggedInClient.For(factory);
        var response = await client.PostFormAsync("/account/login", new Dictionary<string, string>
        {
            ["Email"] = email,
            ["Password"] = password ?? NewsPushFactory.Password,
        });
        if (response.StatusCode != HttpStatusCode.Redirect)
        {
            var body = await response.Content.ReadAsStringAsync();
            client.Dispose();
            Assert.Fail($"login of {email} failed: {(int)response.StatusCode} {(body.Length > 2000 ? body[..2000] : body)}");
        }
        return client;
    }
}
