using System.Security.Claims;
using NewsPush.Web.Infrastructure;

// In NewsPush.Tests.Web, not ….Web.Infrastructure: that namespace would shadow NewsPush.Tests.Infrastructure for every test under Web/.
namespace NewsPush.Tests.Web;

public sealed class ClaimsPrincipalExtensionsTests
{
    private static ClaimsPrincipal SignedIn(string id) => new(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, id)], "Identity.Application"));

    [Fact]
    public void SignedInUserHasTheirId()
    {
        Assert.Equal("u-1", SignedIn("u-1").UserId());
        Assert.Equal("u-1", SignedIn("u-1").RequiredUserId());
    }

    [Fact]
    public void AnonymousVisitorHasNoIdAndRequiringOneThrows()
    {
        var anonymous = new ClaimsPrincipal(new ClaimsIdentity());
        // Claims without an authenticated identity are no sign-in.
        var unauthenticated = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, "u-1")]));

        Assert.Null(anonymous.UserId());
        Assert.Null(unauthenticated.UserId());
        Assert.Throws<InvalidOperationException>(() => anonymous.RequiredUserId());
    }
}
