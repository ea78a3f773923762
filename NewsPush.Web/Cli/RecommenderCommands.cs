using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Recommender;
using NewsPush.Recommender.Data;
using NewsPush.Recommender.Evaluation;
using NewsPush.Recommender.Features;
using NewsPush.Recommender.Ranking;
using NewsPush.Recommender.Serving;
using NewsPush.Web.Recommendations;

namespace NewsPush.Web.Cli;

/// <summary>
/// <c>recommender train|evaluate|import-mind &lt;folder&gt;</c> and <c>bench recommender</c>.
/// </summary>
internal static class RecommenderCommands
{
    private const string Usage = """
        Usage:
          recommender train                         train on the database's interactions, store the version, activate if it beats popularity
          recommender evaluate [--mind <folder>] [--synthetic [--variant default|sparse|nested] [--metadata-share <0..1>] [--seed <n>]] [--trainer <name>|all] [--leaves <n>] [--ablation] [--json <file>] [--max-impressions <n>] [--readers <n>] [--store]
                                                    metric table (model, random, popularity, recency; true probability on synthetic data) and coverage; default source is the database
          recommender import-mind <folder> [--max-impressions <n>] [--keep-dates]
                                                    import MIND news.tsv/behaviors.tsv into the database (dates shifted to end now)
          bench recommender [--readers <n>] [--candidates <n>] [--interactions <n>]
          bench digest [--readers <n>] [--email <n>] [--fallback-recommender]
          bench webpush [--subscriptions <n>] [--keys <n>] [--parallelism <n>] [--breakdown] [--keep]
          bench devices [--devices <n>] [--ios-share <0..1>] [--fcm-parallelism <n>] [--apns-parallelism <n>] [--breaking] [--breakdown] [--keep]
          bench campaign [--readers <n>] [--keep]
          bench reader-site [--readers <n>] [--duration <s>] [--warmup <s>] [--connections <n>] [--pages article,home,for-you,search] [--keep]
          bench analytics [--deliveries <n>] [--pushes <n>] [--readers <n>] [--provider Sqlite|PostgreSql --connection <cs>] [--keep]
        """;

    public static void Register()
    {
        CommandLineTools.Register("recommender", RunAsync);
        CommandLineTools.Register("bench", BenchAsync);
    }

    private static async Task<int> RunAsync(IServiceProvider services, string[] args, CancellationToken ct)
    {
        switch (args.FirstOrDefault())
        {
            case "train":
            {
                var outcome = await services.GetRequiredService<ModelTrainingService>().TrainFromDatabaseAsync(new SyncProgress(), ct);
                if (outcome.Report is not null)
                {
                    Console.WriteLine(outcome.Report.ToTable());
                }
                Console.WriteLine(outcome.Message);
                return outcome.Version is null ? 2 : 0;
            }
            case "evaluate":
                return await EvaluateAsync(services, args[1..], new SyncProgress(), ct);
            case "import-mind" when args.Length >= 2:
                return await ImportMindAsync(services, args[1], args[2..], new SyncProgress(), ct);
            default:
                Console.Error.WriteLine(Usage);
                return 1;
        }
    }

    private static async Task<int> EvaluateAsync(IServiceProvider services, string[] args, IProgress<string> progress, CancellationToken ct)
    {
        var mind = Option(args, "--mind");
        var json = Option(args, "--json");
        var trainerName = Option(args, "--trainer") ?? services.GetRequiredService<Microsoft.Extensions.Options.IOptions<RecommenderOptions>>().Value.Trainer.ToString();
        var maxImpressions = int.Parse(Option(args, "--max-impressions") ?? int.MaxValue.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        RecommenderDataset train;
        RecommenderDataset? test = null;
        Func<ImpressionRecord, int, double>? truth = null;
        if (mind is not null)
        {
            progress.Report($"Reading MIND data from {mind}…");
            (train, test) = MindImporter.ReadBenchmark(mind, maxImpressions);
        }
        else if (args.Contains("--synthetic"))
        {
            var readers = int.Parse(Option(args, "--readers") ?? "3000", CultureInfo.InvariantCulture);
            var variant = Option(args, "--variant") ?? "default";
            var world = variant switch
            {
                "sparse" => SyntheticOptions.SparseMetadata,
                "nested" => SyntheticOptions.NestedDrift,
                "default" => new SyntheticOptions(),
                _ => throw new ArgumentException($"Unknown --variant {variant}: default, sparse or nested."),
            };
            world = world with { Readers = readers };
            if (Option(args, "--metadata-share") is { } share)
            {
                world = world with { MetadataShare = double.Parse(share, CultureInfo.InvariantCulture) };
            }
            if (Option(args, "--seed") is { } seed)
            {
                world = world with { Seed = int.Parse(seed, CultureInfo.InvariantCulture) };
            }
            progress.Report($"Generating the {variant} synthetic world with {readers} readers…");
            var generated = new SyntheticDataGenerator(world).Generate();
            train = generated.Dataset;
            truth = generated.TrueProbability;
        }
        else
        {
            train = await services.GetRequiredService<RecommenderDataLoader>().LoadDatasetAsync(ct);
        }
        progress.Report($"{train.Impressions.Count} impressions ({train.InteractionCount} shown items){(test is null ? ", split by time 80/20" : $"; test: {test.Impressions.Count} impressions")}.");
        if (train.Impressions.Count == 0)
        {
            Console.Error.WriteLine("No impressions to evaluate on.");
            return 2;
        }
        var trees = Option(args, "--leaves") is { } leaves ? new TreeSettings(Leaves: int.Parse(leaves, CultureInfo.InvariantCulture)) : new TreeSettings();
        if (args.Contains("--ablation"))
        {
            return await AblationAsync(train, test, Enum.Parse<TrainerKind>(trainerName, ignoreCase: true), trees, truth, json, progress, ct);
        }
        var trainers = trainerName.Equals("all", StringComparison.OrdinalIgnoreCase)
            ? Enum.GetValues<TrainerKind>()
            : [Enum.Parse<TrainerKind>(trainerName, ignoreCase: true)];
        var reports = new List<EvaluationReport>();
        foreach (var trainer in trainers)
        {
            var options = new EvaluationOptions { Trainer = trainer, Progress = progress, TrueProbability = truth, Trees = trees };
            var result = test is null ? Evaluator.Evaluate(train, options) : Evaluator.Evaluate(train, test, options);
            reports.Add(result.Report);
            Console.WriteLine();
            Console.WriteLine($"Trainer {trainer}:");
            Console.WriteLine(result.Report.ToTable());
            if (args.Contains("--store"))
            {
                var outcome = await services.GetRequiredService<ModelTrainingService>().TrainAndStoreAsync(train, test, progress, ct);
                Console.WriteLine(outcome.Message);
            }
        }
        if (trainers.Length > 1)
        {
            Console.WriteLine();
            Console.WriteLine("| Trainer | AUC | MRR | nDCG@5 | nDCG@10 | training s |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|");
            foreach (var r in reports)
            {
                Console.WriteLine(FormattableString.Invariant($"| {r.Trainer} | {r.Model.Auc:F4} | {r.Model.Mrr:F4} | {r.Model.Ndcg5:F4} | {r.Model.Ndcg10:F4} | {r.TrainingSeconds:F1} |"));
            }
        }
        if (json is not null)
        {
            await File.WriteAllTextAsync(json, JsonSerializer.Serialize(reports.Count == 1 ? reports[0] : (object)reports, ModelTrainingService.Json), ct);
            Console.WriteLine($"Wrote {json}");
        }
        return 0;
    }

    /// <summary>The feature groups of the ablation table in docs/recommender.md.</summary>
    private static readonly (string Name, int[] Off)[] Ablations =
    [
        ("all features", []),
        ("− every feature added for issue 18 (the 12 before)", [.. Enumerable.Range(FeatureBuilder.LegacyFeatureCount, FeatureBuilder.FeatureCount - FeatureBuilder.LegacyFeatureCount)]),
        ("− co-click similarity", [FeatureBuilder.CoClick]),
        ("− reader click propensity", [FeatureBuilder.ReaderCtr, FeatureBuilder.LogReaderShown]),
        ("− freshness per column", [FeatureBuilder.ColumnRelativeAge]),
        ("− recent column and subcategory shares", [FeatureBuilder.RecentColumnShare, FeatureBuilder.RecentTagShare]),
        ("− smoothed CTR and impressions", [FeatureBuilder.LogImpressions, FeatureBuilder.BayesCtr]),
        ("− lifetime CTR", [FeatureBuilder.LifetimeCtr]),
        ("− subcategory (tag) interest", [FeatureBuilder.TagShare, FeatureBuilder.RecentTagShare]),
        ("− text", [FeatureBuilder.TextSimilarity, FeatureBuilder.MaxRecentSimilarity, FeatureBuilder.HasText]),
    ];

    private static async Task<int> AblationAsync(RecommenderDataset train, RecommenderDataset? test, TrainerKind trainer, TreeSettings trees, Func<ImpressionRecord, int, double>? truth, string? json, IProgress<string> progress, CancellationToken ct)
    {
        var rows = new List<object>();
        Console.WriteLine($"| Features ({trainer}) | AUC | nDCG@10 | AUC − popularity |{(truth is null ? "" : " share of the true lift |")}");
        Console.WriteLine($"|---|---:|---:|---:|{(truth is null ? "" : "---:|")}");
        foreach (var (name, off) in Ablations)
        {
            ct.ThrowIfCancellationRequested();
            var options = new EvaluationOptions { Trainer = trainer, Trees = trees, DisabledFeatures = off.ToHashSet(), TrueProbability = truth };
            var report = (test is null ? Evaluator.Evaluate(train, options) : Evaluator.Evaluate(train, test, options)).Report;
            var trueAuc = report.Baselines.FirstOrDefault(b => b.Name == Evaluator.TrueProbabilityName)?.Auc;
            var share = trueAuc is { } t ? (report.Model.Auc - 0.5) / (t - 0.5) : (double?)null;
            Console.WriteLine(FormattableString.Invariant($"| {name} | {report.Model.Auc:F4} | {report.Model.Ndcg10:F4} | {report.Model.Auc - report.Popularity.Auc:+0.0000;-0.0000} |{(share is { } x ? $" {100 * x:F1} % |" : "")}"));
            rows.Add(new { Features = name, Disabled = off, report.Model.Auc, report.Model.Ndcg10, PopularityAuc = report.Popularity.Auc, TrueAuc = trueAuc });
        }
        progress.Report("Ablation done.");
        if (json is not null)
        {
            await File.WriteAllTextAsync(json, JsonSerializer.Serialize(rows, ModelTrainingService.Json), ct);
        }
        return 0;
    }

    /// <summary>
    /// MIND into the site: categories → columns, subcategories → tags, news → published articles,
    /// behaviors → impression and click interactions (source "mind"), history → clicks a day before
    /// the reader's first impression. MIND users are not site accounts; interactions need none.
    /// </summary>
    private static async Task<int> ImportMindAsync(IServiceProvider services, string folder, string[] args, IProgress<string> progress, CancellationToken ct)
    {
        var db = services.GetRequiredService<NewsPushDbContext>();
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;
        var maxImpressions = int.Parse(Option(args, "--max-impressions") ?? int.MaxValue.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        var (train, test) = MindImporter.ReadBenchmark(folder, maxImpressions);
        var impressions = train.Impressions.Concat(test?.Impressions ?? []).ToList();
        var articles = train.Articles.Concat(test?.Articles ?? []).DistinctBy(a => a.Id).ToList();
        var shift = args.Contains("--keep-dates") || impressions.Count == 0 ? TimeSpan.Zero : now - impressions.Max(i => i.Time);
        progress.Report($"Importing {articles.Count} articles and {impressions.Count} impressions (dates shifted by {shift.TotalDays:F0} days)…");

        db.ChangeTracker.AutoDetectChangesEnabled = false;
        var columns = await db.Columns.ToDictionaryAsync(c => c.Slug, ct);
        var tags = await db.Tags.ToDictionaryAsync(t => t.Slug, ct);
        foreach (var name in articles.Select(a => a.ColumnName).Distinct())
        {
            var slug = Slug(name);
            if (!columns.ContainsKey(slug))
            {
                columns[slug] = new Column { Name = Title(name), Slug = slug, Description = "Imported from MIND", SortOrder = 100 + columns.Count, CreatedAt = now };
                db.Columns.Add(columns[slug]);
            }
        }
        foreach (var slug in articles.SelectMany(a => a.Tags).Select(Slug).Distinct())
        {
            if (!tags.ContainsKey(slug))
            {
                tags[slug] = new Tag { Name = slug, Slug = slug };
                db.Tags.Add(tags[slug]);
            }
        }
        await db.SaveChangesAsync(ct);

        var idMap = new Dictionary<int, int>();
        var existing = await db.Articles.Where(a => a.Slug.StartsWith("mind-")).ToDictionaryAsync(a => a.Slug, a => a.Id, ct);
        foreach (var batch in articles.Chunk(2000))
        {
            var added = new List<(int MindId, Article Entity)>();
            foreach (var a in batch)
            {
                var slug = $"mind-{a.Id}";
                if (existing.TryGetValue(slug, out var id))
                {
                    idMap[a.Id] = id;
                    continue;
                }
                var entity = new Article
                {
                    ColumnId = columns[Slug(a.ColumnName)].Id, Slug = slug, Title = Truncate(a.Title, 300), Summary = Truncate(a.Summary, 1000),
                    BodyMarkdown = a.Summary, Status = ArticleStatus.Published, PublishedAt = a.PublishedAt + shift,
                    CreatedAt = a.PublishedAt + shift, UpdatedAt = now,
                    Tags = a.Tags.Select(t => new ArticleTag { TagId = tags[Slug(t)].Id }).ToList(),
                };
                db.Articles.Add(entity);
                added.Add((a.Id, entity));
            }
            await db.SaveChangesAsync(ct);
            foreach (var (mindId, entity) in added)
            {
                idMap[mindId] = entity.Id;
            }
            db.ChangeTracker.Clear();
        }
        progress.Report($"Articles done; writing interactions…");

        var seenHistory = new HashSet<string>();
        var withoutMetadata = 0;
        var pending = 0;
        var done = 0;
        foreach (var imp in impressions.OrderBy(i => i.Time))
        {
            var at = imp.Time + shift;
            var user = $"mind-{imp.ReaderId}";
            if (seenHistory.Add(user))
            {
                foreach (var h in imp.History.Where(idMap.ContainsKey))
                {
                    db.Interactions.Add(new Interaction { UserId = user, ArticleId = idMap[h], Type = InteractionType.Click, Source = "mind", OccurredAt = at.AddDays(-1) });
                    pending++;
                }
            }
            for (var p = 0; p < imp.Items.Count; p++)
            {
                var item = imp.Items[p];
                if (!idMap.TryGetValue(item.ArticleId, out var articleId))
                {
                    // The site shows only articles it can render: an id without news.tsv metadata has no title.
                    withoutMetadata++;
                    continue;
                }
                db.Interactions.Add(new Interaction { UserId = user, ArticleId = articleId, Type = InteractionType.Impression, Value = p, Source = "mind", OccurredAt = at });
                pending++;
                if (item.Clicked)
                {
                    db.Interactions.Add(new Interaction { UserId = user, ArticleId = articleId, Type = InteractionType.Click, Value = p, Source = "mind", OccurredAt = at.AddSeconds(5) });
                    pending++;
                }
            }
            done++;
            if (pending >= 20000)
            {
                await db.SaveChangesAsync(ct);
                db.ChangeTracker.Clear();
                pending = 0;
                progress.Report($"Interactions: {done}/{impressions.Count} impressions");
            }
        }
        await db.SaveChangesAsync(ct);
        progress.Report($"Imported {articles.Count} articles and {impressions.Count} impressions; {withoutMetadata} shown items name an article news.tsv does not describe and were not imported (the site cannot show an article without a title; `recommender evaluate --mind` scores them from behaviour).");
        return 0;
    }

    private static async Task<int> BenchAsync(IServiceProvider services, string[] args, CancellationToken ct)
    {
        if (args.FirstOrDefault() == "digest")
        {
            return await DigestBenchCommand.RunAsync(args[1..], ct);
        }
        if (args.FirstOrDefault() == "webpush")
        {
            return await WebPushBenchCommand.RunAsync(args[1..], ct);
        }
        if (args.FirstOrDefault() == "devices")
        {
            return await DevicesBenchCommand.RunAsync(args[1..], ct);
        }
        if (args.FirstOrDefault() == "analytics")
        {
            return await AnalyticsBenchCommand.RunAsync(args[1..], ct);
        }
        if (args.FirstOrDefault() == "campaign")
        {
            return await CampaignBenchCommand.RunAsync(args[1..], ct);
        }
        if (args.FirstOrDefault() == "reader-site")
        {
            return await ReaderSiteBenchCommand.RunAsync(args[1..], ct);
        }
        if (args.FirstOrDefault() != "recommender")
        {
            Console.Error.WriteLine(Usage);
            return 1;
        }
        var readers = int.Parse(Option(args, "--readers") ?? "1000000", CultureInfo.InvariantCulture);
        var candidates = int.Parse(Option(args, "--candidates") ?? "2000", CultureInfo.InvariantCulture);
        var interactions = int.Parse(Option(args, "--interactions") ?? "1000000", CultureInfo.InvariantCulture);
        await Task.Yield();
        RecommenderBenchmark.Run(readers, candidates, interactions, Console.WriteLine, ct);
        return 0;
    }

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static string Slug(string s) => new string(s.ToLowerInvariant().Select(c => char.IsLetterOrDigit(c) ? c : '-').ToArray()).Trim('-') is { Length: > 0 } slug ? slug[..Math.Min(slug.Length, 60)] : "misc";

    private static string Title(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max];

    /// <summary>Progress printed on the calling thread (Progress&lt;T&gt; posts to the thread pool).</summary>
    private sealed class SyncProgress : IProgress<string>
    {
        public void Report(string value) => Console.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {value}");
    }
}

/// <summary>
/// The three recommender targets, measured on synthetic data in memory: one reader's feed over
/// 2,000 candidates (p50/p99), digest scoring of many readers (top 10 of 2,000), and training on
/// 1,000,000 interactions.
/// </summary>
internal static class RecommenderBenchmark
{
    public static void Run(int readerCount, int candidateCount, int interactions, Action<string> print, CancellationToken ct)
    {
        print($"Machine: {Environment.ProcessorCount} logical cores, {Environment.OSVersion}, .NET {Environment.Version}, load average {LoadAverage()}");
        var process = System.Diagnostics.Process.GetCurrentProcess();
        double CpuSeconds()
        {
            process.Refresh();
            return process.TotalProcessorTime.TotalSeconds;
        }

        // 1. Training on ~`interactions` shown items.
        var perReader = 8 * 15;
        var trainWorld = new SyntheticDataGenerator(new SyntheticOptions { Readers = Math.Max(100, interactions / perReader), Articles = 6000, Days = 14, Seed = 11 });
        var watch = Stopwatch.StartNew();
        var world = trainWorld.Generate();
        print($"Generated {world.Dataset.InteractionCount:N0} interactions ({world.Dataset.Impressions.Count:N0} impressions) in {watch.Elapsed.TotalSeconds:F1} s");
        watch.Restart();
        var cpu = CpuSeconds();
        var empty = world.Dataset with { Impressions = [] };
        var trained = Evaluator.Evaluate(world.Dataset, empty, new EvaluationOptions { Progress = new Progress(print) });
        print($"TRAIN: features + LightGBM on {trained.Report.TrainingExamples:N0} rows: {watch.Elapsed.TotalSeconds:F1} s (LightGBM alone {trained.Report.TrainingSeconds:F1} s), CPU {CpuSeconds() - cpu:F1} s, load {LoadAverage()}");

        // 2. Feed latency: one reader at a time over `candidateCount` fresh candidates.
        var articles = world.Dataset.Articles;
        var index = new ArticleIndex(articles, trained.Model.Vectorizer);
        var now = articles.Max(a => a.PublishedAt);
        // Behaviour as the site replays it: popularity, click-through rates, click ages and co-clicks.
        var behaviour = new BehaviourTracker(index, Evaluator.PopularityHalfLife);
        var replay = new ReaderState(index);
        foreach (var imp in world.Dataset.Impressions)
        {
            replay.Load(imp.History, ReaderInterests.None);
            foreach (var item in imp.Items)
            {
                if (index.TryGetIndex(item.ArticleId, out var a))
                {
                    behaviour.AddImpression(a, imp.Time, item.Clicked);
                    if (item.Clicked)
                    {
                        behaviour.CoClicks.AddClick(a, replay.CoRecent);
                    }
                }
            }
        }
        var candidateIds = articles.OrderByDescending(a => a.PublishedAt).Take(candidateCount).Select(a => a.Id).ToList();
        var engine = new RecommendationEngine(index, behaviour.Snapshot(now), now, candidateIds, trained.Model.Scorer);
        print($"Co-click pairs: {behaviour.CoClicks.PairCount:N0}");
        var feedReaders = SyntheticDataGenerator.GenerateReaders(world, 2000, 5);
        var ws = engine.CreateWorkspace();
        for (var i = 0; i < 200; i++)
        {
            engine.Recommend(feedReaders[i], 20, ws);
        }
        var latencies = new double[feedReaders.Count];
        for (var i = 0; i < feedReaders.Count; i++)
        {
            var t = Stopwatch.GetTimestamp();
            engine.Recommend(feedReaders[i], 20, ws);
            latencies[i] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
        }
        Array.Sort(latencies);
        print(FormattableString.Invariant($"FEED: {feedReaders.Count} readers, {engine.CandidateCount} candidates, top 20: p50 {latencies[latencies.Length / 2]:F2} ms, p99 {latencies[(int)(latencies.Length * 0.99)]:F2} ms, max {latencies[^1]:F2} ms, load {LoadAverage()}"));

        // 3. Digest scoring in bulk.
        watch.Restart();
        var many = SyntheticDataGenerator.GenerateReaders(world, readerCount, 9);
        print($"Generated {readerCount:N0} reader profiles in {watch.Elapsed.TotalSeconds:F1} s");
        var checksum = 0L;
        var done = 0;
        watch.Restart();
        cpu = CpuSeconds();
        engine.RecommendMany(many, 10, (i, ranked) =>
        {
            Interlocked.Add(ref checksum, ranked.Length);
            if (Interlocked.Increment(ref done) % 200_000 == 0)
            {
                print($"  … {done:N0} readers, {watch.Elapsed.TotalSeconds:F0} s");
            }
        }, ct);
        var digestCpu = CpuSeconds() - cpu;
        print(FormattableString.Invariant($"DIGEST: {readerCount:N0} readers × top 10 of {engine.CandidateCount} candidates: {watch.Elapsed.TotalSeconds:F1} s ({readerCount / watch.Elapsed.TotalSeconds:F0} readers/s, {checksum:N0} items), CPU {digestCpu:F1} s = {digestCpu / Environment.ProcessorCount:F1} s on {Environment.ProcessorCount} idle cores, load {LoadAverage()}"));
    }

    /// <summary>The 1-minute load average (Linux), to tell a busy machine's figures from an idle one's.</summary>
    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";

    private sealed class Progress(Action<string> print) : IProgress<string>
    {
        public void Report(string value) => print($"  {value}");
    }
}
