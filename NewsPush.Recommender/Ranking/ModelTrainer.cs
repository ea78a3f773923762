using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;
using NewsPush.Recommender.Features;

namespace NewsPush.Recommender.Ranking;

/// <summary>The ML.NET trainers compared in ADR-005; <see cref="LightGbmBinary"/> is the default.</summary>
public enum TrainerKind { LightGbmBinary, FastTreeBinary, LightGbmRanking, FastTreeRanking, FieldAwareFactorizationMachine, LogisticRegression }

/// <summary>Size of the boosted-tree models (defaults chosen in ADR-005: accuracy vs. bulk scoring cost).</summary>
public sealed record TreeSettings(int Trees = 100, int Leaves = 24, double LearningRate = 0.1, int MinimumExamplesPerLeaf = 50);

/// <summary>Feature rows of many impressions: row-major features, click labels, impression groups.</summary>
public sealed class TrainingSet
{
    private readonly List<float> features = [];

    public List<bool> Labels { get; } = [];
    public List<uint> Groups { get; } = [];
    public int Count => Labels.Count;

    public void Add(ReadOnlySpan<float> row, bool label, uint group)
    {
        foreach (var v in row)
        {
            features.Add(v);
        }
        Labels.Add(label);
        Groups.Add(group);
    }

    public ReadOnlySpan<float> Row(int i) => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(features).Slice(i * FeatureBuilder.FeatureCount, FeatureBuilder.FeatureCount);

    internal IEnumerable<FeatureRow> Rows()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return new FeatureRow { Features = Row(i).ToArray(), Label = Labels[i], Relevance = Labels[i] ? 1 : 0, GroupId = Groups[i] };
        }
    }
}

/// <summary>A trained model: the ML.NET transformer (saved as zip) and the scorer used at serving time.</summary>
public sealed record TrainedModel(TrainerKind Trainer, MLContext Context, ITransformer Transformer, DataViewSchema InputSchema, IPairScorer Scorer, TreeEnsembleScorer? Trees, TimeSpan Duration);

/// <summary>Trains a pairwise click model (or a ranker) on feature rows with ML.NET.</summary>
public static class ModelTrainer
{
    public static TrainedModel Train(TrainingSet set, TrainerKind kind, int seed = 42, TreeSettings? settings = null)
    {
        if (set.Count == 0 || !set.Labels.Contains(true) || !set.Labels.Contains(false))
        {
            throw new InvalidOperationException("Training needs both clicked and not-clicked impressions.");
        }
        var t = settings ?? new TreeSettings();
        var watch = Stopwatch.StartNew();
        var ml = new MLContext(seed);
        var data = ml.Data.LoadFromEnumerable(set.Rows());
        // Ranking trainers need the group as a key column.
        var withKey = ml.Transforms.Conversion.MapValueToKey("GroupKey", nameof(FeatureRow.GroupId)).Fit(data);
        ITransformer transformer;
        TreeEnsembleScorer? trees = null;
        switch (kind)
        {
            case TrainerKind.LightGbmBinary:
            {
                var model = ml.BinaryClassification.Trainers.LightGbm(new LightGbmBinaryTrainer.Options
                {
                    NumberOfLeaves = t.Leaves, NumberOfIterations = t.Trees, LearningRate = t.LearningRate, MinimumExampleCountPerLeaf = t.MinimumExamplesPerLeaf,
                    Seed = seed, NumberOfThreads = 1, Verbose = false, Silent = true,
                }).Fit(data);
                trees = TreeEnsembleScorer.From(model.Model.SubModel.TrainedTreeEnsemble);
                transformer = model;
                break;
            }
            case TrainerKind.FastTreeBinary:
            {
                var model = ml.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
                {
                    NumberOfLeaves = t.Leaves, NumberOfTrees = t.Trees, LearningRate = t.LearningRate, MinimumExampleCountPerLeaf = t.MinimumExamplesPerLeaf,
                    NumberOfThreads = 1,
                }).Fit(data);
                trees = TreeEnsembleScorer.From(model.Model.SubModel.TrainedTreeEnsemble);
                transformer = model;
                break;
            }
            case TrainerKind.LightGbmRanking:
            {
                var keyed = withKey.Transform(data);
                var model = ml.Ranking.Trainers.LightGbm(new LightGbmRankingTrainer.Options
                {
                    LabelColumnName = nameof(FeatureRow.Relevance), RowGroupColumnName = "GroupKey",
                    NumberOfLeaves = t.Leaves, NumberOfIterations = t.Trees, LearningRate = t.LearningRate, MinimumExampleCountPerLeaf = t.MinimumExamplesPerLeaf,
                    Seed = seed, NumberOfThreads = 1, Verbose = false, Silent = true,
                }).Fit(keyed);
                trees = TreeEnsembleScorer.From(model.Model.TrainedTreeEnsemble);
                transformer = model;
                break;
            }
            case TrainerKind.FastTreeRanking:
            {
                var keyed = withKey.Transform(data);
                var model = ml.Ranking.Trainers.FastTree(new FastTreeRankingTrainer.Options
                {
                    LabelColumnName = nameof(FeatureRow.Relevance), RowGroupColumnName = "GroupKey",
                    NumberOfLeaves = t.Leaves, NumberOfTrees = t.Trees, LearningRate = t.LearningRate, MinimumExampleCountPerLeaf = t.MinimumExamplesPerLeaf,
                    NumberOfThreads = 1,
                }).Fit(keyed);
                trees = TreeEnsembleScorer.From(model.Model.TrainedTreeEnsemble);
                transformer = model;
                break;
            }
            case TrainerKind.FieldAwareFactorizationMachine:
            {
                var pipeline = ml.Transforms.NormalizeMinMax(nameof(FeatureRow.Features))
                    .Append(ml.BinaryClassification.Trainers.FieldAwareFactorizationMachine(
                        [nameof(FeatureRow.Features)], nameof(FeatureRow.Label)));
                transformer = pipeline.Fit(data);
                break;
            }
            case TrainerKind.LogisticRegression:
            {
                var pipeline = ml.Transforms.NormalizeMinMax(nameof(FeatureRow.Features))
                    .Append(ml.BinaryClassification.Trainers.LbfgsLogisticRegression());
                transformer = pipeline.Fit(data);
                break;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
        IPairScorer scorer = trees is not null ? trees : new MlNetScorer(ml, transformer);
        return new TrainedModel(kind, ml, transformer, data.Schema, scorer, trees, watch.Elapsed);
    }

    /// <summary>Raw scores from ML.NET's own batch transform (used to check the flattened trees).</summary>
    public static float[] ScoreWithMlNet(TrainedModel model, TrainingSet set)
    {
        var data = model.Context.Data.LoadFromEnumerable(set.Rows());
        return model.Transformer.Transform(data).GetColumn<float>("Score").ToArray();
    }
}
