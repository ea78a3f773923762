using System.ComponentModel.DataAnnotations;
using NewsPush.Data.Entities;
using NewsPush.Web.Newsroom;

namespace NewsPush.Web.Areas.Editor.Models;

public sealed record Option(string Value, string Text);

public sealed record ArticleListViewModel(
    IReadOnlyList<ArticleListRow> Rows, int Total, int Page, int PageSize,
    ArticleStatus? Status, int? ColumnId, string? AuthorId, string? Text,
    IReadOnlyList<Option> Columns, IReadOnlyList<Option> Authors)
{
    public NewsroomOptions Newsroom { get; init; } = new();

    public int Pages => Math.Max(1, (Total + PageSize - 1) / PageSize);
}

public sealed class ArticleFormModel
{
    [Required(ErrorMessage = "Give the article a title."), StringLength(300)]
    public string Title { get; set; } = "";

    [StringLength(1000)]
    public string? Summary { get; set; } = "";

    [Display(Name = "Body (Markdown)"), StringLength(200_000)]
    public string? BodyMarkdown { get; set; } = "";

    [Display(Name = "Column"), Range(1, int.MaxValue, ErrorMessage = "Choose a column.")]
    public int ColumnId { get; set; }

    [Display(Name = "Tags (comma separated)"), StringLength(500)]
    public string? Tags { get; set; } = "";

    [StringLength(10)]
    public string? Language { get; set; } = "en";

    /// <summary>The address after /article/: empty makes one from the title; fixed once the article is published.</summary>
    [Display(Name = "Address"), StringLength(200)]
    public string? Slug { get; set; }

    public ArticleInput ToInput() => new(Title, Summary ?? "", BodyMarkdown ?? "", ColumnId, Tags ?? "", Language ?? "en") { Slug = Slug };
}

public sealed class ArticleEditViewModel
{
    public int? Id { get; init; }
    public ArticleFormModel Form { get; init; } = new();
    public ArticleStatus Status { get; init; }
    public string? Slug { get; init; }
    public DateTime? ScheduledAt { get; init; }
    public DateTime? PublishedAt { get; init; }
    public IReadOnlyList<Option> Columns { get; init; } = [];
    public IReadOnlyList<WorkflowAction> Actions { get; init; } = [];
    public string? PreviewHtml { get; init; }
    public string? Message { get; init; }
    public NewsPush.Web.Media.ImageRef? Image { get; init; }
    /// <summary>The alt text in the image form: the saved one, or what the editor typed when the upload was refused.</summary>
    public string? ImageAlt { get; set; }
    public double MaxUploadMegabytes { get; init; }
    public NewsroomOptions Newsroom { get; init; } = new();
}

public sealed record ColumnsViewModel(IReadOnlyList<ColumnRow> Columns, string? Message);

public sealed record ModerationViewModel(IReadOnlyList<ModerationItem> Items, string? Message);
