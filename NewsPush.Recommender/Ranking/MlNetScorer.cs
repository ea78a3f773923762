using Microsoft.Extensions.ObjectPool;
using Microsoft.ML;
using Microsoft.ML.Data;
using NewsPush.Recommender.Features;

namespace NewsPush.Recommender.Ranking;

/// <summary>ML.NET input row: the feature vector, the click label and the impression (group) id.</summary>
public sealed class FeatureRow
{
    [VectorType(FeatureBuilder.FeatureCount)]
    public float[] Features { get; set; } = [];

    public bool Label { get; set; }

    public float Relevance { get; set; }

    public uint GroupId { get; set; }
}

public sealed class ScoreRow
{
    public float Score { get; set; }
}

/// <summary>
/// Scores through ML.NET for trainers whose model is not a tree ensemble (e.g. the field-aware
/// factorization machine). A PredictionEngine is not thread-safe, so engines are pooled.
/// </summary>
public sealed class MlNetScorer : IPairScorer
{
    private readonly ObjectPool<PredictionEngine<FeatureRow, ScoreRow>> pool;

    public MlNetScorer(MLContext ml, ITransformer model)
    {
        pool = new DefaultObjectPool<PredictionEngine<FeatureRow, ScoreRow>>(new EnginePolicy(ml, model), Environment.ProcessorCount * 2);
    }

    public void Score(ReadOnlySpan<float> features, Span<float> scores)
    {
        var engine = pool.Get();
        try
        {
            var row = new FeatureRow { Features = new float[FeatureBuilder.FeatureCount] };
            var output = new ScoreRow();
            for (var r = 0; r < scores.Length; r++)
            {
                features.Slice(r * FeatureBuilder.FeatureCount, FeatureBuilder.FeatureCount).CopyTo(row.Features);
                engine.Predict(row, ref output);
                scores[r] = output.Score;
            }
        }
        finally
        {
            pool.Return(engine);
        }
    }

    private sealed class EnginePolicy(MLContext ml, ITransformer model) : PooledObjectPolicy<PredictionEngine<FeatureRow, ScoreRow>>
    {
        public override PredictionEngine<FeatureRow, ScoreRow> Create() => ml.Model.CreatePredictionEngine<FeatureRow, ScoreRow>(model);

        public override bool Return(PredictionEngine<FeatureRow, ScoreRow> obj) => true;
    }
}
