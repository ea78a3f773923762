namespace NewsPush.Recommender.Ranking;

/// <summary>Scores feature rows (row-major, <see cref="Features.FeatureBuilder.FeatureCount"/> floats each). Thread-safe.</summary>
public interface IPairScorer
{
    void Score(ReadOnlySpan<float> features, Span<float> scores);
}
