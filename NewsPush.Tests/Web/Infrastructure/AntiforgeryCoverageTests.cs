using System.Net.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using NewsPush.Tests.Infrastructure;
using NewsPush.Web.Infrastructure;

namespace NewsPush.Tests.Web.Infrastructure;

/// <summary>
/// Every endpoint that takes POST, PUT, PATCH or DELETE (or any method) checks an antiforgery token when a cookie
/// authenticates it: MVC's form check, or <see cref="AntiforgeryForCookies"/> for JSON; the few exceptions are listed
/// here with the reason. A new endpoint without either fails this test until it is covered or listed.
/// </summary>
public sealed class AntiforgeryCoverageTests(SqliteFactory factory) : IClassFixture<SqliteFactory>
{
    private static readonly string[] Unsafe = ["POST", "PUT", "PATCH", "DELETE"];

    /// <summary>Route patterns (prefix match where they end in '/') that need no token, and why.</summary>
    private static readonly Dictionary<string, string> Exceptions = new()
    {
        ["beacon"] = "checks the header itself, after its sign-in, rate and size checks (BeaconTests.RefusesACookieBeaconWithoutTheAntiforgeryHeader)",
        ["api/push/subscriptions/renew"] = "anonymous: the proof is the subscription's endpoint and auth secret (the service worker has no page and no cookie)",
        ["t/s/{token}"] = "the service worker's \"shown\" report: no cookie is read; the delivery's 128-bit tracking token in the path is the credential, and it only records that the notification was shown (AnalyticsTests)",
        ["unsubscribe"] = "RFC 8058 one-click POST from the mail client: authorized by the signed token in the link, not by a cookie",
        ["healthz"] = "the health probe: reports state, changes nothing",
        ["error/{code:int?}"] = "the error page: renders, changes nothing",
        ["hubs/notifications"] = "SignalR connection: the hub has no methods a client can call (server to client only)",
        ["hubs/notifications/negotiate"] = "SignalR negotiate: hands out a connection id, changes nothing",
    };

    [Fact]
    public void EveryStateChangingEndpointChecksAnAntiforgeryTokenForCookieCalls()
    {
        var endpoints = factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        var uncovered = new List<string>();
        var seenExceptions = new HashSet<string>();
        foreach (var endpoint in endpoints)
        {
            if (endpoint.Metadata.GetMetadata<ISuppressMatchingMetadata>()?.SuppressMatching == true)
            {
                continue; // conventional route templates: links only, never matched
            }
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods;
            if (methods is { Count: > 0 } && !methods.Any(m => Unsafe.Contains(m, StringComparer.OrdinalIgnoreCase)))
            {
                continue;
            }
            var route = endpoint.RoutePattern.RawText?.Trim('/') ?? "";
            if (endpoint.Metadata.GetMetadata<AntiforgeryForCookies.Metadata>() is not null || ChecksFormToken(endpoint))
            {
                continue;
            }
            if (Exceptions.ContainsKey(route))
            {
                seenExceptions.Add(route);
                continue;
            }
            uncovered.Add($"{string.Join(",", methods ?? ["*"])} /{route} ({endpoint.DisplayName})");
        }

        Assert.True(uncovered.Count == 0, "Endpoints that accept cookie calls without an antiforgery token:\n" + string.Join("\n", uncovered));
        Assert.Equal(Exceptions.Keys.Order(), seenExceptions.Order());
        // The JSON API the site's pages call is among the covered ones.
        Assert.Contains(endpoints, e => e.RoutePattern.RawText == "/api/inbox/read-all" && e.Metadata.GetMetadata<AntiforgeryForCookies.Metadata>() is not null);
        Assert.Contains(endpoints, e => e.RoutePattern.RawText?.StartsWith("/api/auth/manage/info", StringComparison.Ordinal) == true
            && e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.Contains("POST") == true && e.Metadata.GetMetadata<AntiforgeryForCookies.Metadata>() is not null);
    }

    [Fact]
    public async Task AccountInfoCalledWithTheSiteCookieNeedsTheAntiforgeryHeader()
    {
        var user = await factory.CreateUserAsync($"afinfo-{Guid.NewGuid():N}"[..14] + "@test.local");
        using var client = await factory.CreateLoggedInClientAsync(user.Email!);

        var refused = await client.PostAsync("/api/auth/manage/info", JsonContent.Create(new { }));
        await client.WithAntiforgeryHeaderAsync();
        var accepted = await client.PostAsync("/api/auth/manage/info", JsonContent.Create(new { }));

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("antiforgery token", await refused.Content.ReadAsStringAsync());
        Assert.Equal(System.Net.HttpStatusCode.OK, accepted.StatusCode);
    }

    /// <summary>An MVC action whose closest antiforgery policy validates (the site-wide AutoValidate or [ValidateAntiForgeryToken]).</summary>
    private static bool ChecksFormToken(RouteEndpoint endpoint)
    {
        if (endpoint.Metadata.GetMetadata<ControllerActionDescriptor>() is not { } action)
        {
            return false;
        }
        // Sorted by order, then scope (global, controller, action): the last antiforgery policy is the one MVC applies.
        var policy = action.FilterDescriptors.OrderBy(f => f.Order).ThenBy(f => f.Scope)
            .Select(f => f.Filter).LastOrDefault(f => f is IgnoreAntiforgeryTokenAttribute or AutoValidateAntiforgeryTokenAttribute or ValidateAntiForgeryTokenAttribute);
        return policy is AutoValidateAntiforgeryTokenAttribute or ValidateAntiForgeryTokenAttribute;
    }
}
