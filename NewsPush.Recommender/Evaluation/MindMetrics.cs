namespace NewsPush.Recommender.Evaluation;

/// <summary>
/// Per-impression metrics exactly as the MIND benchmark's official scorer (evaluate.py) defines them.
/// <list type="bullet">
/// <item>Order: scores sorted descending as <c>np.argsort(y_score)[::-1]</c> does with a stable
/// sort — among equal scores the item that comes later in the impression ranks first.</item>
/// <item>AUC: sklearn <c>roc_auc_score</c>; ties between a clicked and a non-clicked item count ½
/// (Mann–Whitney U with average ranks). Undefined (null) with no click or only clicks: sklearn raises.</item>
/// <item>MRR: Σ rel_i / rank_i ÷ Σ rel_i. nDCG@k: DCG with gain 2^rel − 1 and discount log2(rank + 1),
/// over the ideal DCG. Both are 0/0 (NaN in numpy) with no click: null here, and such impressions are skipped.</item>
/// </list>
/// </summary>
public static class MindMetrics
{
    /// <summary>Indexes of items in ranked order (best first), breaking ties like numpy's reversed stable argsort.</summary>
    public static int[] RankOrder(ReadOnlySpan<double> scores)
    {
        var order = new int[scores.Length];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }
        var s = scores.ToArray();
        Array.Sort(order, (a, b) =>
        {
            var c = s[b].CompareTo(s[a]);
            return c != 0 ? c : b.CompareTo(a);
        });
        return order;
    }

    public static double? Auc(ReadOnlySpan<bool> labels, ReadOnlySpan<double> scores)
    {
        var n = labels.Length;
        var positives = 0;
        foreach (var l in labels)
        {
            if (l)
            {
                positives++;
            }
        }
        var negatives = n - positives;
        if (positives == 0 || negatives == 0)
        {
            return null;
        }
        // Average ranks (1-based, ascending score) handle ties exactly as the ROC trapezoid does.
        var order = new int[n];
        for (var i = 0; i < n; i++)
        {
            order[i] = i;
        }
        var s = scores.ToArray();
        Array.Sort(order, (a, b) => s[a].CompareTo(s[b]));
        var rankSumPositives = 0.0;
        for (var i = 0; i < n;)
        {
            var j = i;
            while (j + 1 < n && s[order[j + 1]] == s[order[i]])
            {
                j++;
            }
            var averageRank = ((i + 1) + (j + 1)) / 2.0;
            for (var k = i; k <= j; k++)
            {
                if (labels[order[k]])
                {
                    rankSumPositives += averageRank;
                }
            }
            i = j + 1;
        }
        return (rankSumPositives - (positives * (positives + 1) / 2.0)) / ((double)positives * negatives);
    }

    public static double? Mrr(ReadOnlySpan<bool> labels, ReadOnlySpan<double> scores)
    {
        var order = RankOrder(scores);
        var sum = 0.0;
        var relevant = 0;
        for (var r = 0; r < order.Length; r++)
        {
            if (labels[order[r]])
            {
                sum += 1.0 / (r + 1);
                relevant++;
            }
        }
        return relevant == 0 ? null : sum / relevant;
    }

    public static double? Ndcg(ReadOnlySpan<bool> labels, ReadOnlySpan<double> scores, int k)
    {
        var relevant = 0;
        foreach (var l in labels)
        {
            if (l)
            {
                relevant++;
            }
        }
        if (relevant == 0)
        {
            return null;
        }
        var order = RankOrder(scores);
        var dcg = 0.0;
        for (var r = 0; r < Math.Min(k, order.Length); r++)
        {
            if (labels[order[r]])
            {
                dcg += 1.0 / Math.Log2(r + 2);
            }
        }
        var ideal = 0.0;
        for (var r = 0; r < Math.Min(k, relevant); r++)
        {
            ideal += 1.0 / Math.Log2(r + 2);
        }
        return dcg / ideal;
    }
}

/// <summary>Mean metrics over impressions, with how many impressions each mean covers.</summary>
public sealed record MetricRow(string Name, double Auc, double Mrr, double Ndcg5, double Ndcg10, int AucImpressions, int RankImpressions);

/// <summary>Accumulates per-impression metrics for one scorer.</summary>
public sealed class MetricAccumulator(string name)
{
    private double auc, mrr, ndcg5, ndcg10;
    private int aucCount, rankCount;

    public string Name { get; } = name;

    public void Add(ReadOnlySpan<bool> labels, ReadOnlySpan<double> scores)
    {
        if (MindMetrics.Auc(labels, scores) is { } a)
        {
            auc += a;
            aucCount++;
        }
        if (MindMetrics.Mrr(labels, scores) is { } m)
        {
            mrr += m;
            ndcg5 += MindMetrics.Ndcg(labels, scores, 5)!.Value;
            ndcg10 += MindMetrics.Ndcg(labels, scores, 10)!.Value;
            rankCount++;
        }
    }

    public MetricRow Result() => new(Name,
        aucCount == 0 ? 0 : auc / aucCount,
        rankCount == 0 ? 0 : mrr / rankCount,
        rankCount == 0 ? 0 : ndcg5 / rankCount,
        rankCount == 0 ? 0 : ndcg10 / rankCount,
        aucCount, rankCount);
}
