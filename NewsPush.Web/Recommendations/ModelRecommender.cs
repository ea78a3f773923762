using NewsPush.Recommender;

namespace NewsPush.Web.Recommendations;

/// <summary>
/// "For you" and digests: the active model when there is one, otherwise
/// <see cref="PopularFreshRecommender"/>. Anonymous readers always get popular-and-fresh.
/// </summary>
public sealed class ModelRecommender(ActiveModel active, RecommenderDataLoader loader, PopularFreshRecommender fallback) : IArticleRecommender
{
    public async Task<IReadOnlyList<Recommendation>> RecommendAsync(string? userId, int count, CancellationToken ct)
    {
        var engine = userId is null ? null : await active.GetEngineAsync(ct);
        if (engine is null || userId is null)
        {
            return await fallback.RecommendAsync(userId, count, ct);
        }
        var profiles = await loader.LoadProfilesAsync([userId], ct);
        return Map(engine.Recommend(profiles[userId], count));
    }

    public async Task<IReadOnlyDictionary<string, IReadOnlyList<Recommendation>>> RecommendManyAsync(
        IReadOnlyCollection<string> userIds, int count, CancellationToken ct)
    {
        var engine = await active.GetEngineAsync(ct);
        if (engine is null)
        {
            return await fallback.RecommendManyAsync(userIds, count, ct);
        }
        var result = new Dictionary<string, IReadOnlyList<Recommendation>>(userIds.Count);
        foreach (var chunk in userIds.Chunk(5000))
        {
            var profiles = (await loader.LoadProfilesAsync(chunk, ct)).Values.ToList();
            var lists = new IReadOnlyList<Recommendation>[profiles.Count];
            engine.RecommendMany(profiles, count, (i, ranked) =>
            {
                var items = new List<Recommendation>(ranked.Length);
                foreach (var r in ranked)
                {
                    var d = engine.Describe(r);
                    items.Add(new Recommendation(d.ArticleId, d.Score, d.Reason));
                }
                lists[i] = items;
            }, ct);
            for (var i = 0; i < profiles.Count; i++)
            {
                result[profiles[i].ReaderId] = lists[i];
            }
        }
        return result;
    }

    private static List<Recommendation> Map(IReadOnlyList<RecommendedItem> items) =>
        items.Select(i => new Recommendation(i.ArticleId, i.Score, i.Reason)).ToList();
}
