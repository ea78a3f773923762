namespace NewsPush.Recommender.Features;

/// <summary>
/// The (reader, article) feature row the ranking model learns from. Article features (age,
/// decayed clicks, click-through rate), reader features (history length) and affinities (text
/// similarity to the profile and to recent reads, column and tag shares, follows, declared interests).
/// </summary>
public static class FeatureBuilder
{
    public const int FeatureCount = 12;

    public static readonly string[] Names =
    [
        "TextSimilarity", "MaxRecentSimilarity", "ColumnShare", "TagShare", "FollowsColumn", "FollowedTags",
        "DeclaredColumn", "DeclaredTags", "LogAgeHours", "LogRecentClicks", "SmoothedCtr", "LogHistoryLength",
    ];

    public const int TextSimilarity = 0;
    public const int MaxRecentSimilarity = 1;
    public const int ColumnShare = 2;
    public const int TagShare = 3;
    public const int FollowsColumn = 4;
    public const int FollowedTags = 5;
    public const int DeclaredColumn = 6;
    public const int DeclaredTags = 7;
    public const int LogAgeHours = 8;
    public const int LogRecentClicks = 9;
    public const int SmoothedCtr = 10;

    /// <summary>Fills <paramref name="f"/> and returns the recent read most similar to the article (-1 if none).</summary>
    public static int Build(ArticleIndex index, ReaderState reader, int article, long nowTicks, float clicks, float impressions, Span<float> f)
    {
        var v = index.Vector(article);
        f[TextSimilarity] = VectorMath.Dot(reader.Text, v);
        var best = -1;
        var bestSim = 0f;
        for (var i = 0; i < reader.RecentLength; i++)
        {
            var sim = VectorMath.Dot(index.Vector(reader.Recent[i]), v);
            if (sim > bestSim)
            {
                bestSim = sim;
                best = reader.Recent[i];
            }
        }
        f[MaxRecentSimilarity] = bestSim;
        var column = index.ColumnOf[article];
        f[ColumnShare] = reader.ColumnShare[column];
        var tagShare = 0f;
        var followedTags = 0;
        var declaredTags = 0;
        foreach (var t in index.TagsOf[article])
        {
            tagShare += reader.TagShare[t];
            if (reader.FollowedTags.Contains(t))
            {
                followedTags++;
            }
            if (reader.DeclaredTags.Contains(t))
            {
                declaredTags++;
            }
        }
        f[TagShare] = tagShare;
        f[FollowsColumn] = reader.FollowsColumn[column] ? 1 : 0;
        f[FollowedTags] = followedTags;
        f[DeclaredColumn] = reader.DeclaredColumn[column] ? 1 : 0;
        f[DeclaredTags] = declaredTags;
        f[LogAgeHours] = AgeFeature(index.PublishedTicks[article], nowTicks);
        f[LogRecentClicks] = MathF.Log(1 + clicks);
        f[SmoothedCtr] = (clicks + 0.5f) / (impressions + 10f);
        f[11] = MathF.Log(1 + reader.HistoryLength);
        return best;
    }

    public static float AgeFeature(long publishedTicks, long nowTicks) =>
        MathF.Log(1 + (float)Math.Max(0, (nowTicks - publishedTicks) / (double)TimeSpan.TicksPerHour));

    /// <summary>
    /// The cheap first stage: a fixed linear blend of affinity, follows, popularity and freshness,
    /// computed for every candidate (one dot product each); the model re-scores only its top few.
    /// </summary>
    public static float FirstStage(ArticleIndex index, ReaderState reader, int article, float prior) =>
        (2f * VectorMath.Dot(reader.Text, index.Vector(article))) + reader.ColumnBonus[index.ColumnOf[article]] + prior;

    /// <summary>Reader-independent part of the first stage: popularity and freshness.</summary>
    public static float Prior(float clicks, long publishedTicks, long nowTicks) =>
        (0.25f * MathF.Log(1 + clicks)) - (0.3f * MathF.Log(1 + (float)Math.Max(0, (nowTicks - publishedTicks) / (double)TimeSpan.TicksPerDay)));
}
