namespace NewsPush.Web.Recommendations;

/// <summary>One recommended article, with the reason shown to the reader.</summary>
public sealed record Recommendation(int ArticleId, double Score, string Reason);

/// <summary>
/// Ranks published articles for readers: the "For you" feed (one reader, fast) and digests (many
/// readers in bulk). Never returns articles the reader already read.
/// </summary>
public interface IArticleRecommender
{
    /// <summary>Top <paramref name="count"/> for one reader; an anonymous reader (null) gets popular-and-fresh.</summary>
    Task<IReadOnlyList<Recommendation>> RecommendAsync(string? userId, int count, CancellationToken ct);

    /// <summary>Top <paramref name="count"/> for each reader, for digest composition.</summary>
    Task<IReadOnlyDictionary<string, IReadOnlyList<Recommendation>>> RecommendManyAsync(
        IReadOnlyCollection<string> userIds, int count, CancellationToken ct);
}
