using System.Diagnostics;
using NewsPush.Recommender.Features;
using NewsPush.Recommender.Ranking;
using NewsPush.Recommender.Text;

namespace NewsPush.Recommender.Evaluation;

public sealed record EvaluationOptions
{
    /// <summary>Share of impressions (oldest first) used for training when one dataset is split by time.</summary>
    public double TrainFraction { get; init; } = 0.8;
    public TrainerKind Trainer { get; init; } = TrainerKind.LightGbmBinary;
    public TreeSettings Trees { get; init; } = new();
    public int Seed { get; init; } = 42;
    public int Dimensions { get; init; } = TextVectorizer.DefaultDimensions;
    public IProgress<string>? Progress { get; init; }

    /// <summary>Feature indexes held at 0 in training and test (the ablation table in docs/recommender.md).</summary>
    public IReadOnlySet<int>? DisabledFeatures { get; init; }

    /// <summary>
    /// The true click probability of the item at a position of an impression, when the data knows it
    /// (synthetic worlds): reported as the <see cref="Evaluator.TrueProbabilityName"/> row.
    /// </summary>
    public Func<ImpressionRecord, int, double>? TrueProbability { get; init; }
}

/// <summary>
/// What the evaluation scored, of everything it was given. Items whose article has no metadata
/// (MIND ids missing from news.tsv, articles outside the loaded window) are scored from behaviour,
/// so every item of every test impression is scored; training skips only items the reader had
/// already read (they are never candidates when serving), and says how many.
/// </summary>
public sealed record EvaluationCoverage(
    int TestImpressions,
    int TestImpressionsScored,
    int TestItems,
    int TestItemsScored,
    int TestItemsWithoutMetadata,
    int TrainItems,
    int TrainingRows,
    int TrainItemsAlreadyRead,
    int ArticlesWithoutMetadata)
{
    public double ImpressionShare => TestImpressions == 0 ? 1 : (double)TestImpressionsScored / TestImpressions;

    public double ItemShare => TestItems == 0 ? 1 : (double)TestItemsScored / TestItems;

    public string ToLine() => FormattableString.Invariant(
        $"Coverage: test impressions scored {TestImpressionsScored} of {TestImpressions} ({100 * ImpressionShare:F1} %), items scored {TestItemsScored} of {TestItems} ({100 * ItemShare:F1} %; {TestItemsWithoutMetadata} without metadata, ranked from behaviour); training rows {TrainingRows} of {TrainItems} shown items ({TrainItemsAlreadyRead} already read by the reader, never candidates); {ArticlesWithoutMetadata} articles known only by id.");
}

/// <summary>The metric table: the model and the random, popularity and recency baselines.</summary>
public sealed record EvaluationReport(
    string Trainer,
    MetricRow Model,
    IReadOnlyList<MetricRow> Baselines,
    int TrainImpressions,
    int TestImpressions,
    int TrainingExamples,
    double TrainingSeconds,
    double TotalSeconds,
    EvaluationCoverage? Coverage = null)
{
    public IEnumerable<MetricRow> Rows => Baselines.Prepend(Model);

    public MetricRow Popularity => Baselines.Single(b => b.Name == Evaluator.PopularityName);

    /// <summary>The activation rule: better than popularity on both AUC and nDCG@10.</summary>
    public bool BeatsPopularity => Model.Auc > Popularity.Auc && Model.Ndcg10 > Popularity.Ndcg10;

    public string ToTable()
    {
        var lines = new List<string>
        {
            "| Scorer | AUC | MRR | nDCG@5 | nDCG@10 |",
            "|---|---:|---:|---:|---:|",
        };
        lines.AddRange(Rows.Select(r => FormattableString.Invariant($"| {r.Name} | {r.Auc:F4} | {r.Mrr:F4} | {r.Ndcg5:F4} | {r.Ndcg10:F4} |")));
        lines.Add(FormattableString.Invariant(
            $"Train impressions {TrainImpressions}, test impressions {TestImpressions} (AUC over {Model.AucImpressions}, ranking metrics over {Model.RankImpressions}), training rows {TrainingExamples}, training {TrainingSeconds:F1} s, total {TotalSeconds:F1} s."));
        if (Coverage is not null)
        {
            lines.Add(Coverage.ToLine());
        }
        return string.Join(Environment.NewLine, lines);
    }
}

/// <summary>An evaluation plus the model it trained (so it can be stored as a version).</summary>
public sealed record EvaluationResult(EvaluationReport Report, TrainedModel Trained, RankingModel Model);

/// <summary>
/// Offline evaluation like MIND: walk impressions in time order, build features as of each
/// impression (popularity only from earlier clicks), train on the earlier part, score the later part,
/// and report per-impression AUC/MRR/nDCG for the model and the baselines.
/// </summary>
public static class Evaluator
{
    public const string ModelName = "model";
    public const string RandomName = "random";
    public const string PopularityName = "popularity";
    public const string RecencyName = "recency";
    public const string TrueProbabilityName = "true probability";

    /// <summary>Column of articles known only by id (no metadata).</summary>
    public const int NoMetadataColumnId = int.MinValue;
    public const string NoMetadataColumnName = "(no metadata)";
    public static readonly TimeSpan PopularityHalfLife = TimeSpan.FromHours(24);

    /// <summary>Splits by impression time: the oldest <paramref name="trainFraction"/> trains, the rest tests.</summary>
    public static (RecommenderDataset Train, RecommenderDataset Test) SplitByTime(RecommenderDataset dataset, double trainFraction)
    {
        var ordered = dataset.Impressions.OrderBy(i => i.Time).ToList();
        var cut = (int)Math.Round(ordered.Count * trainFraction);
        return (dataset with { Impressions = ordered[..cut] }, dataset with { Impressions = ordered[cut..] });
    }

    public static EvaluationResult Evaluate(RecommenderDataset dataset, EvaluationOptions options)
    {
        var (train, test) = SplitByTime(dataset, options.TrainFraction);
        return Evaluate(train, test, options);
    }

    /// <summary>
    /// The articles of both sets, plus an article without text, column or tags for every id that
    /// impressions or histories mention but no metadata describes (published when first shown).
    /// </summary>
    public static (List<ArticleInfo> Articles, int WithoutMetadata) ArticlesWithStubs(RecommenderDataset train, RecommenderDataset test)
    {
        var articles = train.Articles.Concat(test.Articles).DistinctBy(a => a.Id).ToList();
        var known = articles.Select(a => a.Id).ToHashSet();
        var firstShown = new Dictionary<int, DateTime>();
        var historyOnly = new HashSet<int>();
        var earliest = DateTime.MaxValue;
        foreach (var impression in train.Impressions.Concat(test.Impressions))
        {
            earliest = impression.Time < earliest ? impression.Time : earliest;
            foreach (var item in impression.Items)
            {
                if (!known.Contains(item.ArticleId) && (!firstShown.TryGetValue(item.ArticleId, out var at) || impression.Time < at))
                {
                    firstShown[item.ArticleId] = impression.Time;
                }
            }
            foreach (var h in impression.History)
            {
                if (!known.Contains(h))
                {
                    historyOnly.Add(h);
                }
            }
        }
        historyOnly.ExceptWith(firstShown.Keys);
        var before = earliest == DateTime.MaxValue ? DateTime.UnixEpoch : earliest.AddDays(-7);
        var stubs = firstShown.Select(kv => (Id: kv.Key, At: kv.Value)).Concat(historyOnly.Select(id => (Id: id, At: before)))
            .OrderBy(x => x.Id)
            .Select(x => new ArticleInfo(x.Id, "", "", "", NoMetadataColumnId, NoMetadataColumnName, [], x.At)).ToList();
        articles.AddRange(stubs);
        return (articles, stubs.Count);
    }

    public static EvaluationResult Evaluate(RecommenderDataset train, RecommenderDataset test, EvaluationOptions options)
    {
        var total = Stopwatch.StartNew();
        var (articles, withoutMetadata) = ArticlesWithStubs(train, test);
        options.Progress?.Report($"Vectorizing {articles.Count - withoutMetadata} articles ({withoutMetadata} more known only by id)…");
        var vectorizer = TextVectorizer.Fit(articles.Where(a => a.ColumnId != NoMetadataColumnId), options.Dimensions);
        var index = new ArticleIndex(articles, vectorizer);
        var behaviour = new BehaviourTracker(index, PopularityHalfLife);
        var tracker = behaviour.Popularity;
        var trainingSet = new TrainingSet();
        var testSet = new TrainingSet();
        var testImpressionEnds = new List<int>();
        var popularity = new List<double>();
        var recency = new List<double>();
        var random = new List<double>();
        var truth = new List<double>();
        var rng = new Random(options.Seed);
        var activity = new Dictionary<string, ReaderActivity>();
        var disabled = options.DisabledFeatures?.ToArray() ?? [];
        int testItems = 0, testItemsWithoutText = 0, testScored = 0, trainItems = 0, alreadyRead = 0;

        var events = train.Impressions.Select(i => (Impression: i, IsTest: false))
            .Concat(test.Impressions.Select(i => (Impression: i, IsTest: true)))
            .OrderBy(e => e.Impression.Time).ToList();
        var reader = new ReaderState(index);
        var row = new float[FeatureBuilder.FeatureCount];
        var historyIndexes = new List<int>();
        uint group = 0;
        var done = 0;
        foreach (var (impression, isTest) in events)
        {
            if (++done % 20000 == 0)
            {
                options.Progress?.Report($"Features: {done}/{events.Count} impressions");
            }
            var seen = activity.TryGetValue(impression.ReaderId, out var readerActivity);
            if (!seen)
            {
                // The reader's history before the period is co-click evidence known from now on.
                historyIndexes.Clear();
                foreach (var h in impression.History)
                {
                    if (index.TryGetIndex(h, out var hi))
                    {
                        historyIndexes.Add(hi);
                    }
                }
                behaviour.CoClicks.AddHistory(historyIndexes);
            }
            reader.Load(impression.History, (isTest ? test : train).InterestsOf(impression.ReaderId), readerActivity);
            var now = impression.Time.Ticks;
            var globalCtr = behaviour.GlobalCtr;
            group++;
            for (var p = 0; p < impression.Items.Count; p++)
            {
                var item = impression.Items[p];
                if (!index.TryGetIndex(item.ArticleId, out var a))
                {
                    continue;
                }
                var clicks = (float)tracker.ClicksAt(a, impression.Time);
                var signals = new FeatureBuilder.Signals(clicks, (float)tracker.ImpressionsAt(a, impression.Time), globalCtr,
                    behaviour.ColumnLogClickAge(index.ColumnOf[a]), behaviour.CoClicks.Score(a, reader.CoRecent),
                    behaviour.TotalClicks(a), behaviour.TotalShown(a));
                FeatureBuilder.Build(index, reader, a, now, signals, row);
                foreach (var d in disabled)
                {
                    row[d] = 0;
                }
                if (isTest)
                {
                    testSet.Add(row, item.Clicked, group);
                    popularity.Add(clicks);
                    recency.Add(index.PublishedTicks[a]);
                    random.Add(rng.NextDouble());
                    truth.Add(options.TrueProbability?.Invoke(impression, p) ?? 0);
                    testItemsWithoutText += index.HasText[a] ? 0 : 1;
                }
                else if (!reader.HasRead(a))
                {
                    // Read articles are never candidates when serving, so the model does not learn them.
                    trainingSet.Add(row, item.Clicked, group);
                }
                else
                {
                    alreadyRead++;
                }
            }
            if (isTest)
            {
                testItems += impression.Items.Count;
                testScored += testSet.Count - (testImpressionEnds.Count == 0 ? 0 : testImpressionEnds[^1]) > 0 ? 1 : 0;
                testImpressionEnds.Add(testSet.Count);
            }
            else
            {
                trainItems += impression.Items.Count;
            }
            var clicked = 0;
            foreach (var item in impression.Items)
            {
                if (index.TryGetIndex(item.ArticleId, out var a))
                {
                    behaviour.AddImpression(a, impression.Time, item.Clicked);
                    if (item.Clicked)
                    {
                        behaviour.CoClicks.AddClick(a, reader.CoRecent);
                        clicked++;
                    }
                }
            }
            activity[impression.ReaderId] = new ReaderActivity(readerActivity.Shown + impression.Items.Count, readerActivity.Clicks + clicked);
        }

        options.Progress?.Report($"Training {options.Trainer} on {trainingSet.Count} rows…");
        var trained = ModelTrainer.Train(trainingSet, options.Trainer, options.Seed, options.Trees);
        options.Progress?.Report($"Trained in {trained.Duration.TotalSeconds:F1} s; scoring {testSet.Count} test rows…");

        var features = new float[testSet.Count * FeatureBuilder.FeatureCount];
        for (var i = 0; i < testSet.Count; i++)
        {
            testSet.Row(i).CopyTo(features.AsSpan(i * FeatureBuilder.FeatureCount));
        }
        var modelScores = new float[testSet.Count];
        trained.Scorer.Score(features, modelScores);

        var accumulators = new List<MetricAccumulator>
        {
            new(ModelName), new(RandomName), new(PopularityName), new(RecencyName),
        };
        if (options.TrueProbability is not null)
        {
            accumulators.Add(new MetricAccumulator(TrueProbabilityName));
        }
        var start = 0;
        foreach (var end in testImpressionEnds)
        {
            var labels = testSet.Labels.GetRange(start, end - start).ToArray();
            if (labels.Length > 0)
            {
                accumulators[0].Add(labels, modelScores.AsSpan(start, end - start).ToArray().Select(s => (double)s).ToArray());
                accumulators[1].Add(labels, random.GetRange(start, end - start).ToArray());
                accumulators[2].Add(labels, popularity.GetRange(start, end - start).ToArray());
                accumulators[3].Add(labels, recency.GetRange(start, end - start).ToArray());
                if (options.TrueProbability is not null)
                {
                    accumulators[4].Add(labels, truth.GetRange(start, end - start).ToArray());
                }
            }
            start = end;
        }
        var coverage = new EvaluationCoverage(test.Impressions.Count, testScored, testItems, testSet.Count, testItemsWithoutText,
            trainItems, trainingSet.Count, alreadyRead, withoutMetadata);
        var report = new EvaluationReport(options.Trainer.ToString(), accumulators[0].Result(), accumulators.Skip(1).Select(a => a.Result()).ToList(),
            train.Impressions.Count, test.Impressions.Count, trainingSet.Count, trained.Duration.TotalSeconds, total.Elapsed.TotalSeconds, coverage);
        var model = new RankingModel(NewVersion(), options.Trainer.ToString(), DateTime.UtcNow, trainingSet.Count, vectorizer, trained.Scorer);
        return new EvaluationResult(report, trained, model);
    }

    public static string NewVersion() => DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..6];
}
