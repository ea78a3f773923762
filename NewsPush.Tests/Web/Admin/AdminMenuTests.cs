using System.Reflection;
using Microsoft.AspNetCore.Mvc;
using NewsPush.Tests.Infrastructure;
using NewsPush.Web.Areas.Admin.Models;

namespace NewsPush.Tests.Web.Admin;

/// <summary>The admin menu reaches every page of the newsroom and the administration, and only staff see it.</summary>
public sealed class AdminMenuTests(SqliteFactory factory) : IClassFixture<SqliteFactory>
{
    /// <summary>Every list page (a GET at a staff controller's own route) is in the menu: a new page cannot be forgotten.</summary>
    [Fact]
    public void EveryStaffListPageIsInTheMenu()
    {
        var staffControllers = typeof(AdminMenu).Assembly.GetTypes()
            .Where(t => typeof(ControllerBase).IsAssignableFrom(t) && !t.IsAbstract)
            .Select(t => (Type: t, Route: t.GetCustomAttribute<RouteAttribute>()?.Template))
            .Where(c => c.Route is { } r && (r.StartsWith("admin/", StringComparison.Ordinal) || r.StartsWith("editor/", StringComparison.Ordinal) || r.StartsWith("newsroom/", StringComparison.Ordinal)))
            .ToList();
        Assert.True(staffControllers.Count >= 10, $"found only {staffControllers.Count} staff controllers");
        var menu = AdminMenu.Sections.SelectMany(s => s.Links).Select(l => l.Path).ToHashSet();
        var missing = staffControllers
            .Where(c => c.Type.GetMethods().Any(m => m.GetCustomAttributes<HttpGetAttribute>().Any(g => g.Template == "")))
            .Select(c => "/" + c.Route)
            .Where(path => !menu.Contains(path))
            .ToList();
        Assert.True(missing.Count == 0, "not in the admin menu: " + string.Join(", ", missing));
    }

    [Fact]
    public async Task AnAdminSeesTheMenuAReaderIsTurnedAway()
    {
        using var admin = await factory.CreateLoggedInClientAsync(NewsPushFactory.AdminEmail);
        var html = await admin.GetStringAsync("/admin");
        foreach (var link in AdminMenu.Sections.SelectMany(s => s.Links))
        {
            Assert.Contains($"href=\"{link.Path}\"", html);
        }

        var email = $"menu-{Guid.NewGuid():N}@test.local";
        await factory.CreateUserAsync(email);
        using var reader = await factory.CreateLoggedInClientAsync(email);
        var response = await reader.GetAsync("/admin");
        var turnedAway = response.StatusCode == System.Net.HttpStatusCode.Forbidden
            || (response.StatusCode == System.Net.HttpStatusCode.Redirect && response.Headers.Location!.OriginalString.Contains("/account/access-denied", StringComparison.Ordinal));
        Assert.True(turnedAway, $"a reader got {(int)response.StatusCode} {response.Headers.Location}");
        Assert.DoesNotContain("Recommender models", await response.Content.ReadAsStringAsync());
    }
}
