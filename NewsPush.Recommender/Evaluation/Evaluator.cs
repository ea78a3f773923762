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
    double TotalSeconds)
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

    public static EvaluationResult Evaluate(RecommenderDataset train, RecommenderDataset test, EvaluationOptions options)
    {
        var total = Stopwatch.StartNew();
        var articles = train.Articles.Concat(test.Articles).DistinctBy(a => a.Id).ToList();
        options.Progress?.Report($"Vectorizing {articles.Count} articles…");
        var vectorizer = TextVectorizer.Fit(articles, options.Dimensions);
        var index = new ArticleIndex(articles, vectorizer);
        var tracker = new PopularityTracker(index.Count, PopularityHalfLife);
        var trainingSet = new TrainingSet();
        var testSet = new TrainingSet();
        var testImpressionEnds = new List<int>();
        var popularity = new List<double>();
        var recency = new List<double>();
        var random = new List<double>();
        var rng = new Random(options.Seed);

        var events = train.Impressions.Select(i => (Impression: i, IsTest: false))
            .Concat(test.Impressions.Select(i => (Impression: i, IsTest: true)))
            .OrderBy(e => e.Impression.Time).ToList();
        var reader = new ReaderState(index);
        var row = new float[FeatureBuilder.FeatureCount];
        uint group = 0;
        var done = 0;
        foreach (var (impression, isTest) in events)
        {
            if (++done % 20000 == 0)
            {
                options.Progress?.Report($"Features: {done}/{events.Count} impressions");
            }
            reader.Load(impression.History, (isTest ? test : train).InterestsOf(impression.ReaderId));
            var now = impression.Time.Ticks;
            group++;
            foreach (var item in impression.Items)
            {
                if (!index.TryGetIndex(item.ArticleId, out var a))
                {
                    continue;
                }
                var clicks = (float)tracker.ClicksAt(a, impression.Time);
                FeatureBuilder.Build(index, reader, a, now, clicks, (float)tracker.ImpressionsAt(a, impression.Time), row);
                if (isTest)
                {
                    testSet.Add(row, item.Clicked, group);
                    popularity.Add(clicks);
                    recency.Add(index.PublishedTicks[a]);
                    random.Add(rng.NextDouble());
                }
                else if (!reader.HasRead(a))
                {
                    // Read articles are never candidates when serving, so the model does not learn them.
                    trainingSet.Add(row, item.Clicked, group);
                }
            }
            if (isTest)
            {
                testImpressionEnds.Add(testSet.Count);
            }
            foreach (var item in impression.Items)
            {
                if (index.TryGetIndex(item.ArticleId, out var a))
                {
                    tracker.Add(a, impression.Time, item.Clicked);
                }
            }
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

        var accumulators = new[]
        {
            new MetricAccumulator(ModelName), new MetricAccumulator(RandomName),
            new MetricAccumulator(PopularityName), new MetricAccumulator(RecencyName),
        };
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
            }
            start = end;
        }
        var report = new EvaluationReport(options.Trainer.ToString(), accumulators[0].Result(), accumulators.Skip(1).Select(a => a.Result()).ToList(),
            train.Impressions.Count, test.Impressions.Count, trainingSet.Count, trained.Duration.TotalSeconds, total.Elapsed.TotalSeconds);
        var model = new RankingModel(NewVersion(), options.Trainer.ToString(), DateTime.UtcNow, trainingSet.Count, vectorizer, trained.Scorer);
        return new EvaluationResult(report, trained, model);
    }

    public static string NewVersion() => DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..6];
}
