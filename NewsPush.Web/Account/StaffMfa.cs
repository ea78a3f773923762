using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.Extensions.Options;
using NewsPush.Web.Infrastructure;

namespace NewsPush.Web.Account;

/// <summary>Staff pages need a session signed in with a second factor (Identity's <c>amr=mfa</c> claim) when <see cref="AccountOptions.RequireMfaForStaff"/>.</summary>
public sealed class StaffMfaRequirement : IAuthorizationRequirement
{
    public const string MfaClaim = "amr";
    public const string MfaValue = "mfa";
}

public sealed class StaffMfaHandler(IOptions<AccountOptions> options) : AuthorizationHandler<StaffMfaRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, StaffMfaRequirement requirement)
    {
        if (!options.Value.RequireMfaForStaff || context.User.HasClaim(StaffMfaRequirement.MfaClaim, StaffMfaRequirement.MfaValue))
        {
            context.Succeed(requirement);
        }
        return Task.CompletedTask;
    }
}

/// <summary>A staff page refused only for want of the second factor sends the browser to set it up or to enter a code, not to "access denied".</summary>
public sealed class StaffMfaResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler fallback = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden && !ApiConventions.IsApi(context.Request)
            && authorizeResult.AuthorizationFailure?.FailedRequirements.OfType<StaffMfaRequirement>().Any() == true
            && authorizeResult.AuthorizationFailure.FailedRequirements.All(r => r is StaffMfaRequirement))
        {
            var returnUrl = context.Request.PathBase + context.Request.Path + context.Request.QueryString;
            context.Response.Redirect("/account/two-factor/required?returnUrl=" + Uri.EscapeDataString(returnUrl));
            return Task.CompletedTask;
        }
        return fallback.HandleAsync(next, context, policy, authorizeResult);
    }
}
