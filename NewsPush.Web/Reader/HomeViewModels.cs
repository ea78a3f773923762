namespace NewsPush.Web.Reader;

/// <summary>A column's newest stories on the front page: the first as a card with its picture, the rest as links.</summary>
public sealed record ColumnSectionViewModel(string Name, string Slug, IReadOnlyList<ArticleListItem> Articles);
