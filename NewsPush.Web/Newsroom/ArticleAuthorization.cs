using NewsPush.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using NewsPush.Data.Entities;

namespace NewsPush.Web.Newsroom;

/// <summary>Per-article rules on top of <see cref="NewsroomServiceCollectionExtensions.EditorPolicy"/>.</summary>
public static class ArticleOperations
{
    /// <summary>Open, edit or move an article through the workflow.</summary>
    public static readonly OperationAuthorizationRequirement Edit = new() { Name = nameof(Edit) };
}

/// <summary>
/// A draft belongs to its author until it is submitted: other editors cannot open or change it; admins can.
/// From review on, the whole desk works on it.
/// </summary>
public sealed class ArticleAuthorizationHandler : AuthorizationHandler<OperationAuthorizationRequirement, Article>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, OperationAuthorizationRequirement requirement, Article article)
    {
        var user = context.User;
        var isStaff = user.IsInRole(Roles.Admin) || user.IsInRole(Roles.Editor);
        if (requirement.Name == ArticleOperations.Edit.Name && isStaff
            && (user.IsInRole(Roles.Admin) || article.Status != ArticleStatus.Draft || article.AuthorId == user.UserId()))
        {
            context.Succeed(requirement);
        }
        return Task.CompletedTask;
    }
}
