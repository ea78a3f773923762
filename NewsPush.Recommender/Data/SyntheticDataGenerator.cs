using System.Text;

namespace NewsPush.Recommender.Data;

/// <summary>Knobs of the synthetic world; every figure in docs/recommender.md comes from these defaults.</summary>
public sealed record SyntheticOptions
{
    public int Seed { get; init; } = 7;
    public int Readers { get; init; } = 1500;
    public int Articles { get; init; } = 1200;
    public int Topics { get; init; } = 10;
    public int Days { get; init; } = 14;
    public int ImpressionsPerReader { get; init; } = 8;
    public int ItemsPerImpression { get; init; } = 15;
    /// <summary>Articles are shown for this long after publication.</summary>
    public double ShelfLifeDays { get; init; } = 3;
    /// <summary>Clicks before the simulated period (the MIND "history"), Poisson mean.</summary>
    public double PriorHistoryMean { get; init; } = 6;
    /// <summary>Share of readers who declared interests at onboarding / follow a column.</summary>
    public double DeclareProbability { get; init; } = 0.4;
    public double FollowProbability { get; init; } = 0.3;
    public double InterestWeight { get; init; } = 5.0;
    public double QualityWeight { get; init; } = 0.7;
    public double AgePenaltyPerDay { get; init; } = 0.6;
    public double Bias { get; init; } = -3.2;
    public double PositionBiasExponent { get; init; } = 0.6;
    public double NoiseSigma { get; init; } = 0.5;
}

/// <summary>
/// A seeded, reproducible world of readers, articles and impressions for tests and benchmarks.
/// Assumptions (see docs/recommender.md): each topic is a column with its own vocabulary and tags;
/// readers have sparse latent interests over topics (a few strong ones); article appeal is latent
/// quality plus freshness; lists mix uniform and popularity-weighted picks of recent articles; a
/// reader examines position p with probability 1/(1+p)^γ (position bias) and clicks an examined item
/// with probability σ(bias + w·interest·topic + q·quality − a·ageDays + noise).
/// </summary>
public sealed class SyntheticDataGenerator(SyntheticOptions options)
{
    private static readonly string[] ColumnNames = ["World", "Sports", "Tech", "Business", "Culture", "Science", "Health", "Travel", "Politics", "Food", "Autos", "Games"];
    private static readonly string[] Syllables = ["ka", "lo", "mi", "ne", "ru", "ta", "vo", "zi", "pe", "do", "sa", "fi", "gu", "ha", "ji", "ko", "la", "mu", "no", "ri"];

    public SyntheticOptions Options { get; } = options;

    /// <summary>Latent per-article topic and quality (exposed for tests and the bench).</summary>
    public sealed record World(
        RecommenderDataset Dataset,
        IReadOnlyList<int> ArticleTopic,
        IReadOnlyList<double> ArticleQuality,
        IReadOnlyDictionary<string, double[]> ReaderInterest,
        DateTime Start);

    public World Generate()
    {
        var o = Options;
        var rng = new Random(o.Seed);
        var start = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var vocab = BuildVocabulary(rng, o.Topics, 60);
        var common = BuildVocabulary(rng, 1, 150)[0];

        var articles = new List<ArticleInfo>(o.Articles);
        var topics = new int[o.Articles];
        var quality = new double[o.Articles];
        // Articles published from ShelfLifeDays before the start until the end.
        for (var i = 0; i < o.Articles; i++)
        {
            var topic = rng.Next(o.Topics);
            var secondary = rng.Next(o.Topics);
            topics[i] = topic;
            quality[i] = Gaussian(rng);
            var publishedAt = start.AddDays(-o.ShelfLifeDays + (rng.NextDouble() * (o.Days + o.ShelfLifeDays)));
            var tags = Enumerable.Range(0, 1 + rng.Next(3)).Select(_ => $"{ColumnName(topic).ToLowerInvariant()}-{rng.Next(6)}").Distinct().ToList();
            articles.Add(new ArticleInfo(i + 1, Sentence(rng, vocab[topic], vocab[secondary], common, 8), Sentence(rng, vocab[topic], vocab[secondary], common, 20),
                Sentence(rng, vocab[topic], vocab[secondary], common, 60), topic + 1, ColumnName(topic), tags, publishedAt));
        }
        var byTopic = Enumerable.Range(0, o.Topics).Select(t => Enumerable.Range(0, o.Articles).Where(i => topics[i] == t).ToArray()).ToArray();

        var interests = new Dictionary<string, ReaderInterests>();
        var latent = new Dictionary<string, double[]>();
        var impressions = new List<ImpressionRecord>();
        var published = articles.Select(a => a.PublishedAt).ToArray();
        var order = Enumerable.Range(0, o.Articles).OrderBy(i => published[i]).ToArray();
        var weights = quality.Select(q => Math.Exp(q)).ToArray();
        for (var r = 0; r < o.Readers; r++)
        {
            var id = $"r{r + 1}";
            var interest = SparseInterest(rng, o.Topics);
            latent[id] = interest;
            var top = Enumerable.Range(0, o.Topics).OrderByDescending(t => interest[t]).ToArray();
            var declared = rng.NextDouble() < o.DeclareProbability ? new[] { top[0] + 1 } : [];
            var followed = rng.NextDouble() < o.FollowProbability ? new[] { top[rng.Next(2)] + 1 } : [];
            interests[id] = new ReaderInterests(followed, [], declared, []);

            // Prior history: clicks on older articles drawn by interest.
            var history = new List<int>();
            var prior = Poisson(rng, o.PriorHistoryMean);
            for (var h = 0; h < prior; h++)
            {
                var pool = byTopic[SampleTopic(rng, interest)];
                if (pool.Length > 0)
                {
                    history.Add(pool[rng.Next(pool.Length)] + 1);
                }
            }
            var times = Enumerable.Range(0, o.ImpressionsPerReader).Select(_ => start.AddDays(rng.NextDouble() * o.Days)).Order().ToList();
            foreach (var at in times)
            {
                var shown = PickShown(rng, order, published, weights, at, o, history);
                if (shown.Count == 0)
                {
                    continue;
                }
                var items = new List<ImpressionItem>(shown.Count);
                for (var p = 0; p < shown.Count; p++)
                {
                    var a = shown[p];
                    var affinity = interest[topics[a]];
                    var age = (at - published[a]).TotalDays;
                    var logit = o.Bias + (o.InterestWeight * affinity) + (o.QualityWeight * quality[a]) - (o.AgePenaltyPerDay * age) + (o.NoiseSigma * Gaussian(rng));
                    var examine = 1 / Math.Pow(1 + p, o.PositionBiasExponent);
                    var clicked = rng.NextDouble() < examine / (1 + Math.Exp(-logit));
                    items.Add(new ImpressionItem(a + 1, clicked));
                }
                impressions.Add(new ImpressionRecord($"{id}-{impressions.Count}", id, at, history.ToArray(), items));
                history.AddRange(items.Where(i => i.Clicked).Select(i => i.ArticleId));
            }
        }
        impressions.Sort((a, b) => a.Time.CompareTo(b.Time));
        return new World(new RecommenderDataset(articles, impressions, interests), topics, quality, latent, start);
    }

    /// <summary>
    /// Many readers with histories only (no impressions), for bulk-scoring benchmarks; fast enough
    /// for a million readers.
    /// </summary>
    public static IReadOnlyList<ReaderProfile> GenerateReaders(World world, int count, int seed, int historyMean = 12)
    {
        var topics = world.ArticleTopic;
        var topicCount = topics.Max() + 1;
        var byTopic = Enumerable.Range(0, topicCount).Select(t => Enumerable.Range(0, topics.Count).Where(i => topics[i] == t).ToArray()).ToArray();
        var readers = new ReaderProfile[count];
        Parallel.For(0, (count + 9999) / 10000, chunk =>
        {
            var rng = new Random(seed + chunk);
            for (var r = chunk * 10000; r < Math.Min(count, (chunk + 1) * 10000); r++)
            {
                var interest = SparseInterest(rng, topicCount);
                var n = Poisson(rng, historyMean);
                var history = new int[n];
                for (var h = 0; h < n; h++)
                {
                    var pool = byTopic[SampleTopic(rng, interest)];
                    history[h] = pool.Length == 0 ? 1 : pool[rng.Next(pool.Length)] + 1;
                }
                var declared = rng.NextDouble() < 0.3 ? new[] { Array.IndexOf(interest, interest.Max()) + 1 } : [];
                readers[r] = new ReaderProfile($"b{r}", history, new ReaderInterests([], [], declared, []));
            }
        });
        return readers;
    }

    private static List<int> PickShown(Random rng, int[] order, DateTime[] published, double[] weights, DateTime at, SyntheticOptions o, List<int> history)
    {
        // Articles on the shelf at `at`: published within ShelfLifeDays before it; like a real feed,
        // nothing the reader already read is shown again.
        var from = at.AddDays(-o.ShelfLifeDays);
        var shelf = order.Where(i => published[i] <= at && published[i] >= from && !history.Contains(i + 1)).ToArray();
        if (shelf.Length == 0)
        {
            return [];
        }
        var total = shelf.Sum(i => weights[i]);
        var shown = new List<int>(o.ItemsPerImpression);
        for (var tries = 0; shown.Count < Math.Min(o.ItemsPerImpression, shelf.Length) && tries < 10 * o.ItemsPerImpression; tries++)
        {
            int pick;
            if (rng.NextDouble() < 0.5)
            {
                pick = shelf[rng.Next(shelf.Length)];
            }
            else
            {
                var x = rng.NextDouble() * total;
                pick = shelf[^1];
                foreach (var i in shelf)
                {
                    x -= weights[i];
                    if (x <= 0)
                    {
                        pick = i;
                        break;
                    }
                }
            }
            if (!shown.Contains(pick))
            {
                shown.Add(pick);
            }
        }
        return shown;
    }

    private static string ColumnName(int topic) => topic < ColumnNames.Length ? ColumnNames[topic] : $"Topic{topic}";

    private static string[][] BuildVocabulary(Random rng, int topics, int size)
    {
        var used = new HashSet<string>();
        var result = new string[topics][];
        for (var t = 0; t < topics; t++)
        {
            var words = new List<string>();
            while (words.Count < size)
            {
                var sb = new StringBuilder();
                var syllables = 2 + rng.Next(2);
                for (var s = 0; s < syllables; s++)
                {
                    sb.Append(Syllables[rng.Next(Syllables.Length)]);
                }
                if (used.Add(sb.ToString()))
                {
                    words.Add(sb.ToString());
                }
            }
            result[t] = [.. words];
        }
        return result;
    }

    private static string Sentence(Random rng, string[] topic, string[] secondary, string[] common, int words)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < words; i++)
        {
            var x = rng.NextDouble();
            var pool = x < 0.55 ? topic : x < 0.7 ? secondary : common;
            sb.Append(pool[rng.Next(pool.Length)]).Append(' ');
        }
        return sb.ToString().TrimEnd();
    }

    /// <summary>1–3 strong topics plus a little of everything, summing to 1.</summary>
    private static double[] SparseInterest(Random rng, int topics)
    {
        var v = new double[topics];
        for (var t = 0; t < topics; t++)
        {
            v[t] = 0.02;
        }
        var strong = 1 + rng.Next(3);
        for (var s = 0; s < strong; s++)
        {
            v[rng.Next(topics)] += 0.5 + rng.NextDouble();
        }
        var sum = v.Sum();
        for (var t = 0; t < topics; t++)
        {
            v[t] /= sum;
        }
        return v;
    }

    private static int SampleTopic(Random rng, double[] interest)
    {
        var x = rng.NextDouble();
        for (var t = 0; t < interest.Length; t++)
        {
            x -= interest[t];
            if (x <= 0)
            {
                return t;
            }
        }
        return interest.Length - 1;
    }

    private static double Gaussian(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    private static int Poisson(Random rng, double mean)
    {
        var l = Math.Exp(-mean);
        var k = 0;
        var p = 1.0;
        do
        {
            k++;
            p *= rng.NextDouble();
        }
        while (p > l);
        return k - 1;
    }
}
