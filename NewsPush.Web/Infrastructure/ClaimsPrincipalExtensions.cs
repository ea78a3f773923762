using System.Security.Claims;

namespace NewsPush.Web.Infrastructure;

/// <summary>The one way to read the signed-in user's id.</summary>
public static class ClaimsPrincipalExtensions
{
    /// <summary>The signed-in user's id; null for an anonymous visitor.</summary>
    public static string? UserId(this ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true ? user.FindFirstValue(ClaimTypes.NameIdentifier) : null;

    /// <summary>The signed-in user's id where sign-in is required (<c>[Authorize]</c>); throws when there is none.</summary>
    public static string RequiredUserId(this ClaimsPrincipal user) =>
        user.UserId() ?? throw new InvalidOperationException("No signed-in user: the endpoint needs authorization.");
}
