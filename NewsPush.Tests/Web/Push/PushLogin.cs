using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NewsPush.Tests.Infrastructure;

namespace NewsPush.Tests.Web.Push;

/// <summary>
/// Logs in through the real login endpoint and also hands back the cookies, which SignalR clients and
/// browsers on a real Kestrel port need (LoginExtensions.CreateLoggedInClientAsync covers the plain
/// in-memory case). The antiforgery pair is minted by the site's own IAntiforgery service; the POST is
/// validated exactly as a browser's would be.
/// </summary>
public static class PushLogin
{
    public static async Task<HttpClient> LoginAsync(this NewsPushFactory factory, string email) => (await factory.LoginWithCookieAsync(email)).Client;

    /// <summary>Logs in; also returns the "Cookie" header value (auth + antiforgery) for other clients, e.g. SignalR or a browser.</summary>
    public static async Task<(HttpClient Client, string Cookie)> LoginWithCookieAsync(this NewsPushFactory factory, string email)
    {
        // On a real Kestrel port the factory's client follows redirects whatever it is told; a plain one does not.
        var client = factory.ClientOptions.BaseAddress.IsLoopback && factory.ClientOptions.BaseAddress.Port != 80
            ? new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = factory.ClientOptions.BaseAddress }
            : factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var antiforgery = factory.Services.GetRequiredService<IAntiforgery>();
        var cookieName = factory.Services.GetRequiredService<IOptions<AntiforgeryOptions>>().Value.Cookie.Name!;
        var tokens = antiforgery.GetTokens(new DefaultHttpContext { RequestServices = factory.Services });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/account/login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["Email"] = email, ["Password"] = NewsPushFactory.Password, [tokens.FormFieldName] = tokens.RequestToken!,
            }),
        };
        request.Headers.Add("Cookie", $"{cookieName}={tokens.CookieToken}");
        var response = await client.SendAsync(request);
        if (response.StatusCode != System.Net.HttpStatusCode.Redirect)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.Fail($"login of {email} failed: {(int)response.StatusCode} {(body.Length > 2000 ? body[..2000] : body)}");
        }
        // Later form posts need the antiforgery cookie too.
        client.DefaultRequestHeaders.Add("Cookie", $"{cookieName}={tokens.CookieToken}");
        var auth = response.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]).Where(c => c.StartsWith("newspush.auth", StringComparison.Ordinal));
        return (client, string.Join("; ", auth.Append($"{cookieName}={tokens.CookieToken}")));
    }

    /// <summary>POSTs form fields with the antiforgery token of a page this client can see.</summary>
    public static async Task<HttpResponseMessage> PostWithTokenAsync(this HttpClient client, string pageUrl, string postUrl, IDictionary<string, string>? fields = null)
    {
        var html = await client.GetStringAsync(pageUrl);
        var content = new Dictionary<string, string>(fields ?? new Dictionary<string, string>()) { ["__RequestVerificationToken"] = HttpTestExtensions.AntiforgeryToken(html) };
        return await client.PostAsync(postUrl, new FormUrlEncodedContent(content));
    }
}
