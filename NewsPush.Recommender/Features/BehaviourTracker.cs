namespace NewsPush.Recommender.Features;

/// <summary>
/// Everything the recommender learns from behaviour alone, fed in time order: decayed clicks and
/// impressions per article (<see cref="PopularityTracker"/>), the site-wide click-through rate (the
/// prior that smooths each article's and each reader's rate), the typical age at which each column's
/// articles are clicked (freshness per column), and item-to-item co-clicks. None of it needs text.
/// </summary>
public sealed class BehaviourTracker
{
    private readonly ArticleIndex index;
    private readonly double[] columnLogAgeSum;
    private readonly double[] columnClickCount;
    private readonly float[] totalClicks;
    private readonly float[] totalShown;
    private double shown;
    private double clicked;

    public BehaviourTracker(ArticleIndex index, TimeSpan halfLife)
    {
        this.index = index;
        Popularity = new PopularityTracker(index.Count, halfLife);
        CoClicks = new CoClickTable(index.Count);
        columnLogAgeSum = new double[index.ColumnCount];
        columnClickCount = new double[index.ColumnCount];
        totalClicks = new float[index.Count];
        totalShown = new float[index.Count];
    }

    /// <summary>Clicks on the article so far, not decayed: with <see cref="TotalShown"/>, its lasting appeal (quality).</summary>
    public float TotalClicks(int article) => totalClicks[article];

    public float TotalShown(int article) => totalShown[article];

    public PopularityTracker Popularity { get; }
    public CoClickTable CoClicks { get; }

    /// <summary>Clicks per shown item so far (0.05 before anything was shown).</summary>
    public float GlobalCtr => shown < 20 ? 0.05f : (float)(clicked / shown);

    public void AddImpression(int article, DateTime at, bool wasClicked)
    {
        Popularity.Add(article, at, wasClicked);
        shown++;
        totalShown[article]++;
        if (wasClicked)
        {
            clicked++;
            totalClicks[article]++;
            AddClickAge(article, at);
        }
    }

    /// <summary>A click logged apart from its impression (the site's log; a read from a digest or a link).</summary>
    public void AddClick(int article, DateTime at)
    {
        Popularity.AddClick(article, at);
        clicked++;
        totalClicks[article]++;
        AddClickAge(article, at);
    }

    /// <summary>Mean log(1 + age in hours) at which the column's articles were clicked (0 with no clicks).</summary>
    public float ColumnLogClickAge(int column) =>
        columnClickCount[column] == 0 ? 0 : (float)(columnLogAgeSum[column] / columnClickCount[column]);

    public ArticleStats Snapshot(DateTime at)
    {
        var s = Popularity.Snapshot(at);
        var ages = new float[index.ColumnCount];
        for (var c = 0; c < ages.Length; c++)
        {
            ages[c] = ColumnLogClickAge(c);
        }
        return s with { GlobalCtr = GlobalCtr, ColumnLogClickAge = ages, CoClicks = CoClicks, TotalClicks = (float[])totalClicks.Clone(), TotalShown = (float[])totalShown.Clone() };
    }

    private void AddClickAge(int article, DateTime at)
    {
        var column = index.ColumnOf[article];
        columnLogAgeSum[column] += FeatureBuilder.AgeFeature(index.PublishedTicks[article], at.Ticks);
        columnClickCount[column]++;
    }
}
