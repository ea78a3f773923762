namespace NewsPush.Web.Models;

public sealed record ArticleCardViewModel(int Id, string Slug, string Title, string Summary, string ColumnName, string ColumnSlug, DateTime? PublishedAt);

public sealed record ColumnSectionViewModel(string Name, string Slug, IReadOnlyList<ArticleCardViewModel> Articles);

public sealed record HomeViewModel(IReadOnlyList<ColumnSectionViewModel> Sections);

public sealed record ErrorViewModel(int StatusCode)
{
    public string Title => StatusCode switch
    {
        404 => "Page not found",
        403 => "Access denied",
        429 => "Too many requests",
        _ => "Something went wrong",
    };
}
