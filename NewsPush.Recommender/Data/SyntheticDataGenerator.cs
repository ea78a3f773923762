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

    /// <summary>Share of articles whose text, column and tags the dataset keeps (the others are known only by id, as in partial MIND news.tsv files).</summary>
    public double MetadataShare { get; init; } = 1.0;

    /// <summary>Subcategories per topic (0: none). Interests then live on subcategories; an article's one tag is its subcategory.</summary>
    public int Subcategories { get; init; }

    /// <summary>By the end of the period a reader's interests are this share a second, independent draw (linear drift).</summary>
    public double DriftShare { get; init; }

    /// <summary>Spread (log scale) of the per-topic freshness decay around <see cref="AgePenaltyPerDay"/>; 0: the same everywhere.</summary>
    public double FreshnessSpread { get; init; }

    /// <summary>Standard deviation of a per-reader click propensity added to the logit.</summary>
    public double PropensitySigma { get; init; }

    /// <summary>Variant (a) of docs/recommender.md: text, column and tags for only 20 % of the articles.</summary>
    public static SyntheticOptions SparseMetadata { get; } = new() { MetadataShare = 0.2 };

    /// <summary>
    /// Variant (b) of docs/recommender.md: interests on subcategories nested in categories, drifting 30 %
    /// of the way to a new draw over the period, a hidden quality that drives both what lists show and
    /// clicks, freshness decaying at a rate per category, a click propensity per reader, histories of 25 reads on average (MIND-like); no noise and
    /// no position bias, so the recorded click probabilities are exactly the ones clicks were drawn with.
    /// </summary>
    public static SyntheticOptions NestedDrift { get; } = new()
    {
        Subcategories = 4, DriftShare = 0.3, FreshnessSpread = 0.6, PropensitySigma = 0.8, QualityWeight = 0.8,
        InterestWeight = 8, Bias = -3.0, NoiseSigma = 0, PositionBiasExponent = 0, PriorHistoryMean = 25,
    };
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
        DateTime Start)
    {
        /// <summary>Per impression id, the probability each shown item was clicked with (position by position).</summary>
        public IReadOnlyDictionary<string, double[]> TrueProbabilities { get; init; } = new Dictionary<string, double[]>();

        /// <summary>Every article with its metadata, including those <see cref="Dataset"/> knows only by id.</summary>
        public IReadOnlyList<ArticleInfo> AllArticles { get; init; } = [];

        /// <summary>The true probability of an impression's item, for <c>EvaluationOptions.TrueProbability</c>.</summary>
        public double TrueProbability(ImpressionRecord impression, int position) => TrueProbabilities[impression.ImpressionId][position];
    }

    public World Generate()
    {
        var o = Options;
        var rng = new Random(o.Seed);
        // The variants' draws come from a second generator, so the default world stays what it was.
        var variant = new Random((o.Seed * 7919) + 1);
        var start = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var vocab = BuildVocabulary(rng, o.Topics, 60);
        var common = BuildVocabulary(rng, 1, 150)[0];
        var subs = Math.Max(1, o.Subcategories);
        var subVocab = o.Subcategories > 0 ? BuildVocabulary(variant, o.Topics * subs, 30) : null;
        var subOf = new int[o.Articles];
        var topicDecay = Enumerable.Range(0, o.Topics).Select(_ => o.AgePenaltyPerDay * Math.Exp(o.FreshnessSpread * (o.FreshnessSpread > 0 ? Gaussian(variant) : 0))).ToArray();

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
            if (subVocab is not null)
            {
                var sub = variant.Next(subs);
                subOf[i] = sub;
                var own = subVocab[(topic * subs) + sub];
                articles.Add(new ArticleInfo(i + 1, Sentence(rng, own, vocab[topic], vocab[secondary], common, 8), Sentence(rng, own, vocab[topic], vocab[secondary], common, 20),
                    Sentence(rng, own, vocab[topic], vocab[secondary], common, 60), topic + 1, ColumnName(topic), [$"{ColumnName(topic).ToLowerInvariant()}-{sub}"], publishedAt));
                continue;
            }
            var tags = Enumerable.Range(0, 1 + rng.Next(3)).Select(_ => $"{ColumnName(topic).ToLowerInvariant()}-{rng.Next(6)}").Distinct().ToList();
            articles.Add(new ArticleInfo(i + 1, Sentence(rng, vocab[topic], vocab[secondary], common, 8), Sentence(rng, vocab[topic], vocab[secondary], common, 20),
                Sentence(rng, vocab[topic], vocab[secondary], common, 60), topic + 1, ColumnName(topic), tags, publishedAt));
        }
        var byTopic = Enumerable.Range(0, o.Topics).Select(t => Enumerable.Range(0, o.Articles).Where(i => topics[i] == t).ToArray()).ToArray();
        var bySub = Enumerable.Range(0, o.Topics * subs).Select(k => Enumerable.Range(0, o.Articles).Where(i => (topics[i] * subs) + subOf[i] == k).ToArray()).ToArray();
        var truth = new Dictionary<string, double[]>();

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
            // Nested: interest in a subcategory is the topic's interest times the subcategory's share of it.
            var subInterest = o.Subcategories > 0 ? NestedInterest(variant, interest, subs) : null;
            var drifted = o.Subcategories > 0 && o.DriftShare > 0 ? NestedInterest(variant, SparseInterest(variant, o.Topics), subs) : null;
            var propensity = o.PropensitySigma > 0 ? o.PropensitySigma * Gaussian(variant) : 0;
            var top = Enumerable.Range(0, o.Topics).OrderByDescending(t => interest[t]).ToArray();
            var declared = rng.NextDouble() < o.DeclareProbability ? new[] { top[0] + 1 } : [];
            var followed = rng.NextDouble() < o.FollowProbability ? new[] { top[rng.Next(2)] + 1 } : [];
            interests[id] = new ReaderInterests(followed, [], declared, []);

            // Prior history: clicks on older articles drawn by interest.
            var history = new List<int>();
            var prior = Poisson(rng, o.PriorHistoryMean);
            for (var h = 0; h < prior; h++)
            {
                var pool = subInterest is not null ? bySub[SampleTopic(rng, subInterest)] : byTopic[SampleTopic(rng, interest)];
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
                var probabilities = new double[shown.Count];
                var drift = drifted is null ? 0 : o.DriftShare * (at - start).TotalDays / o.Days;
                for (var p = 0; p < shown.Count; p++)
                {
                    var a = shown[p];
                    var k = (topics[a] * subs) + subOf[a];
                    var affinity = subInterest is null ? interest[topics[a]] : ((1 - drift) * subInterest[k]) + (drift * (drifted?[k] ?? 0));
                    var age = (at - published[a]).TotalDays;
                    var decay = o.FreshnessSpread > 0 ? topicDecay[topics[a]] : o.AgePenaltyPerDay;
                    var logit = o.Bias + propensity + (o.InterestWeight * affinity) + (o.QualityWeight * quality[a]) - (decay * age) + (o.NoiseSigma > 0 ? o.NoiseSigma * Gaussian(rng) : 0);
                    var examine = 1 / Math.Pow(1 + p, o.PositionBiasExponent);
                    probabilities[p] = examine / (1 + Math.Exp(-logit));
                    var clicked = rng.NextDouble() < probabilities[p];
                    items.Add(new ImpressionItem(a + 1, clicked));
                }
                truth[$"{id}-{impressions.Count}"] = probabilities;
                impressions.Add(new ImpressionRecord($"{id}-{impressions.Count}", id, at, history.ToArray(), items));
                history.AddRange(items.Where(i => i.Clicked).Select(i => i.ArticleId));
            }
        }
        impressions.Sort((a, b) => a.Time.CompareTo(b.Time));
        var described = articles;
        if (o.MetadataShare < 1)
        {
            // Partial metadata: the dataset describes a seeded share of the articles; impressions and
            // histories still name all of them.
            described = articles.Where(_ => variant.NextDouble() < o.MetadataShare).ToList();
        }
        return new World(new RecommenderDataset(described, impressions, interests), topics, quality, latent, start)
        {
            TrueProbabilities = truth, AllArticles = articles,
        };
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

    /// <summary>Words of a nested article: 30 % its subcategory, 25 % its topic, 15 % a secondary topic, 30 % common.</summary>
    private static string Sentence(Random rng, string[] sub, string[] topic, string[] secondary, string[] common, int words)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < words; i++)
        {
            var x = rng.NextDouble();
            var pool = x < 0.3 ? sub : x < 0.55 ? topic : x < 0.7 ? secondary : common;
            sb.Append(pool[rng.Next(pool.Length)]).Append(' ');
        }
        return sb.ToString().TrimEnd();
    }

    /// <summary>Interest per (topic, subcategory): the topic's share split over its subcategories, one or two of them strong.</summary>
    private static double[] NestedInterest(Random rng, double[] topicInterest, int subs)
    {
        var v = new double[topicInterest.Length * subs];
        for (var t = 0; t < topicInterest.Length; t++)
        {
            var share = new double[subs];
            for (var s = 0; s < subs; s++)
            {
                share[s] = 0.05;
            }
            var strong = 1 + rng.Next(2);
            for (var s = 0; s < strong; s++)
            {
                share[rng.Next(subs)] += 0.5 + rng.NextDouble();
            }
            var sum = share.Sum();
            for (var s = 0; s < subs; s++)
            {
                v[(t * subs) + s] = topicInterest[t] * share[s] / sum;
            }
        }
        return v;
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
