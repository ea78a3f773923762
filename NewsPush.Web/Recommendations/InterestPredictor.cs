using NewsPush.Recommender.Serving;

namespace NewsPush.Web.Recommendations;

/// <summary>The model's predicted interest of each reader in one article, aligned with the readers asked about.</summary>
public sealed record InterestScores(string ModelVersion, float[] Scores);

/// <summary>
/// Scores readers for one article with the active model (breaking-news pushes to "readers the model predicts are
/// interested"). An interface because the push tests give readers known scores; the site uses <see cref="ActiveModelInterestPredictor"/>.
/// </summary>
public interface IInterestPredictor
{
    /// <summary>Why the readers' interest in the article cannot be predicted now (the composer's message), or null when it can.</summary>
    Task<string?> WhyUnavailableAsync(int articleId, CancellationToken ct);

    /// <summary>Null when no model is active or the article is not in the model's snapshot (older than its history).</summary>
    Task<InterestScores?> PredictAsync(int articleId, IReadOnlyList<string> userIds, CancellationToken ct);
}

/// <summary>The active model's engine: each reader's profile (reads, clicks, follows) loaded in chunks, scored in parallel.</summary>
public sealed class ActiveModelInterestPredictor(ActiveModel active, RecommenderDataLoader loader, TimeProvider clock) : IInterestPredictor
{
    public const string NoModel = "No recommendation model is active, so no reader has a predicted interest: an admin trains or activates one (Admin → Models), or choose everyone or followers.";
    public const string UnknownArticle = "The active model does not know this article (it scores what was published within its history): choose everyone or followers.";

    private const int Chunk = 5000;

    public async Task<string?> WhyUnavailableAsync(int articleId, CancellationToken ct) =>
        await EngineAsync(articleId, ct) is var (engine, known) && engine is null ? NoModel : known ? null : UnknownArticle;

    public async Task<InterestScores?> PredictAsync(int articleId, IReadOnlyList<string> userIds, CancellationToken ct)
    {
        if (await EngineAsync(articleId, ct) is not (RecommendationEngine engine, true))
        {
            return null;
        }
        var scores = new float[userIds.Count];
        for (var first = 0; first < userIds.Count; first += Chunk)
        {
            var ids = userIds.Skip(first).Take(Chunk).ToList();
            var profiles = await loader.LoadProfilesAsync(ids, ct);
            if (!engine.TryScoreArticle(articleId, ids.Select(id => profiles[id]).ToList(), scores.AsSpan(first, ids.Count), ct))
            {
                return null;
            }
        }
        return new InterestScores(active.Version ?? "", scores);
    }

    /// <summary>
    /// The engine, and whether its snapshot holds the article. A story published after the snapshot was built (breaking
    /// news usually is) makes it rebuild once, unless it was built in the last minute.
    /// </summary>
    private async Task<(RecommendationEngine? Engine, bool Known)> EngineAsync(int articleId, CancellationToken ct)
    {
        var engine = await active.GetEngineAsync(ct);
        if (engine is null || engine.Index.TryGetIndex(articleId, out _))
        {
            return (engine, engine is not null);
        }
        if (clock.GetUtcNow().UtcDateTime - engine.Now > TimeSpan.FromMinutes(1))
        {
            active.Invalidate();
            engine = await active.GetEngineAsync(ct);
        }
        return (engine, engine is not null && engine.Index.TryGetIndex(articleId, out _));
    }
}
