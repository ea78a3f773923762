using NewsPush.Recommender.Data;
using NewsPush.Recommender.Evaluation;
using Xunit.Abstractions;

namespace NewsPush.Tests.Recommender.Evaluation;

public sealed class EvaluatorTests(ITestOutputHelper output)
{
    internal static readonly SyntheticOptions Small = new() { Readers = 400, Articles = 500, ImpressionsPerReader = 8, Days = 10 };

    [Fact]
    public void ModelBeatsPopularityAndRecencyOnSyntheticData()
    {
        var world = new SyntheticDataGenerator(Small).Generate();
        var result = Evaluator.Evaluate(world.Dataset, new EvaluationOptions());
        output.WriteLine(result.Report.ToTable());

        var report = result.Report;
        var recency = report.Baselines.Single(b => b.Name == Evaluator.RecencyName);
        Assert.True(report.BeatsPopularity);
        Assert.True(report.Model.Auc > report.Popularity.Auc + 0.03, $"AUC {report.Model.Auc} vs popularity {report.Popularity.Auc}");
        Assert.True(report.Model.Ndcg10 > report.Popularity.Ndcg10 + 0.03);
        Assert.True(report.Model.Auc > recency.Auc + 0.03);
        Assert.True(report.Model.Ndcg10 > recency.Ndcg10 + 0.03);
    }

    [Fact]
    public void RandomBaselineScoresNearHalfAuc()
    {
        var world = new SyntheticDataGenerator(Small with { Readers = 150 }).Generate();
        var report = Evaluator.Evaluate(world.Dataset, new EvaluationOptions()).Report;
        Assert.InRange(report.Baselines.Single(b => b.Name == Evaluator.RandomName).Auc, 0.44, 0.56);
    }

    [Fact]
    public void SplitByTimeTrainsOnlyOnEarlierImpressions()
    {
        var world = new SyntheticDataGenerator(Small with { Readers = 50 }).Generate();
        var (train, test) = Evaluator.SplitByTime(world.Dataset, 0.8);
        Assert.Equal(world.Dataset.Impressions.Count, train.Impressions.Count + test.Impressions.Count);
        Assert.True(train.Impressions.Max(i => i.Time) <= test.Impressions.Min(i => i.Time));
    }
}
