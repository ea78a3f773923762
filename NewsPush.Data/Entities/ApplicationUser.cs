using Microsoft.AspNetCore.Identity;

namespace NewsPush.Data.Entities;

/// <summary>An account: reader, editor or admin (roles in <see cref="Roles"/>).</summary>
public class ApplicationUser : IdentityUser
{
    public string DisplayName { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    public DateTime? OnboardedAt { get; set; }
    /// <summary>Set by a moderator: the user may no longer comment.</summary>
    public bool CommentingBlocked { get; set; }
    /// <summary>Secret for the private personal RSS/Atom feed; regenerate to revoke.</summary>
    public string? FeedToken { get; set; }
    /// <summary>Personal data removed; comments remain, shown as "deleted user".</summary>
    public DateTime? DeletedAt { get; set; }
}

public static class Roles
{
    public const string Reader = "Reader";
    public const string Editor = "Editor";
    public const string Admin = "Admin";
    public static readonly string[] All = [Reader, Editor, Admin];
}
