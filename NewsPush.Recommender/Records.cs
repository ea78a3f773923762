namespace NewsPush.Recommender;

/// <summary>An article as the recommender sees it: text, column, tags and publication time.</summary>
public sealed record ArticleInfo(
    int Id,
    string Title,
    string Summary,
    string Body,
    int ColumnId,
    string ColumnName,
    IReadOnlyList<string> Tags,
    DateTime PublishedAt);

/// <summary>What a reader follows or declared at onboarding (cold start).</summary>
public sealed record ReaderInterests(
    IReadOnlyList<int> FollowedColumns,
    IReadOnlyList<string> FollowedTags,
    IReadOnlyList<int> DeclaredColumns,
    IReadOnlyList<string> DeclaredTags)
{
    public static readonly ReaderInterests None = new([], [], [], []);

    public bool IsEmpty => FollowedColumns.Count == 0 && FollowedTags.Count == 0 && DeclaredColumns.Count == 0 && DeclaredTags.Count == 0;
}

/// <summary>
/// A reader at a moment: the articles read so far (oldest first, most recent last), interests, and
/// everything that must never be recommended again (<see cref="Read"/> includes the history).
/// </summary>
public sealed record ReaderProfile(string ReaderId, IReadOnlyList<int> History, ReaderInterests Interests, ReaderActivity Activity = default)
{
    public static ReaderProfile Anonymous { get; } = new("", [], ReaderInterests.None);
}

/// <summary>How many items a reader was shown and clicked so far: their click propensity.</summary>
public readonly record struct ReaderActivity(int Shown, int Clicks);

/// <summary>One article shown in an impression and whether it was clicked.</summary>
public readonly record struct ImpressionItem(int ArticleId, bool Clicked);

/// <summary>
/// A list shown to a reader at <see cref="Time"/> (a MIND "impression"): the reader's click history
/// before that moment and the shown articles with their labels.
/// </summary>
public sealed record ImpressionRecord(string ImpressionId, string ReaderId, DateTime Time, IReadOnlyList<int> History, IReadOnlyList<ImpressionItem> Items);

/// <summary>Everything needed to train and evaluate: articles, impressions, and reader interests.</summary>
public sealed record RecommenderDataset(
    IReadOnlyList<ArticleInfo> Articles,
    IReadOnlyList<ImpressionRecord> Impressions,
    IReadOnlyDictionary<string, ReaderInterests> Interests)
{
    public ReaderInterests InterestsOf(string readerId) =>
        Interests.TryGetValue(readerId, out var interests) ? interests : ReaderInterests.None;

    public int InteractionCount => Impressions.Sum(i => i.Items.Count);
}

/// <summary>Why an item is recommended; <see cref="RecommendedItem.Reason"/> renders it for readers.</summary>
public enum ReasonKind { BecauseYouRead, FollowColumn, FollowTag, DeclaredInterest, OftenRead, PopularIn, FreshIn }

/// <summary>A ranked recommendation with its reason.</summary>
public sealed record RecommendedItem(int ArticleId, double Score, ReasonKind ReasonKind, string Reason);
