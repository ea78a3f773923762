using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Web.Analytics;

namespace NewsPush.Web.Cli;

/// <summary>
/// `bench analytics [--deliveries 10000000] [--pushes 200] [--readers 100000] [--provider Sqlite|PostgreSql --connection "..."] [--keep]`:
/// a fresh database of its own, filled with raw SQL (series inserts): the deliveries of breaking pushes spread over 90
/// days and five channels, their events (every delivery sent, 30 % opened, 10 % clicked) and reader interactions, so
/// that events and interactions together are three times the deliveries. Then it times the roll-up job over all of it
/// (rows per minute), and the overview (90 days, everything) and one push's report (the queries behind the pages).
/// </summary>
public static class AnalyticsBenchCommand
{
    private const string Placeholder = "{0}";

    private static readonly string[] Sources = ["foryou", "latest", "home", "column", "article"];

    internal static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var deliveries = DigestBenchCommand.IntArg(args, "--deliveries", 10_000_000);
        var pushes = DigestBenchCommand.IntArg(args, "--pushes", 200);
        var readers = DigestBenchCommand.IntArg(args, "--readers", Math.Min(100_000, Math.Max(1000, deliveries / 10)));
        var provider = DigestBenchCommand.StringArg(args, "--provider") ?? "Sqlite";
        var folder = Path.Combine(Path.GetTempPath(), "newspush-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var builder = WebApplication.CreateBuilder([
                $"--Database:Provider={provider}",
                $"--Database:ConnectionString={DigestBenchCommand.StringArg(args, "--connection") ?? $"Data Source={Path.Combine(folder, "bench.db")}"}",
                $"--Database:DataFolder={folder}", "--Seed:DemoReaderCount=0", "--Seed:ArticleCount=320",
                "--Digest:SchedulingEnabled=false", "--Delivery:DispatcherEnabled=false", "--Campaigns:SchedulingEnabled=false",
                "--Analytics:RollupEnabled=false", "--Analytics:SettleSeconds=0", "--Logging:LogLevel:Default=Warning", "--Media:SeedImages=false",
            ]);
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.AddNewsPush();
            await using var app = builder.Build();
            await app.InitializeDatabaseAsync();
            await using var scope = app.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<NewsPushDbContext>();
            db.Database.SetCommandTimeout(TimeSpan.FromHours(2));
            var postgres = db.Database.IsNpgsql();
            var now = DateTime.UtcNow;
            var start = DateTime.SpecifyKind(now.Date.AddDays(-89), DateTimeKind.Utc);

            var load = Stopwatch.StartNew();
            Console.WriteLine($"Generating {deliveries:N0} deliveries of {pushes} pushes to {readers:N0} readers on {provider} ...");
            var article = await db.Articles.OrderBy(a => a.Id).Select(a => a.Id).FirstAsync(ct);
            var pushIds = new List<long>();
            for (var p = 0; p < pushes; p++)
            {
                var at = start.AddMinutes(p * (89.0 * 24 * 60 / pushes));
                var push = new PushCampaign { ArticleId = article, Title = $"Bench push {p}", Message = "", Status = CampaignStatus.Sent, CreatedAt = at, ApprovedAt = at, SentAt = at, UpdatedAt = at };
                db.PushCampaigns.Add(push);
                await db.SaveChangesAsync(ct);
                pushIds.Add(push.Id);
            }
            var firstPush = pushIds[0];
            await InsertUsersAsync(db, readers, postgres, ct);

            // Delivery n: push n % P (ids are consecutive), channel n % 5, reader n % R, queued in its push's hour.
            var pushSeconds = (long)(89.0 * 24 * 3600 / pushes);
            string Epoch(string seconds) => postgres
                ? $"(TIMESTAMPTZ '{start:yyyy-MM-dd HH:mm:ss}+00' + ({seconds}) * INTERVAL '1 second')"
                : $"strftime('%Y-%m-%d %H:%M:%S', '{start:yyyy-MM-dd HH:mm:ss}', '+' || ({seconds}) || ' seconds')";
            var created = $"(n % {pushes}) * {pushSeconds} + (n % 1800)";
            var chunk = 1_000_000;
            var channelOf = "CASE n % 5 WHEN 0 THEN 0 WHEN 1 THEN 1 WHEN 2 THEN 2 WHEN 3 THEN 4 ELSE 3 END";
            await ChunkedAsync(db, postgres, deliveries, chunk, (from, to) => $"""
                INSERT INTO "Deliveries" ("UserId","Channel","ContentKind","ContentId","EndpointId","Status","Attempts","Claims","TrackingToken","CreatedAt","SentAt")
                SELECT 'bench-user-' || (n % {readers}), {channelOf}, 1, {firstPush} + (n % {pushes}), n, 2, 1, 1, 'bench-' || n, {Epoch(created)}, {Epoch(created + " + 60")}
                FROM {Series(postgres, from, to)}
                """, "deliveries", ct);
            var firstDelivery = await db.Deliveries.MinAsync(d => d.Id, ct);
            // Events: sent (every delivery), opened (30 %, within 6 h), clicked (10 %, the first open's tenth).
            foreach (var (type, share, offset, name) in new[] { (1, 10, "60", "sent events"), (4, 3, "600 + (n % 21600)", "open events"), (5, 1, "900 + (n % 21600)", "click events") })
            {
                var count = deliveries / 10 * share;
                var stride = 10 / share;
                await ChunkedAsync(db, postgres, count, chunk, (from, to) => $"""
                    INSERT INTO "DeliveryEvents" ("DeliveryId","Channel","ContentKind","ContentId","Type","IsFirst","ArticleId","OccurredAt")
                    SELECT {firstDelivery} + n * {stride}, CASE (n * {stride}) % 5 WHEN 0 THEN 0 WHEN 1 THEN 1 WHEN 2 THEN 2 WHEN 3 THEN 4 ELSE 3 END, 1, {firstPush} + ((n * {stride}) % {pushes}),
                        {type}, {(postgres ? "TRUE" : "1")}, {(type == 5 ? article.ToString(CultureInfo.InvariantCulture) : "0")}, {Epoch($"((n * {stride}) % {pushes}) * {pushSeconds} + ((n * {stride}) % 1800) + {offset}")}
                    FROM {Series(postgres, from, to)}
                    """, name, ct);
            }
            var events = deliveries / 10 * 14;
            var interactions = deliveries * 3L - events;
            var articles = await db.Articles.Select(a => a.Id).ToListAsync(ct);
            var (minArticle, maxArticle) = (articles.Min(), articles.Max());
            var sourceCase = "CASE n % 5 " + string.Join(" ", Sources.Select((s, i) => $"WHEN {i} THEN '{s}'")) + " END";
            await ChunkedAsync(db, postgres, (int)interactions, chunk, (from, to) => $"""
                INSERT INTO "Interactions" ("UserId","ArticleId","Type","Value","Source","OccurredAt")
                SELECT 'bench-user-' || (n % {readers}), {minArticle} + (n % {maxArticle - minArticle + 1}), CASE WHEN n % 7 = 0 THEN 1 WHEN n % 7 = 1 THEN 2 ELSE 0 END, n % 60, {sourceCase},
                    {Epoch($"(n % {89 * 24 * 3600})")}
                FROM {Series(postgres, from, to)}
                """, "interactions", ct);
            if (postgres)
            {
                await db.Database.ExecuteSqlRawAsync("ANALYZE", ct);
            }
            Console.WriteLine($"Loaded in {load.Elapsed.TotalSeconds:F0} s: {deliveries:N0} deliveries, {events:N0} delivery events, {interactions:N0} interactions.");

            var rollups = scope.ServiceProvider.GetRequiredService<RollupBuilder>();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            var result = await rollups.RunAsync(ct);
            watch.Stop();
            var cpuUsed = Process.GetCurrentProcess().TotalProcessorTime - cpu;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Roll-up: {result.Total:N0} rows ({result.Deliveries:N0} deliveries, {result.Events:N0} events, {result.Interactions:N0} interactions) in {watch.Elapsed.TotalSeconds:F1} s = {result.Total / watch.Elapsed.TotalMinutes:N0} rows/min (CPU {cpuUsed.TotalSeconds:F0} s)"));
            Console.WriteLine($"Roll-up rows: {await db.DeliveryRollups.CountAsync(ct):N0} delivery, {await db.InteractionRollups.CountAsync(ct):N0} interaction, {await db.ColumnReaderDays.CountAsync(ct):N0} column-reader-days");

            var queries = scope.ServiceProvider.GetRequiredService<AnalyticsQueries>();
            var zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");
            await TimeAsync("overview, 90 days, everything", () => queries.OverviewAsync(90, AnalyticsScope.All, zone, ct));
            await TimeAsync("overview, 7 days, newsroom", () => queries.OverviewAsync(7, AnalyticsScope.Newsroom, zone, ct));
            await TimeAsync("overview's push list, 90 days", () => queries.RecentAsync(90, zone, ct));
            await TimeAsync($"one push ({deliveries / pushes:N0} deliveries)", () => queries.ContentAsync(DeliveryContentKind.Breaking, pushIds[pushes / 2], zone, ct));
            var columnId = await db.Columns.Select(c => c.Id).FirstAsync(ct);
            await TimeAsync("one column, 90 days", () => queries.ColumnAsync(columnId, 90, zone, ct));
            await TimeAsync("recommender, 90 days", () => queries.RecommenderAsync(90, zone, ct));
            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (!args.Contains("--keep"))
            {
                try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
            }
        }
    }

    /// <summary>Runs the query once to warm up, then five times; prints the median and the slowest.</summary>
    private static async Task TimeAsync<T>(string what, Func<Task<T>> query)
    {
        await query();
        var times = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            var w = Stopwatch.StartNew();
            await query();
            times.Add(w.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {what}: median {times[2]:F0} ms, slowest {times[^1]:F0} ms"));
    }

    private static string Series(bool postgres, long from, long to) => postgres
        ? $"generate_series({from}, {to - 1}) AS s(n)"
        : $"(WITH RECURSIVE s(n) AS (SELECT {from} UNION ALL SELECT n + 1 FROM s WHERE n < {to - 1}) SELECT n FROM s) AS s";

    private static async Task ChunkedAsync(NewsPushDbContext db, bool postgres, long total, int chunk, Func<long, long, string> sql, string what, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        for (long from = 0; from < total; from += chunk)
        {
            var to = Math.Min(total, from + chunk);
            await db.Database.ExecuteSqlRawAsync(sql(from, to), ct);
        }
        Console.WriteLine($"  {total:N0} {what} in {watch.Elapsed.TotalSeconds:F0} s");
    }

    /// <summary>Readers as rows of AspNetUsers copied from the seeded admin (ids, names, e-mail and feed token made unique).</summary>
    private static async Task InsertUsersAsync(NewsPushDbContext db, int count, bool postgres, CancellationToken ct)
    {
        var entity = db.Model.FindEntityType(typeof(ApplicationUser))!;
        var table = Microsoft.EntityFrameworkCore.Metadata.StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var unique = new Dictionary<string, string>
        {
            ["Id"] = "'bench-user-' || n", ["UserName"] = "'bench-user-' || n", ["NormalizedUserName"] = "'BENCH-USER-' || n",
            ["Email"] = "'bench-user-' || n || '@bench.local'", ["NormalizedEmail"] = "'BENCH-USER-' || n || '@BENCH.LOCAL'",
            ["FeedToken"] = "'bench-feed-' || n", ["SecurityStamp"] = "'bench-' || n", ["ConcurrencyStamp"] = "'bench-' || n",
        };
        var columns = entity.GetProperties().Select(p => p.GetColumnName(table)!).Where(c => c is not null).ToList();
        var select = string.Join(", ", columns.Select(c => unique.TryGetValue(c, out var e) ? e : $"u.\"{c}\""));
        var template = await db.Users.OrderBy(u => u.Id).Select(u => u.Id).FirstAsync(ct);
        // Column names come from the model and the template id is a parameter: nothing of the text is input.
#pragma warning disable EF1002
        await db.Database.ExecuteSqlRawAsync($"""
            INSERT INTO "AspNetUsers" ({string.Join(", ", columns.Select(c => $"\"{c}\""))})
            SELECT {select} FROM {Series(postgres, 0, count)} CROSS JOIN "AspNetUsers" u WHERE u."Id" = {Placeholder}
            """, [template], ct);
#pragma warning restore EF1002
    }
}
