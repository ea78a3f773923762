namespace NewsPush.Recommender.Features;

/// <summary>
/// Item-to-item co-clicks: how often a reader clicked article <c>a</c> while article <c>h</c> was
/// among their <see cref="Window"/> most recent reads, and the counts to normalize it
/// (co(a, h) / √(clicks(a) · appearances(h)), the Ochiai coefficient). It needs no text, so it
/// ranks articles that have no metadata (MIND ids missing from news.tsv) by what their readers read.
/// Fed in time order while training (no look-ahead); frozen and read concurrently when serving.
/// </summary>
public sealed class CoClickTable(int articleCount)
{
    /// <summary>Reads paired with each click (and the reader-side history used to score a candidate).</summary>
    public const int Window = 10;

    // long.GetHashCode is high ^ low 32 bits: for pairs of article indexes that is a ^ h, a few
    // thousand distinct codes for hundreds of thousands of pairs (chains of dozens per lookup).
    private readonly Dictionary<long, float> pairs = new(MixedKey.Instance);
    private readonly float[] clicks = new float[articleCount];
    private readonly float[] appearances = new float[articleCount];

    public int PairCount => pairs.Count;

    /// <summary>Records a click on <paramref name="clicked"/> by a reader whose recent reads are <paramref name="recent"/> (most recent first).</summary>
    public void AddClick(int clicked, ReadOnlySpan<int> recent)
    {
        var n = Math.Min(Window, recent.Length);
        if (n == 0)
        {
            return;
        }
        clicks[clicked]++;
        for (var i = 0; i < n; i++)
        {
            var h = recent[i];
            if (h == clicked)
            {
                continue;
            }
            appearances[h]++;
            var key = Key(clicked, h);
            pairs[key] = pairs.GetValueOrDefault(key) + 1;
        }
    }

    /// <summary>
    /// Pairs within a reader's history list (MIND's clicks before the period): each read with the
    /// <see cref="Window"/> reads before it, as if they had been clicked one after the other.
    /// </summary>
    public void AddHistory(IReadOnlyList<int> history)
    {
        Span<int> recent = stackalloc int[Window];
        for (var i = 1; i < history.Count; i++)
        {
            var n = 0;
            for (var j = i - 1; j >= 0 && n < Window; j--)
            {
                recent[n++] = history[j];
            }
            AddClick(history[i], recent[..n]);
        }
    }

    /// <summary>Σ over the reader's recent reads h of co(a, h) / √(clicks(a) · appearances(h)).</summary>
    public float Score(int article, ReadOnlySpan<int> recent)
    {
        var c = clicks[article];
        if (c == 0)
        {
            return 0;
        }
        var sum = 0f;
        foreach (var h in recent)
        {
            if (pairs.TryGetValue(Key(article, h), out var co))
            {
                sum += co / MathF.Sqrt(c * appearances[h]);
            }
        }
        return sum;
    }

    private static long Key(int clicked, int read) => ((long)clicked << 32) | (uint)read;

    private sealed class MixedKey : IEqualityComparer<long>
    {
        public static readonly MixedKey Instance = new();

        public bool Equals(long x, long y) => x == y;

        public int GetHashCode(long key)
        {
            var h = (ulong)key * 0x9E3779B97F4A7C15UL;
            return (int)(h >> 32) ^ (int)h;
        }
    }
}
