using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using NewsPush.Data.Entities;
using NewsPush.Tests.Infrastructure;

namespace NewsPush.Tests.Web.Editor;

/// <summary>
/// Every endpoint of the Editor and Admin areas, read from the app's endpoint data source (so new routes are
/// covered without touching this test), against every kind of visitor.
/// </summary>
public sealed class AuthorizationMatrixTests(SqliteFactory factory) : IClassFixture<SqliteFactory>
{
    private enum Outcome { LoginRedirect, Forbidden, Allowed }

    private sealed record AreaEndpoint(string Area, string Method, string Url, string Name);

    private List<AreaEndpoint> AreaEndpoints()
    {
        var endpoints = factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>();
        var result = new List<AreaEndpoint>();
        foreach (var endpoint in endpoints)
        {
            var action = endpoint.Metadata.GetMetadata<ControllerActionDescriptor>();
            if (action is null || !action.RouteValues.TryGetValue("area", out var area) || area is not ("Editor" or "Admin"))
            {
                continue;
            }
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods;
            foreach (var method in methods is { Count: > 0 } ? methods : ["GET"])
            {
                result.Add(new AreaEndpoint(area, method, BuildUrl(endpoint.RoutePattern), endpoint.DisplayName ?? action.DisplayName ?? ""));
            }
        }
        return result.DistinctBy(e => (e.Method, e.Url)).ToList();
    }

    /// <summary>A concrete URL for a route pattern: required values as given, other parameters a sample id.</summary>
    private static string BuildUrl(RoutePattern pattern)
    {
        var segments = new List<string>();
        foreach (var segment in pattern.PathSegments)
        {
            var text = new StringBuilder();
            foreach (var part in segment.Parts)
            {
                switch (part)
                {
                    case RoutePatternLiteralPart literal: text.Append(literal.Content); break;
                    case RoutePatternSeparatorPart separator: text.Append(separator.Content); break;
                    case RoutePatternParameterPart parameter:
                        if (pattern.RequiredValues.TryGetValue(parameter.Name, out var required) && required is string { Length: > 0 } value)
                        {
                            text.Append(value);
                        }
                        else if (!parameter.IsOptional)
                        {
                            text.Append(parameter.Default?.ToString() ?? "1");
                        }
                        break;
                }
            }
            if (text.Length > 0)
            {
                segments.Add(text.ToString());
            }
        }
        return "/" + string.Join("/", segments);
    }

    private static async Task<(Outcome Outcome, HttpStatusCode Status)> SendAsync(HttpClient client, AreaEndpoint endpoint)
    {
        using var request = new HttpRequestMessage(new HttpMethod(endpoint.Method), endpoint.Url);
        if (endpoint.Method != "GET")
        {
            // Deliberately no antiforgery token: an authorized POST must then be refused with 400.
            request.Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["probe"] = "1" });
        }
        using var response = await client.SendAsync(request);
        var location = response.Headers.Location?.OriginalString ?? "";
        Assert.True((int)response.StatusCode < 500, $"{endpoint.Method} {endpoint.Url} answered {(int)response.StatusCode}");
        var outcome = response.StatusCode switch
        {
            HttpStatusCode.Redirect when location.Contains("/account/login", StringComparison.OrdinalIgnoreCase) => Outcome.LoginRedirect,
            HttpStatusCode.Redirect when location.Contains("/account/access-denied", StringComparison.OrdinalIgnoreCase) => Outcome.Forbidden,
            HttpStatusCode.Forbidden => Outcome.Forbidden,
            _ => Outcome.Allowed,
        };
        return (outcome, response.StatusCode);
    }

    private async Task AssertMatrixAsync(HttpClient client, Func<string, Outcome> expected, string who)
    {
        var endpoints = AreaEndpoints();
        var failures = new List<string>();
        foreach (var endpoint in endpoints)
        {
            var (outcome, status) = await SendAsync(client, endpoint);
            if (outcome != expected(endpoint.Area))
            {
                failures.Add($"{who}: {endpoint.Method} {endpoint.Url} ({endpoint.Name}) → {outcome} ({(int)status}), expected {expected(endpoint.Area)}");
            }
            else if (outcome == Outcome.Allowed && endpoint.Method == "POST" && status != HttpStatusCode.BadRequest)
            {
                failures.Add($"{who}: POST {endpoint.Url} without an antiforgery token answered {(int)status}, expected 400");
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void EnumeratesBothAreasIncludingGetAndPostEndpoints()
    {
        var endpoints = AreaEndpoints();
        Assert.Contains(endpoints, e => e is { Area: "Editor", Method: "GET", Url: "/editor/articles" });
        Assert.Contains(endpoints, e => e is { Area: "Editor", Method: "POST", Url: "/editor/articles/1/transition" });
        Assert.Contains(endpoints, e => e is { Area: "Admin", Method: "GET", Url: "/admin/users" });
        Assert.Contains(endpoints, e => e is { Area: "Admin", Method: "POST", Url: "/admin/jobs/schedules/1" });
        Assert.Contains(endpoints, e => e is { Area: "Admin", Method: "GET", Url: "/admin/broadcasts" });
        Assert.Contains(endpoints, e => e is { Area: "Admin", Method: "POST", Url: "/admin/broadcasts" });
        Assert.Contains(endpoints, e => e is { Area: "Admin", Method: "POST", Url: "/admin/broadcasts/1/expire" });
        Assert.Contains(endpoints, e => e is { Area: "Admin", Method: "POST", Url: "/admin/broadcasts/1/delete" });
        Assert.True(endpoints.Count >= 20, $"only {endpoints.Count} endpoints found");
    }

    [Fact]
    public async Task RedirectsAnonymousVisitorToLoginOnEveryEndpoint()
    {
        using var client = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        await AssertMatrixAsync(client, _ => Outcome.LoginRedirect, "anonymous");
    }

    [Fact]
    public async Task ReturnsForbiddenGivenReaderOnEveryEndpoint()
    {
        var email = $"{NewsroomTestExtensions.Unique("reader")}@test.local";
        await factory.CreateUserAsync(email, Roles.Reader);
        using var client = await factory.CreateLoggedInClientAsync(email);
        await AssertMatrixAsync(client, _ => Outcome.Forbidden, "reader");

        var denied = await client.GetAsync("/account/access-denied");
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
    }

    [Fact]
    public async Task AllowsEditorInEditorAreaOnly()
    {
        using var client = await factory.CreateLoggedInClientAsync(NewsPushFactory.EditorEmail);
        await AssertMatrixAsync(client, area => area == "Editor" ? Outcome.Allowed : Outcome.Forbidden, "editor");
    }

    [Fact]
    public async Task AllowsAdminInBothAreas()
    {
        var email = $"{NewsroomTestExtensions.Unique("admin")}@test.local";
        await factory.CreateUserAsync(email, Roles.Admin);
        using var client = await factory.CreateLoggedInClientAsync(email);
        await AssertMatrixAsync(client, _ => Outcome.Allowed, "admin");
    }
}
