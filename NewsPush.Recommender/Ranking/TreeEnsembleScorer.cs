using System.Text.Json.Serialization;
using Microsoft.ML.Trainers.FastTree;
using NewsPush.Recommender.Features;

namespace NewsPush.Recommender.Ranking;

/// <summary>
/// A gradient-boosted tree ensemble (LightGBM or FastTree, trained by ML.NET) flattened into arrays
/// and evaluated directly: no IDataView, no PredictionEngine, no allocation, safe on any number of
/// threads. Gives the same raw score as ML.NET's "Score" column (checked by a test).
/// </summary>
public sealed class TreeEnsembleScorer : IPairScorer
{
    [JsonConstructor]
    public TreeEnsembleScorer(double bias, int[] treeStart, int[] feature, float[] threshold, int[] left, int[] right, int[] leafStart, double[] leaves)
    {
        Bias = bias;
        TreeStart = treeStart;
        Feature = feature;
        Threshold = threshold;
        Left = left;
        Right = right;
        LeafStart = leafStart;
        Leaves = leaves;
        nodes = new Node[feature.Length];
        for (var i = 0; i < nodes.Length; i++)
        {
            nodes[i] = new Node(feature[i], threshold[i], left[i], right[i]);
        }
        leafValues = leaves.Select(v => (float)v).ToArray();
    }

    /// <summary>One split packed in 16 bytes so a walk touches one cache line per level.</summary>
    private readonly record struct Node(int Feature, float Threshold, int Left, int Right);

    private readonly Node[] nodes;
    private readonly float[] leafValues;

    public double Bias { get; }
    public int[] TreeStart { get; }
    public int[] Feature { get; }
    public float[] Threshold { get; }
    public int[] Left { get; }
    public int[] Right { get; }
    public int[] LeafStart { get; }
    public double[] Leaves { get; }

    [JsonIgnore]
    public int TreeCount => LeafStart.Length;

    public static TreeEnsembleScorer From(RegressionTreeEnsemble ensemble)
    {
        var treeStart = new List<int>();
        var feature = new List<int>();
        var threshold = new List<float>();
        var left = new List<int>();
        var right = new List<int>();
        var leafStart = new List<int>();
        var leaves = new List<double>();
        for (var t = 0; t < ensemble.Trees.Count; t++)
        {
            var tree = ensemble.Trees[t];
            var weight = ensemble.TreeWeights[t];
            treeStart.Add(feature.Count);
            leafStart.Add(leaves.Count);
            for (var n = 0; n < tree.NumberOfNodes; n++)
            {
                if (tree.CategoricalSplitFlags[n])
                {
                    throw new NotSupportedException("Categorical splits are not used by the recommender's features.");
                }
                feature.Add(tree.NumericalSplitFeatureIndexes[n]);
                threshold.Add(tree.NumericalSplitThresholds[n]);
                left.Add(tree.LeftChild[n]);
                right.Add(tree.RightChild[n]);
            }
            foreach (var leaf in tree.LeafValues)
            {
                leaves.Add(leaf * weight);
            }
        }
        return new TreeEnsembleScorer(ensemble.Bias, [.. treeStart], [.. feature], [.. threshold], [.. left], [.. right], [.. leafStart], [.. leaves]);
    }

    public float ScoreOne(ReadOnlySpan<float> x)
    {
        var sum = Bias;
        var feature = Feature;
        var threshold = Threshold;
        var left = Left;
        var right = Right;
        for (var t = 0; t < LeafStart.Length; t++)
        {
            var start = TreeStart[t];
            var end = t + 1 < TreeStart.Length ? TreeStart[t + 1] : feature.Length;
            var leaf = 0;
            if (end > start)
            {
                var node = 0;
                while (node >= 0)
                {
                    var i = start + node;
                    node = x[feature[i]] <= threshold[i] ? left[i] : right[i];
                }
                leaf = ~node;
            }
            sum += Leaves[LeafStart[t] + leaf];
        }
        return (float)sum;
    }

    /// <summary>
    /// Tree-major over the batch: each tree's nodes stay in L1 while every row walks it, which is
    /// what makes scoring tens of millions of pairs cheap.
    /// </summary>
    public void Score(ReadOnlySpan<float> features, Span<float> scores)
    {
        const int f = FeatureBuilder.FeatureCount;
        var rows = scores.Length;
        scores.Fill((float)Bias);
        var treeCount = LeafStart.Length;
        for (var t = 0; t < treeCount; t++)
        {
            var start = TreeStart[t];
            var end = t + 1 < treeCount ? TreeStart[t + 1] : nodes.Length;
            var leafBase = LeafStart[t];
            if (end == start)
            {
                var only = leafValues[leafBase];
                for (var r = 0; r < rows; r++)
                {
                    scores[r] += only;
                }
                continue;
            }
            var tree = nodes.AsSpan(start, end - start);
            for (var r = 0; r < rows; r++)
            {
                var x = features.Slice(r * f, f);
                var node = 0;
                while (node >= 0)
                {
                    ref readonly var n = ref tree[node];
                    node = x[n.Feature] <= n.Threshold ? n.Left : n.Right;
                }
                scores[r] += leafValues[leafBase + ~node];
            }
        }
    }
}
