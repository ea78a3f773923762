using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Recommender.Data;
using NewsPush.Web.Recommendations;

namespace NewsPush.Web.Cli;

/// <summary>
/// The set-up of `bench digest --model`: a model trained on synthetic interactions (the world `bench recommender`
/// trains on) and activated through <see cref="ModelTrainingService"/>, a reading history for every reader, and
/// a week of impressions and clicks so the scoring snapshot has popularity, click-through rates and co-clicks.
/// After it, the digest run ranks through the registered <see cref="IArticleRecommender"/> as the real job does.
/// </summary>
internal static class ModelBench
{
    public static async Task PrepareAsync(IServiceProvider services, int interactions, DateTime now, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        int[] articles;
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<NewsPushDbContext>();
            articles = await db.Articles.AsNoTracking().Where(a => a.Status == ArticleStatus.Published).OrderBy(a => a.Id).Select(a => a.Id).ToArrayAsync(ct);
        }
        var histories = await AddHistoriesAsync(services, articles, now, ct);
        var events = await AddInteractionsAsync(services, articles, now, ct);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Reading history: {histories:N0} reads; behaviour: {events:N0} interactions ({watch.Elapsed.TotalSeconds:F1} s)"));

        watch.Restart();
        var world = new SyntheticDataGenerator(new SyntheticOptions { Readers = Math.Max(200, interactions / (8 * 15)), Articles = 2000, Days = 14, Seed = 11 }).Generate();
        await using (var scope = services.CreateAsyncScope())
        {
            var outcome = await scope.ServiceProvider.GetRequiredService<ModelTrainingService>().TrainAndStoreAsync(world.Dataset, null, null, ct);
            if (outcome.Version is not { IsActive: true })
            {
                throw new InvalidOperationException($"The model was not activated: {outcome.Message}");
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Model {outcome.Version.Version} trained on {world.Dataset.InteractionCount:N0} synthetic interactions and activated (AUC {outcome.Version.Auc:F3}, nDCG@10 {outcome.Version.Ndcg10:F3}; {watch.Elapsed.TotalSeconds:F1} s)"));
        }
    }

    /// <summary>1–5 articles read by each reader in the last three weeks (some of them fresh, so the digest must skip them).</summary>
    private static async Task<int> AddHistoriesAsync(IServiceProvider services, int[] articles, DateTime now, CancellationToken ct)
    {
        var total = 0;
        var last = "";
        var rng = new Random(5);
        while (true)
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<NewsPushDbContext>();
            var ids = await db.ReaderPreferences.AsNoTracking().Where(p => string.Compare(p.UserId, last) > 0).OrderBy(p => p.UserId)
                .Select(p => p.UserId).Take(10_000).ToListAsync(ct);
            if (ids.Count == 0)
            {
                return total;
            }
            last = ids[^1];
            var reads = new List<ArticleRead>(ids.Count * 3);
            foreach (var id in ids)
            {
                var n = 1 + rng.Next(5);
                var first = rng.Next(articles.Length);
                for (var k = 0; k < n; k++)
                {
                    // Neighbouring ids are mostly the same column: a reader with a taste, not noise.
                    var at = now.AddHours(-rng.Next(1, 21 * 24));
                    reads.Add(new ArticleRead { UserId = id, ArticleId = articles[(first + (k * 7)) % articles.Length], FirstReadAt = at, LastReadAt = at, ReadCount = 1, DwellSeconds = 30 + rng.Next(120) });
                }
            }
            await using (var tx = await db.Database.BeginTransactionAsync(ct))
            {
                await db.BulkInsertAsync(reads, ct);
                await tx.CommitAsync(ct);
            }
            total += reads.Count;
        }
    }

    /// <summary>Impressions and clicks of 5,000 visitors in the last week: what the snapshot replays for popularity and co-clicks.</summary>
    private static async Task<int> AddInteractionsAsync(IServiceProvider services, int[] articles, DateTime now, CancellationToken ct)
    {
        var rng = new Random(9);
        var rows = new List<Interaction>();
        for (var v = 0; v < 5000; v++)
        {
            var user = $"bench-visitor-{v}";
            var at = now.AddMinutes(-rng.Next(1, 7 * 24 * 60));
            var start = rng.Next(articles.Length);
            for (var p = 0; p < 10; p++)
            {
                var article = articles[(start + (p * 3)) % articles.Length];
                rows.Add(new Interaction { UserId = user, ArticleId = article, Type = InteractionType.Impression, Value = p, Source = "home", OccurredAt = at });
                if (rng.NextDouble() < 0.3 / (1 + p) + ((article % 11) == 0 ? 0.2 : 0))
                {
                    rows.Add(new Interaction { UserId = user, ArticleId = article, Type = InteractionType.Click, Value = p, Source = "home", OccurredAt = at.AddSeconds(5 + p) });
                }
            }
        }
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NewsPushDbContext>();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.BulkInsertAsync(rows, ct);
        await tx.CommitAsync(ct);
        return rows.Count;
    }

    /// <summary>
    /// Collects, then restarts the kernel's peak-RSS counter (VmHWM, what <see cref="Process.PeakWorkingSet64"/> reads on
    /// Linux) by writing 5 to /proc/self/clear_refs, so the peak reported is the timed steps'. False where that is not possible.
    /// </summary>
    public static bool ResetPeakMemory()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return false;
        }
    }

    private static long peakAnonKiB, peakFileKiB;
    private static Timer? sampler;

    /// <summary>
    /// Samples the resident set's two parts twice a second (VmHWM has no breakdown): anonymous memory (GC heap, SQLite's
    /// page cache, native buffers) and file-backed pages (the memory-mapped database, shared memory of the WAL index).
    /// </summary>
    public static void SampleResidentSet()
    {
        Interlocked.Exchange(ref peakAnonKiB, 0);
        Interlocked.Exchange(ref peakFileKiB, 0);
        sampler ??= new Timer(_ =>
        {
            var (anon, file) = ResidentSetKiB();
            if (anon > Interlocked.Read(ref peakAnonKiB)) { Interlocked.Exchange(ref peakAnonKiB, anon); }
            if (file > Interlocked.Read(ref peakFileKiB)) { Interlocked.Exchange(ref peakFileKiB, file); }
        }, null, TimeSpan.Zero, TimeSpan.FromMilliseconds(500));
    }

    private static (long Anon, long File) ResidentSetKiB()
    {
        long anon = 0, file = 0;
        if (!File.Exists("/proc/self/status"))
        {
            return (0, 0);
        }
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            var parts = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length >= 2 && long.TryParse(parts[1], CultureInfo.InvariantCulture, out var kib))
            {
                switch (parts[0])
                {
                    case "RssAnon:": anon = kib; break;
                    case "RssFile:": case "RssShmem:": file += kib; break;
                }
            }
        }
        return (anon, file);
    }

    public static string MemoryLine()
    {
        using var process = Process.GetCurrentProcess();
        var gc = GC.GetGCMemoryInfo(GCKind.Any);
        var (anon, file) = ResidentSetKiB();
        return string.Create(CultureInfo.InvariantCulture,
            $"Memory: peak working set (VmHWM) {process.PeakWorkingSet64 / 1048576.0:N0} MiB; sampled peaks: anonymous {Interlocked.Read(ref peakAnonKiB) / 1024.0:N0} MiB, file-backed {Interlocked.Read(ref peakFileKiB) / 1024.0:N0} MiB; now anonymous {anon / 1024.0:N0} MiB, file-backed {file / 1024.0:N0} MiB; working set now {process.WorkingSet64 / 1048576.0:N0} MiB, GC heap {GC.GetTotalMemory(false) / 1048576.0:N0} MiB (last GC: heap {gc.HeapSizeBytes / 1048576.0:N0} MiB, committed {gc.TotalCommittedBytes / 1048576.0:N0} MiB), collections gen0/1/2 {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}, load {LoadAverage()}");
    }

    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";
}
