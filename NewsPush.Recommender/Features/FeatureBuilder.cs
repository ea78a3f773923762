namespace NewsPush.Recommender.Features;

/// <summary>
/// The (reader, article) feature row the ranking model learns from. Article features (age,
/// decayed clicks, click-through rate), reader features (history length) and affinities (text
/// similarity to the profile and to recent reads, column and tag shares, follows, declared interests).
/// </summary>
/// <remarks>
/// Features are only ever appended: a model trained on the first <c>n</c> features reads the same
/// indexes in a longer row, so stored versions keep working after features are added.
/// </remarks>
public static class FeatureBuilder
{
    public const int FeatureCount = 22;

    /// <summary>The width of rows before the behaviour features (models stored before them).</summary>
    public const int LegacyFeatureCount = 12;

    /// <summary>Prior strength (in shown items) of the smoothed article and reader click-through rates.</summary>
    public const float ArticlePriorImpressions = 20f;
    public const float ReaderPriorImpressions = 10f;

    public static readonly string[] Names =
    [
        "TextSimilarity", "MaxRecentSimilarity", "ColumnShare", "TagShare", "FollowsColumn", "FollowedTags",
        "DeclaredColumn", "DeclaredTags", "LogAgeHours", "LogRecentClicks", "SmoothedCtr", "LogHistoryLength",
        "LogImpressions", "BayesCtr", "HasText", "CoClick", "ReaderCtr", "LogReaderShown", "ColumnRelativeAge",
        "RecentColumnShare", "RecentTagShare", "LifetimeCtr",
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
    public const int LogHistoryLength = 11;
    public const int LogImpressions = 12;
    public const int BayesCtr = 13;
    public const int HasText = 14;
    public const int CoClick = 15;
    public const int ReaderCtr = 16;
    public const int LogReaderShown = 17;
    public const int ColumnRelativeAge = 18;
    public const int RecentColumnShare = 19;
    public const int RecentTagShare = 20;
    public const int LifetimeCtr = 21;

    /// <summary>What behaviour says about one article for one reader at one moment.</summary>
    public readonly record struct Signals(float Clicks, float Impressions, float GlobalCtr, float ColumnLogClickAge, float CoClick, float TotalClicks, float TotalShown);

    /// <summary>The signals of <paramref name="article"/> from a frozen snapshot.</summary>
    public static Signals From(ArticleIndex index, ArticleStats stats, ReaderState reader, int article) =>
        new(stats.Clicks[article], stats.Impressions[article], stats.GlobalCtr,
            stats.ColumnLogClickAge is { } ages ? ages[index.ColumnOf[article]] : 0,
            stats.CoClicks?.Score(article, reader.CoRecent) ?? 0,
            stats.TotalClicks?[article] ?? stats.Clicks[article], stats.TotalShown?[article] ?? stats.Impressions[article]);

    /// <summary>Fills <paramref name="f"/> and returns the recent read most similar to the article (-1 if none).</summary>
    public static int Build(ArticleIndex index, ReaderState reader, int article, long nowTicks, in Signals s, Span<float> f)
    {
        var clicks = s.Clicks;
        var impressions = s.Impressions;
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
        f[LogHistoryLength] = MathF.Log(1 + reader.HistoryLength);
        f[LogImpressions] = MathF.Log(1 + impressions);
        f[BayesCtr] = (clicks + (ArticlePriorImpressions * s.GlobalCtr)) / (impressions + ArticlePriorImpressions);
        f[HasText] = index.HasText[article] ? 1 : 0;
        f[CoClick] = s.CoClick;
        var activity = reader.Activity;
        f[ReaderCtr] = (activity.Clicks + (ReaderPriorImpressions * s.GlobalCtr)) / (activity.Shown + ReaderPriorImpressions);
        f[LogReaderShown] = MathF.Log(1 + activity.Shown);
        f[ColumnRelativeAge] = s.ColumnLogClickAge == 0 ? 0 : f[LogAgeHours] - s.ColumnLogClickAge;
        var recentColumn = 0;
        var recentTag = 0;
        var tags = index.TagsOf[article];
        for (var i = 0; i < reader.RecentLength; i++)
        {
            var r = reader.Recent[i];
            if (index.ColumnOf[r] == column)
            {
                recentColumn++;
            }
            foreach (var t in index.TagsOf[r])
            {
                if (Array.IndexOf(tags, t) >= 0)
                {
                    recentTag++;
                    break;
                }
            }
        }
        var recent = Math.Max(1, reader.RecentLength);
        f[RecentColumnShare] = (float)recentColumn / recent;
        f[RecentTagShare] = (float)recentTag / recent;
        f[LifetimeCtr] = (s.TotalClicks + (ArticlePriorImpressions * s.GlobalCtr)) / (s.TotalShown + ArticlePriorImpressions);
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
