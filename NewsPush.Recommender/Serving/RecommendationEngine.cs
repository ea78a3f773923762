using NewsPush.Recommender.Features;
using NewsPush.Recommender.Ranking;

namespace NewsPush.Recommender.Serving;

public sealed record EngineOptions
{
    /// <summary>Candidate sources for one reader's feed.</summary>
    public int SimilarCandidates { get; init; } = 200;
    public int FreshCandidates { get; init; } = 60;
    public int PopularCandidates { get; init; } = 60;
    public int FollowedCandidates { get; init; } = 150;

    /// <summary>In bulk, the model re-scores only this many first-stage winners per reader.</summary>
    public int BulkShortlist { get; init; } = 24;

    /// <summary>No column may fill more than this share of a list (at least one item).</summary>
    public double MaxColumnShare { get; init; } = 0.4;

    /// <summary>Score penalty per doubling of age in days, applied in the re-rank.</summary>
    public float FreshnessPenalty { get; init; } = 0.15f;

    /// <summary>"Because you read …" when the article is at least this similar to a recent read.</summary>
    public float BecauseYouReadSimilarity { get; init; } = 0.35f;
}

/// <summary>One ranked article in bulk output (an index into the <see cref="ArticleIndex"/>).</summary>
public readonly record struct RankedArticle(int Article, float Score, ReasonKind Reason, int ReasonArgument);

/// <summary>
/// Two-stage recommendation over a frozen snapshot (articles, popularity, "now", candidates):
/// candidate generation (fresh, followed, similar to reads, popular — or, in bulk, a cheap
/// first-stage score over all candidates with a top-k heap), model ranking, then a re-rank for
/// freshness and column diversity, with a reason per item. Immutable and thread-safe; per-thread
/// buffers live in <see cref="Workspace"/>. Without a model the first-stage score ranks
/// (popular-and-fresh, pulled towards the reader's interests).
/// </summary>
public sealed class RecommendationEngine
{
    private readonly int[] candidates;
    private readonly float[] prior;
    private readonly int[] freshOrder;
    private readonly int[] popularOrder;
    private readonly float popularThreshold;
    private readonly float[] candidateVectors;
    private readonly int[] candidateColumns;
    private readonly float[] candidatePrior;

    public RecommendationEngine(ArticleIndex index, ArticleStats stats, DateTime now, IReadOnlyCollection<int> candidateArticleIds, IPairScorer? scorer, EngineOptions? options = null)
    {
        Index = index;
        Stats = stats;
        Now = now;
        Scorer = scorer;
        Options = options ?? new EngineOptions();
        candidates = candidateArticleIds.Select(id => index.TryGetIndex(id, out var a) ? a : -1).Where(a => a >= 0).Distinct().ToArray();
        prior = new float[index.Count];
        foreach (var a in candidates)
        {
            prior[a] = FeatureBuilder.Prior(stats.Clicks[a], index.PublishedTicks[a], now.Ticks);
        }
        // Candidate-major copies so the bulk first stage streams through memory, folded to half the
        // dimensions (bucket i and i + d/2 summed — hashing into d/2 buckets): half the work, and the
        // model re-scores the shortlist with the full vectors anyway.
        var d = FoldedDimensions;
        candidateVectors = new float[candidates.Length * d];
        candidateColumns = new int[candidates.Length];
        candidatePrior = new float[candidates.Length];
        for (var c = 0; c < candidates.Length; c++)
        {
            Fold(index.Vector(candidates[c]), candidateVectors.AsSpan(c * d, d));
            candidateColumns[c] = index.ColumnOf[candidates[c]];
            candidatePrior[c] = prior[candidates[c]];
        }
        freshOrder = candidates.OrderByDescending(a => index.PublishedTicks[a]).ToArray();
        popularOrder = candidates.OrderByDescending(a => stats.Clicks[a]).ToArray();
        popularThreshold = popularOrder.Length == 0 ? 0 : stats.Clicks[popularOrder[Math.Min(popularOrder.Length - 1, popularOrder.Length / 10)]];
    }

    public ArticleIndex Index { get; }
    public ArticleStats Stats { get; }
    public DateTime Now { get; }
    public IPairScorer? Scorer { get; }
    public EngineOptions Options { get; }
    public int CandidateCount => candidates.Length;

    private int FoldedDimensions => Index.Dimensions % 16 == 0 ? Index.Dimensions / 2 : Index.Dimensions;

    private void Fold(ReadOnlySpan<float> source, Span<float> destination)
    {
        if (destination.Length == source.Length)
        {
            source.CopyTo(destination);
            return;
        }
        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = source[i] + source[i + destination.Length];
        }
    }

    public Workspace CreateWorkspace() => new(this);

    /// <summary>One reader's feed: the full candidate generation, then ranking and re-rank.</summary>
    public IReadOnlyList<RecommendedItem> Recommend(ReaderProfile reader, int count, Workspace? workspace = null)
    {
        var ws = workspace ?? CreateWorkspace();
        ws.Reader.Load(reader);
        ws.Shortlist.Clear();
        if (ws.Reader.IsEmpty)
        {
            AddPopularFresh(ws);
        }
        else
        {
            GenerateCandidates(ws);
        }
        var ranked = RankAndRerank(ws, count);
        var items = new List<RecommendedItem>(ranked.Length);
        foreach (var r in ranked)
        {
            items.Add(Describe(r));
        }
        return items;
    }

    /// <summary>
    /// Many readers at once (digests): first stage over every candidate, top-k shortlist, model,
    /// re-rank; <paramref name="sink"/> receives each reader's list (called concurrently).
    /// </summary>
    public void RecommendMany(IReadOnlyList<ReaderProfile> readers, int count, Action<int, ReadOnlySpan<RankedArticle>> sink, CancellationToken ct = default)
    {
        // Readers go in blocks of four so each candidate vector is loaded once per block.
        const int block = 4;
        var blocks = (readers.Count + block - 1) / block;
        Parallel.For(0, blocks, new ParallelOptions { CancellationToken = ct }, () => new Workspace[] { CreateWorkspace(), CreateWorkspace(), CreateWorkspace(), CreateWorkspace() }, (b, _, ws) =>
        {
            var first = b * block;
            var n = Math.Min(block, readers.Count - first);
            for (var j = 0; j < block; j++)
            {
                ws[j].Shortlist.Clear();
                ws[j].Heap.Clear();
                if (j < n)
                {
                    ws[j].Reader.Load(readers[first + j]);
                }
            }
            var d = FoldedDimensions;
            Span<float> dots = stackalloc float[block];
            for (var j = 0; j < n; j++)
            {
                Fold(ws[j].Reader.Text, ws[j].Folded);
            }
            var t0 = ws[0].Folded;
            var t1 = n > 1 ? ws[1].Folded : t0;
            var t2 = n > 2 ? ws[2].Folded : t0;
            var t3 = n > 3 ? ws[3].Folded : t0;
            for (var c = 0; c < candidates.Length; c++)
            {
                var a = candidates[c];
                VectorMath.Dot4(candidateVectors.AsSpan(c * d, d), t0, t1, t2, t3, dots);
                for (var j = 0; j < n; j++)
                {
                    var reader = ws[j].Reader;
                    if (!reader.HasRead(a))
                    {
                        ws[j].Heap.Offer(a, (2f * dots[j]) + reader.ColumnBonus[candidateColumns[c]] + candidatePrior[c]);
                    }
                }
            }
            for (var j = 0; j < n; j++)
            {
                if (ws[j].Reader.IsEmpty)
                {
                    AddPopularFresh(ws[j]);
                }
                else
                {
                    foreach (var a in ws[j].Heap.Items)
                    {
                        ws[j].Shortlist.Add(a);
                    }
                }
                sink(first + j, RankAndRerank(ws[j], count));
            }
            return ws;
        }, _ => { });
    }

    /// <summary>
    /// How much the model predicts each reader is interested in one article: the model's score of the (reader,
    /// article) pair, the features built as for ranking, for every reader — a history or not (a newcomer's score comes
    /// from follows and declared interests alone). False when the article is not in the snapshot or there is no model.
    /// </summary>
    public bool TryScoreArticle(int articleId, IReadOnlyList<ReaderProfile> readers, Span<float> scores, CancellationToken ct = default)
    {
        if (Scorer is null || !Index.TryGetIndex(articleId, out var a))
        {
            return false;
        }
        const int f = FeatureBuilder.FeatureCount;
        const int chunk = 256;
        var result = new float[readers.Count];
        Parallel.For(0, (readers.Count + chunk - 1) / chunk, new ParallelOptions { CancellationToken = ct }, () => (Reader: new ReaderState(Index), Features: new float[chunk * f]), (c, _, ws) =>
        {
            var first = c * chunk;
            var n = Math.Min(chunk, readers.Count - first);
            for (var i = 0; i < n; i++)
            {
                ws.Reader.Load(readers[first + i]);
                var signals = FeatureBuilder.From(Index, Stats, ws.Reader, a);
                FeatureBuilder.Build(Index, ws.Reader, a, Now.Ticks, signals, ws.Features.AsSpan(i * f, f));
            }
            Scorer.Score(ws.Features.AsSpan(0, n * f), result.AsSpan(first, n));
            return ws;
        }, _ => { });
        result.CopyTo(scores);
        return true;
    }

    public RecommendedItem Describe(RankedArticle r)
    {
        var article = Index.Articles[r.Article];
        var reason = r.Reason switch
        {
            ReasonKind.BecauseYouRead => $"because you read “{Index.Articles[r.ReasonArgument].Title}”",
            ReasonKind.FollowColumn => $"you follow {article.ColumnName}",
            ReasonKind.FollowTag => $"you follow #{Index.TagNames[r.ReasonArgument]}",
            ReasonKind.DeclaredInterest => $"you are interested in {article.ColumnName}",
            ReasonKind.OftenRead => $"you often read {article.ColumnName}",
            ReasonKind.FreshIn => $"new in {article.ColumnName}",
            _ => $"popular in {article.ColumnName}",
        };
        return new RecommendedItem(article.Id, r.Score, r.Reason, reason);
    }

    private void AddPopularFresh(Workspace ws)
    {
        ws.Heap.Clear();
        foreach (var a in candidates)
        {
            if (!ws.Reader.HasRead(a))
            {
                ws.Heap.Offer(a, prior[a]);
            }
        }
        foreach (var a in ws.Heap.Items)
        {
            ws.Shortlist.Add(a);
        }
    }

    private void GenerateCandidates(Workspace ws)
    {
        var reader = ws.Reader;
        var o = Options;
        // Similar to what the reader read (and to follows/interests, which shape the profile).
        var similar = new TopK(Math.Max(1, o.SimilarCandidates));
        var followed = 0;
        foreach (var a in candidates)
        {
            if (reader.HasRead(a))
            {
                continue;
            }
            similar.Offer(a, FeatureBuilder.FirstStage(Index, reader, a, prior[a]));
            var column = Index.ColumnOf[a];
            if (followed < o.FollowedCandidates && (reader.FollowsColumn[column] || reader.DeclaredColumn[column] || FollowsTag(reader, a)))
            {
                ws.AddCandidate(a);
                followed++;
            }
        }
        foreach (var a in similar.Items)
        {
            ws.AddCandidate(a);
        }
        TakeUnread(ws, freshOrder, o.FreshCandidates);
        TakeUnread(ws, popularOrder, o.PopularCandidates);
        ws.ResetMarks();
    }

    private void TakeUnread(Workspace ws, int[] order, int count)
    {
        var taken = 0;
        for (var i = 0; i < order.Length && taken < count; i++)
        {
            if (!ws.Reader.HasRead(order[i]))
            {
                ws.AddCandidate(order[i]);
                taken++;
            }
        }
    }

    private bool FollowsTag(ReaderState reader, int a)
    {
        if (reader.FollowedTags.Count == 0 && reader.DeclaredTags.Count == 0)
        {
            return false;
        }
        foreach (var t in Index.TagsOf[a])
        {
            if (reader.FollowedTags.Contains(t) || reader.DeclaredTags.Contains(t))
            {
                return true;
            }
        }
        return false;
    }

    private ReadOnlySpan<RankedArticle> RankAndRerank(Workspace ws, int count)
    {
        var n = ws.Shortlist.Count;
        ws.Ensure(n);
        const int f = FeatureBuilder.FeatureCount;
        for (var i = 0; i < n; i++)
        {
            var a = ws.Shortlist[i];
            var signals = FeatureBuilder.From(Index, Stats, ws.Reader, a);
            ws.RecentMatch[i] = FeatureBuilder.Build(Index, ws.Reader, a, Now.Ticks, signals, ws.Features.AsSpan(i * f, f));
        }
        // The model ranks readers with a history; a newcomer known only by follows and declared
        // interests gets the first stage: training rows almost never come from readers with no reads,
        // so the model's score there is out of its range (it put a declared column last).
        if (Scorer is not null && ws.Reader.HistoryLength > 0)
        {
            Scorer.Score(ws.Features.AsSpan(0, n * f), ws.Scores.AsSpan(0, n));
        }
        else
        {
            for (var i = 0; i < n; i++)
            {
                var a = ws.Shortlist[i];
                ws.Scores[i] = ws.Reader.IsEmpty ? prior[a] : FeatureBuilder.FirstStage(Index, ws.Reader, a, prior[a]);
            }
        }
        // Freshness: older items give way unless clearly better.
        for (var i = 0; i < n; i++)
        {
            var ageDays = (float)Math.Max(0, (Now.Ticks - Index.PublishedTicks[ws.Shortlist[i]]) / (double)TimeSpan.TicksPerDay);
            ws.Adjusted[i] = ws.Scores[i] - (Options.FreshnessPenalty * MathF.Log2(1 + ageDays));
            ws.Order[i] = i;
        }
        Array.Sort(ws.Adjusted, ws.Order, 0, n);
        // Diversity: greedy, best first, at most MaxColumnShare of the list per column; relaxed only
        // when the candidates cannot fill the list otherwise.
        var cap = Math.Max(1, (int)Math.Ceiling(count * Options.MaxColumnShare));
        Array.Clear(ws.ColumnCounts);
        var picked = 0;
        for (var pass = 0; pass < 2 && picked < Math.Min(count, n); pass++)
        {
            for (var j = n - 1; j >= 0 && picked < count; j--)
            {
                var i = ws.Order[j];
                if (i < 0)
                {
                    continue;
                }
                var a = ws.Shortlist[i];
                var column = Index.ColumnOf[a];
                if (pass == 0 && ws.ColumnCounts[column] >= cap)
                {
                    continue;
                }
                ws.ColumnCounts[column]++;
                ws.Order[j] = -1;
                var (reason, argument) = ReasonFor(ws, i, a);
                ws.Output[picked++] = new RankedArticle(a, ws.Scores[i], reason, argument);
            }
        }
        return ws.Output.AsSpan(0, picked);
    }

    private (ReasonKind, int) ReasonFor(Workspace ws, int i, int a)
    {
        var row = ws.Features.AsSpan(i * FeatureBuilder.FeatureCount, FeatureBuilder.FeatureCount);
        var reader = ws.Reader;
        if (ws.RecentMatch[i] >= 0 && row[FeatureBuilder.MaxRecentSimilarity] >= Options.BecauseYouReadSimilarity)
        {
            return (ReasonKind.BecauseYouRead, ws.RecentMatch[i]);
        }
        var column = Index.ColumnOf[a];
        if (reader.FollowsColumn[column])
        {
            return (ReasonKind.FollowColumn, column);
        }
        foreach (var t in Index.TagsOf[a])
        {
            if (reader.FollowedTags.Contains(t))
            {
                return (ReasonKind.FollowTag, t);
            }
        }
        if (reader.DeclaredColumn[column] || row[FeatureBuilder.DeclaredTags] > 0)
        {
            return (ReasonKind.DeclaredInterest, column);
        }
        if (row[FeatureBuilder.ColumnShare] >= 0.3f)
        {
            return (ReasonKind.OftenRead, column);
        }
        if (Stats.Clicks[a] >= popularThreshold && Stats.Clicks[a] > 0)
        {
            return (ReasonKind.PopularIn, column);
        }
        return row[FeatureBuilder.LogAgeHours] <= MathF.Log(25) ? (ReasonKind.FreshIn, column) : (ReasonKind.PopularIn, column);
    }

    /// <summary>Per-thread buffers, reused across readers.</summary>
    public sealed class Workspace
    {
        private readonly bool[] marked;

        internal Workspace(RecommendationEngine engine)
        {
            Reader = new ReaderState(engine.Index);
            Heap = new TopK(Math.Max(1, engine.Options.BulkShortlist));
            marked = new bool[engine.Index.Count];
            ColumnCounts = new int[engine.Index.ColumnCount];
            Folded = new float[engine.FoldedDimensions];
        }

        internal float[] Folded { get; }

        internal ReaderState Reader { get; }
        internal TopK Heap { get; }
        internal List<int> Shortlist { get; } = [];
        internal float[] Features { get; private set; } = [];
        internal float[] Scores { get; private set; } = [];
        internal float[] Adjusted { get; private set; } = [];
        internal int[] Order { get; private set; } = [];
        internal int[] RecentMatch { get; private set; } = [];
        internal RankedArticle[] Output { get; private set; } = [];
        internal int[] ColumnCounts { get; }

        internal void AddCandidate(int a)
        {
            if (!marked[a])
            {
                marked[a] = true;
                Shortlist.Add(a);
            }
        }

        internal void ResetMarks()
        {
            foreach (var a in Shortlist)
            {
                marked[a] = false;
            }
        }

        internal void Ensure(int n)
        {
            if (Scores.Length < n)
            {
                var size = Math.Max(n, 64);
                Features = new float[size * FeatureBuilder.FeatureCount];
                Scores = new float[size];
                Adjusted = new float[size];
                Order = new int[size];
                RecentMatch = new int[size];
                Output = new RankedArticle[size];
            }
        }
    }
}
