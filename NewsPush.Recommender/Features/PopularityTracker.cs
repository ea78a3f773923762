namespace NewsPush.Recommender.Features;

/// <summary>
/// Exponentially decayed click and impression counts per article (half-life
/// <see cref="HalfLife"/>), read "as of" a time. Feeding events in time order and reading before
/// adding an impression's own clicks keeps training features free of look-ahead.
/// </summary>
public sealed class PopularityTracker(int articleCount, TimeSpan halfLife)
{
    private readonly double[] clicks = new double[articleCount];
    private readonly double[] impressions = new double[articleCount];
    private readonly long[] lastTicks = new long[articleCount];
    private readonly double lambdaPerTick = Math.Log(2) / halfLife.Ticks;

    public TimeSpan HalfLife { get; } = halfLife;

    public void Add(int article, DateTime at, bool clicked)
    {
        Decay(article, at.Ticks);
        impressions[article] += 1;
        if (clicked)
        {
            clicks[article] += 1;
        }
    }

    public void AddClick(int article, DateTime at)
    {
        Decay(article, at.Ticks);
        clicks[article] += 1;
    }

    public double ClicksAt(int article, DateTime at) => clicks[article] * Factor(article, at.Ticks);

    public double ImpressionsAt(int article, DateTime at) => impressions[article] * Factor(article, at.Ticks);

    /// <summary>Decayed clicks and impressions of every article as of <paramref name="at"/>.</summary>
    public ArticleStats Snapshot(DateTime at)
    {
        var c = new float[clicks.Length];
        var i = new float[clicks.Length];
        for (var a = 0; a < c.Length; a++)
        {
            var f = Factor(a, at.Ticks);
            c[a] = (float)(clicks[a] * f);
            i[a] = (float)(impressions[a] * f);
        }
        return new ArticleStats(c, i);
    }

    private double Factor(int article, long ticks) => ticks <= lastTicks[article] ? 1 : Math.Exp(-lambdaPerTick * (ticks - lastTicks[article]));

    private void Decay(int article, long ticks)
    {
        if (ticks > lastTicks[article])
        {
            var f = Math.Exp(-lambdaPerTick * (ticks - lastTicks[article]));
            clicks[article] *= f;
            impressions[article] *= f;
            lastTicks[article] = ticks;
        }
    }
}

/// <summary>
/// Decayed clicks and impressions per article index, frozen at one moment, with the behaviour that
/// <see cref="BehaviourTracker"/> adds (site-wide click-through rate, per-column click age, co-clicks).
/// </summary>
public sealed record ArticleStats(float[] Clicks, float[] Impressions)
{
    public static ArticleStats Empty(int count) => new(new float[count], new float[count]);

    /// <summary>Clicks per shown item, the prior of every smoothed rate.</summary>
    public float GlobalCtr { get; init; } = 0.05f;

    /// <summary>Per column index: mean log(1 + age in hours) of its articles when clicked; null = unknown.</summary>
    public float[]? ColumnLogClickAge { get; init; }

    public CoClickTable? CoClicks { get; init; }

    /// <summary>Clicks and impressions per article over the whole replayed log, not decayed; null = use the decayed ones.</summary>
    public float[]? TotalClicks { get; init; }

    public float[]? TotalShown { get; init; }
}
