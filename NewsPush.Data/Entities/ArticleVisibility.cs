namespace NewsPush.Data.Entities;

/// <summary>The one definition of what readers may see.</summary>
public static class ArticleVisibility
{
    /// <summary>Published, with a publication time that has come, in a column that is not hidden.</summary>
    public static IQueryable<Article> PubliclyVisible(this IQueryable<Article> articles, DateTime now) =>
        articles.Where(a => a.Status == ArticleStatus.Published && a.PublishedAt <= now && !a.Column!.IsHidden);
}
