using NewsPush.Recommender.Data;
using NewsPush.Recommender.Evaluation;
using NewsPush.Recommender.Ranking;
using Xunit.Abstractions;

namespace NewsPush.Tests.Recommender.Evaluation;

/// <summary>
/// The two held-out situations of docs/recommender.md ("Synthetic data", variants a and b), on
/// small seeded worlds: article text for only 20 % of the candidates, and interests nested in
/// subcategories that drift, where the true click probabilities are known.
/// </summary>
public sealed class VariantEvaluationTests(ITestOutputHelper output)
{
    internal static readonly SyntheticOptions Sparse = SyntheticOptions.SparseMetadata with { Readers = 500, Articles = 500, ImpressionsPerReader = 8, Days = 10 };
    internal static readonly SyntheticOptions Nested = SyntheticOptions.NestedDrift with { Readers = 600, Articles = 600, ImpressionsPerReader = 8, Days = 10 };

    [Fact]
    public void Explore()
    {
        void Run(string name, SyntheticOptions o, TreeSettings? t = null, TrainerKind k = TrainerKind.LightGbmBinary, int[]? off = null)
        {
            var world = new SyntheticDataGenerator(o).Generate();
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var report = Evaluator.Evaluate(world.Dataset, new EvaluationOptions { TrueProbability = world.TrueProbability, Trees = t ?? new(), Trainer = k, DisabledFeatures = off?.ToHashSet() }).Report;
            var truth = report.Baselines.Single(b => b.Name == Evaluator.TrueProbabilityName).Auc;
            output.WriteLine($"{name}: model {report.Model.Auc:F4} pop {report.Popularity.Auc:F4} true {truth:F4} share {(report.Model.Auc - 0.5) / (truth - 0.5):P1} in {watch.Elapsed.TotalSeconds:F1} s");
        }
        var r = Nested with { Readers = 2000 };
        Run("s7", r);
        Run("s8", r with { Seed = 8 });
        Run("s9", r with { Seed = 9 });
        Run("s7 t200", r, new TreeSettings(200, 16, 0.05, 50));
        Run("s8 t200", r with { Seed = 8 }, new TreeSettings(200, 16, 0.05, 50));
    }
}
