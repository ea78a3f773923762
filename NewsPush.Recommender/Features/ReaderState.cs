namespace NewsPush.Recommender.Features;

/// <summary>
/// A reader's profile turned into arrays over an <see cref="ArticleIndex"/>: a text profile (decayed
/// average of read-article vectors, plus column centroids of follows and declared interests), column
/// and tag shares of the history, follows, the most recent reads, and the set never to recommend.
/// Reusable: one instance per scoring thread, <see cref="Load"/> per reader.
/// </summary>
public sealed class ReaderState
{
    /// <summary>History items weigh half as much every this many reads back.</summary>
    public const double HistoryHalfLifeItems = 10;
    public const int MaxHistory = 50;
    public const int RecentCount = 5;

    private static readonly float[] DecayWeights = Enumerable.Range(0, MaxHistory).Select(i => (float)Math.Pow(2, -i / HistoryHalfLifeItems)).ToArray();
    private readonly ArticleIndex index;
    private readonly List<int> touchedTags = [];

    public ReaderState(ArticleIndex index)
    {
        this.index = index;
        Text = new float[index.Dimensions];
        ColumnShare = new float[index.ColumnCount];
        ColumnBonus = new float[index.ColumnCount];
        TagShare = new float[index.TagCount];
        FollowsColumn = new bool[index.ColumnCount];
        DeclaredColumn = new bool[index.ColumnCount];
        read = new bool[index.Count];
    }

    public float[] Text { get; }
    public float[] ColumnShare { get; }

    /// <summary>The column part of the first-stage score: history share plus a bonus for follows and interests.</summary>
    public float[] ColumnBonus { get; }
    public float[] TagShare { get; }
    public bool[] FollowsColumn { get; }
    public bool[] DeclaredColumn { get; }
    public HashSet<int> FollowedTags { get; } = [];
    public HashSet<int> DeclaredTags { get; } = [];
    public int[] Recent { get; } = new int[RecentCount];

    /// <summary>The <see cref="CoClickTable.Window"/> most recent distinct reads, most recent first (co-click features).</summary>
    public ReadOnlySpan<int> CoRecent => coRecent.AsSpan(0, coRecentLength);
    private readonly int[] coRecent = new int[CoClickTable.Window];
    private int coRecentLength;

    /// <summary>Items shown to and clicked by the reader so far (<see cref="ReaderActivity"/>).</summary>
    public ReaderActivity Activity { get; private set; }
    public int RecentLength { get; private set; }
    public int HistoryLength { get; private set; }
    /// <summary>Indexes of read articles that are in the index (never recommended).</summary>
    private readonly bool[] read;
    private readonly List<int> readList = [];

    /// <summary>True if the reader already read the article at index <paramref name="article"/>.</summary>
    public bool HasRead(int article) => read[article];

    /// <summary>True when the reader has neither history nor interests: popular-and-fresh applies.</summary>
    public bool IsEmpty { get; private set; }

    public void Load(ReaderProfile profile) => Load(profile.History, profile.Interests, profile.Activity);

    public void Load(IReadOnlyList<int> history, ReaderInterests interests, ReaderActivity activity = default)
    {
        Activity = activity;
        coRecentLength = 0;
        Array.Clear(Text);
        Array.Clear(ColumnShare);
        Array.Clear(FollowsColumn);
        Array.Clear(DeclaredColumn);
        foreach (var t in touchedTags)
        {
            TagShare[t] = 0;
        }
        touchedTags.Clear();
        FollowedTags.Clear();
        DeclaredTags.Clear();
        foreach (var a in readList)
        {
            read[a] = false;
        }
        readList.Clear();
        RecentLength = 0;
        HistoryLength = history.Count;

        for (var i = 0; i < history.Count; i++)
        {
            if (index.TryGetIndex(history[i], out var a) && !read[a])
            {
                read[a] = true;
                readList.Add(a);
            }
        }
        var start = Math.Max(0, history.Count - MaxHistory);
        var totalWeight = 0f;
        for (var i = history.Count - 1; i >= start; i--)
        {
            if (!index.TryGetIndex(history[i], out var a))
            {
                continue;
            }
            var w = DecayWeights[history.Count - 1 - i];
            totalWeight += w;
            VectorMath.AddScaled(Text, index.Vector(a), w);
            ColumnShare[index.ColumnOf[a]] += w;
            foreach (var t in index.TagsOf[a])
            {
                if (TagShare[t] == 0)
                {
                    touchedTags.Add(t);
                }
                TagShare[t] += w;
            }
            if (RecentLength < RecentCount)
            {
                Recent[RecentLength++] = a;
            }
            if (coRecentLength < coRecent.Length && Array.IndexOf(coRecent, a, 0, coRecentLength) < 0)
            {
                coRecent[coRecentLength++] = a;
            }
        }
        if (totalWeight > 0)
        {
            for (var c = 0; c < ColumnShare.Length; c++)
            {
                ColumnShare[c] /= totalWeight;
            }
            foreach (var t in touchedTags)
            {
                TagShare[t] /= totalWeight;
            }
        }

        // Follows and declared interests pull the text profile towards those columns; with no
        // history this alone makes a cold-start reader's list personal.
        var interestWeight = totalWeight > 0 ? 0.5f * totalWeight / Math.Max(1, history.Count) : 1f;
        foreach (var columnId in interests.FollowedColumns)
        {
            var c = index.ColumnIndex(columnId);
            if (c >= 0)
            {
                FollowsColumn[c] = true;
                VectorMath.AddScaled(Text, index.Centroid(c), interestWeight);
            }
        }
        foreach (var columnId in interests.DeclaredColumns)
        {
            var c = index.ColumnIndex(columnId);
            if (c >= 0)
            {
                DeclaredColumn[c] = true;
                VectorMath.AddScaled(Text, index.Centroid(c), interestWeight);
            }
        }
        foreach (var tag in interests.FollowedTags)
        {
            var t = index.TagIndex(tag);
            if (t >= 0)
            {
                FollowedTags.Add(t);
            }
        }
        foreach (var tag in interests.DeclaredTags)
        {
            var t = index.TagIndex(tag);
            if (t >= 0)
            {
                DeclaredTags.Add(t);
            }
        }
        VectorMath.Normalize(Text);
        for (var c = 0; c < ColumnBonus.Length; c++)
        {
            ColumnBonus[c] = (1.5f * ColumnShare[c]) + (FollowsColumn[c] || DeclaredColumn[c] ? 0.5f : 0f);
        }
        IsEmpty = totalWeight == 0 && interests.IsEmpty;
    }
}
