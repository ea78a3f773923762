namespace NewsPush.Web.Reader;

public sealed record ArticleCardViewModel(int Id, string Slug, string Title, string Summary, string ColumnName, string ColumnSlug, DateTime? PublishedAt);

public sealed record ColumnSectionViewModel(string Name, string Slug, IReadOnlyList<ArticleCardViewModel> Articles);

public sealed record HomeViewModel(IReadOnlyList<ColumnSectionViewModel> Sections);
