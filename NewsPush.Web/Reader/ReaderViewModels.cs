using NewsPush.Web.Infrastructure;
using System.ComponentModel.DataAnnotations;
using NewsPush.Web.Reader.Search;
using NewsPush.Web.Media;

namespace NewsPush.Web.Reader;

/// <summary>A list item; <see cref="Reason"/> is set on "For you" items.</summary>
public sealed record ArticleListItem(int Id, string Slug, string Title, string Summary, string ColumnName, string ColumnSlug, DateTime? PublishedAt, string? Reason = null)
{
    /// <summary>The feature image with its alt text, when the article has one.</summary>
    public ImageRef? Image { get; init; }
    public string? AuthorId { get; init; }
    public string? AuthorName { get; init; }
}

/// <summary>
/// The front page: the lead story (the newest, preferring one with a picture), the next stories as cards, the reader's
/// "For you", "Popular" and a section per column.
/// </summary>
public sealed record FrontPageViewModel(
    IReadOnlyList<ArticleListItem> ForYou, bool ForYouIsPersonal, IReadOnlyList<ArticleListItem> Latest,
    IReadOnlyList<ArticleListItem> Popular, IReadOnlyList<ColumnSectionViewModel> Sections)
{
    public ArticleListItem? Lead => Latest.Take(3).FirstOrDefault(a => a.Image is not null) ?? Latest.FirstOrDefault();

    public IReadOnlyList<ArticleListItem> TopStories => [.. Latest.Where(a => a != Lead)];
}

public sealed record AuthorPageViewModel(string Id, string Name, int ArticleCount, IReadOnlyList<ArticleListItem> Articles, PagerViewModel Pager);

public sealed record FollowState(int TargetId, bool IsFollowing, bool CanFollow);

public sealed record ColumnPageViewModel(string Name, string Slug, string Description, IReadOnlyList<ArticleListItem> Articles, PagerViewModel Pager, FollowState Follow);

public sealed record TagPageViewModel(string Name, string Slug, IReadOnlyList<ArticleListItem> Articles, PagerViewModel Pager, FollowState Follow);

public sealed record TagLink(int Id, string Name, string Slug);

/// <summary>The cacheable part of an article page: the same for every reader.</summary>
public sealed record ArticleContent(
    int Id, string Slug, string Title, string Summary, string BodyHtml, string Language, string ColumnName, string ColumnSlug, int ColumnId,
    DateTime? PublishedAt, DateTime UpdatedAt, int ReadingMinutes, string? AuthorName, IReadOnlyList<TagLink> Tags, IReadOnlyList<ArticleListItem> Related)
{
    public string? AuthorId { get; init; }
    public ImageRef? Image { get; init; }
}

public sealed record CommentViewModel(long Id, long? ParentId, string AuthorName, string BodyHtml, DateTime CreatedAt, DateTime? EditedAt, bool IsMine, bool IsDeleted)
{
    public List<CommentViewModel> Replies { get; } = [];
}

public sealed record ReaderState(bool IsAuthenticated, int? MyRating, bool IsBookmarked, bool FollowsColumn, IReadOnlySet<int> FollowedTagIds);

public sealed record ArticlePageViewModel(
    ArticleContent Article, double? AverageRating, int RatingCount, IReadOnlyList<CommentViewModel> Comments, int CommentCount, ReaderState Reader, CommentFormModel NewComment);

public sealed class CommentFormModel
{
    [Required(ErrorMessage = "Write something before posting.")]
    [StringLength(5000, ErrorMessage = "A comment can be at most 5,000 characters.")]
    [Display(Name = "Your comment")]
    public string Body { get; set; } = "";

    public long? ParentId { get; set; }
}

public sealed class ReportFormModel
{
    [Required(ErrorMessage = "Say briefly what is wrong with this comment.")]
    [StringLength(500, ErrorMessage = "Keep the reason under 500 characters.")]
    public string Reason { get; set; } = "";
}

public sealed record CommentEditViewModel(long Id, string ArticleSlug, string ArticleTitle, CommentFormModel Form);

public sealed record ReportViewModel(long Id, string ArticleSlug, string CommentHtml, ReportFormModel Form);

public sealed class SearchQueryModel
{
    [StringLength(200, ErrorMessage = "Search for at most 200 characters.")]
    public string? Q { get; set; }

    public string? Column { get; set; }

    public DateOnly? From { get; set; }

    public DateOnly? To { get; set; }

    [Range(1, 1000, ErrorMessage = "That page does not exist.")]
    public int Page { get; set; } = 1;
}

public sealed record SearchPageViewModel(SearchQueryModel Query, SearchResults? Results, IReadOnlyList<TagLink> Columns, string? Message, PagerViewModel? Pager);

public sealed record HistoryItem(ArticleListItem Article, DateTime LastReadAt, int ReadCount);

public sealed record HistoryViewModel(IReadOnlyList<HistoryItem> Items, PagerViewModel Pager);

public sealed record BookmarksViewModel(IReadOnlyList<ArticleListItem> Items, PagerViewModel Pager);

public sealed record FollowItem(string Kind, int TargetId, string Name, string Url, bool IsDeclaredInterest);

public sealed record FollowsViewModel(IReadOnlyList<FollowItem> Items, string? FeedUrl);

public sealed record InterestOption(int Id, string Name, bool Selected);

public sealed class OnboardingFormModel
{
    public List<int> ColumnIds { get; set; } = [];

    public List<int> TagIds { get; set; } = [];
}

public sealed record OnboardingViewModel(IReadOnlyList<InterestOption> Columns, IReadOnlyList<InterestOption> Tags, string? Error);

/// <summary>A list of article links; <see cref="Source"/> tags impressions and clicks for the recommender.</summary>
public sealed record ArticleListPartial(IReadOnlyList<ArticleListItem> Items, string Source, bool ShowSummary = true);

public sealed record FollowButtonModel(NewsPush.Data.Entities.FollowKind Kind, FollowState State, string Name, string ReturnUrl);

public sealed record CommentPartial(CommentViewModel Comment, string ArticleSlug, bool CanReply);

/// <summary>One story as a card (picture, column, headline, byline, relative time); <see cref="Lead"/> for the front page's top story.</summary>
public sealed record ArticleCardPartial(ArticleListItem Item, string Source, string Sizes = "(min-width: 992px) 25vw, (min-width: 576px) 50vw, 100vw",
    bool Lead = false, bool Eager = false, bool ShowSummary = true, bool ShowImage = true);
