using NewsPush.Web.Infrastructure;
using System.ComponentModel.DataAnnotations;
using NewsPush.Web.Reader;
using NewsPush.Web.Newsroom;

namespace NewsPush.Web.Areas.Admin.Models;

public sealed class BroadcastFormModel
{
    [Required(ErrorMessage = "Give the broadcast a title."), StringLength(200, ErrorMessage = "The title can be at most 200 characters.")]
    public string? Title { get; set; } = "";

    [Display(Name = "Message (plain text; line breaks are kept)")]
    [Required(ErrorMessage = "Write the message readers will see."), StringLength(20_000, ErrorMessage = "The message can be at most 20,000 characters.")]
    public string? Body { get; set; } = "";

    [Display(Name = "Link (optional: a path such as /column/world, or an https:// address)")]
    [StringLength(800, ErrorMessage = "The link can be at most 800 characters.")]
    public string? Link { get; set; }

    [Display(Name = "Expires at (UTC, optional)")]
    public DateTime? ExpiresAt { get; set; }

    public BroadcastInput ToInput() => new(
        (Title ?? "").Trim(), Body ?? "", string.IsNullOrWhiteSpace(Link) ? null : Link.Trim(),
        ExpiresAt is { } at ? DateTime.SpecifyKind(at, DateTimeKind.Utc) : null);
}

public sealed record BroadcastsViewModel(IReadOnlyList<BroadcastRow> Rows, int Total, int Page, int PageSize, BroadcastFormModel Form, string? Message)
{
    public PagerViewModel Pager => new(Page, Math.Max(1, (Total + PageSize - 1) / PageSize), "/admin/broadcasts");
}
