using NewsPush.Recommender.Evaluation;

namespace NewsPush.Tests.Recommender.Evaluation;

public sealed class MindMetricsTests
{
    // Scores 0.9 0.8 0.3 0.6 0.1, clicks on the 2nd and 4th: ranked order 0,1,3,2,4, clicks at ranks 2 and 3.
    private static readonly bool[] Labels = [false, true, false, true, false];
    private static readonly double[] Scores = [0.9, 0.8, 0.3, 0.6, 0.1];

    [Fact]
    public void MrrAveragesReciprocalRanksOfClicks() =>
        Assert.Equal((1.0 / 2 + 1.0 / 3) / 2, MindMetrics.Mrr(Labels, Scores)!.Value, 10);

    [Fact]
    public void NdcgUsesLog2DiscountOverIdealOrder()
    {
        var dcg = (1 / Math.Log2(3)) + (1 / Math.Log2(4));
        var ideal = 1 + (1 / Math.Log2(3));
        Assert.Equal(dcg / ideal, MindMetrics.Ndcg(Labels, Scores, 5)!.Value, 10);
        Assert.Equal(dcg / ideal, MindMetrics.Ndcg(Labels, Scores, 10)!.Value, 10);
        // Cut at 2: only the click at rank 2 counts; the ideal has both clicks in the top 2.
        Assert.Equal(1 / Math.Log2(3) / ideal, MindMetrics.Ndcg(Labels, Scores, 2)!.Value, 10);
    }

    [Fact]
    public void AucCountsCorrectlyOrderedClickNonClickPairs() =>
        Assert.Equal(4.0 / 6, MindMetrics.Auc(Labels, Scores)!.Value, 10);

    [Fact]
    public void AucGivesHalfCreditForTiedPairsLikeSklearn() =>
        // Pairs: click vs first non-click tied (½), click vs second non-click won (1) → 1.5 / 2.
        Assert.Equal(0.75, MindMetrics.Auc([true, false, false], [0.5, 0.5, 0.2])!.Value, 10);

    [Fact]
    public void TiedScoresRankTheLaterItemFirstLikeReversedNumpyArgsort()
    {
        // argsort([0.5, 0.5, 0.2]) = [2, 0, 1]; reversed = [1, 0, 2]: the click (item 0) is ranked 2nd.
        Assert.Equal([1, 0, 2], MindMetrics.RankOrder([0.5, 0.5, 0.2]));
        Assert.Equal(0.5, MindMetrics.Mrr([true, false, false], [0.5, 0.5, 0.2])!.Value, 10);
        Assert.Equal(1 / Math.Log2(3), MindMetrics.Ndcg([true, false, false], [0.5, 0.5, 0.2], 10)!.Value, 10);
    }

    [Fact]
    public void ImpressionWithoutClickHasNoMetrics()
    {
        Assert.Null(MindMetrics.Auc([false, false], [0.3, 0.1]));
        Assert.Null(MindMetrics.Mrr([false, false], [0.3, 0.1]));
        Assert.Null(MindMetrics.Ndcg([false, false], [0.3, 0.1], 10));
    }

    [Fact]
    public void ImpressionWithOnlyClicksHasNoAucButPerfectRanking()
    {
        Assert.Null(MindMetrics.Auc([true, true], [0.3, 0.1]));
        Assert.Equal(0.75, MindMetrics.Mrr([true, true], [0.3, 0.1])!.Value, 10);
        Assert.Equal(1.0, MindMetrics.Ndcg([true, true], [0.3, 0.1], 10)!.Value, 10);
    }

    [Fact]
    public void AccumulatorSkipsUndefinedImpressionsAndCountsThem()
    {
        var acc = new MetricAccumulator("m");
        acc.Add(Labels, Scores);
        acc.Add([false, false], [0.2, 0.1]);
        acc.Add([true, true], [0.2, 0.1]);
        var row = acc.Result();
        Assert.Equal(1, row.AucImpressions);
        Assert.Equal(2, row.RankImpressions);
        Assert.Equal(4.0 / 6, row.Auc, 10);
        Assert.Equal(((5.0 / 12) + 0.75) / 2, row.Mrr, 10);
    }
}
