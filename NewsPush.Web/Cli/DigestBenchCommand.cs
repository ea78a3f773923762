using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Web.Digests;
using NewsPush.Web.Push;
using NewsPush.Web.Recommendations;

namespace NewsPush.Web.Cli;

/// <summary>
/// `bench-digest [--readers 100000] [--email 5000] [--smtp-port N] [--email-parallelism 8] [--fallback-recommender | --model [--interactions N]] [--concurrent] [--keep] [--provider Sqlite|PostgreSql --connection "..."]`:
/// builds a fresh database of its own (never the site's), adds synthetic readers whose local time has just
/// come, then times the digest run (compose + outbox) and the inbox delivery; with --email, the e-mail
/// delivery to an SMTP server (start NewsPush.Tests/Web/Push/smtp-sink.js, or let the bench start it).
/// With --model, a model is trained on synthetic interactions and activated through <see cref="ModelTrainingService"/>,
/// readers get a reading history, and the site's registered recommender (the model path of the real digest job) ranks.
/// </summary>
public static class DigestBenchCommand
{
    private static readonly string[] Zones = ["UTC", "Europe/London", "Europe/Paris", "Asia/Shanghai", "Asia/Tokyo", "America/New_York", "America/Los_Angeles", "Australia/Sydney", "Asia/Kolkata", "America/Sao_Paulo"];

    public static void Register() => CommandLineTools.Register("bench-digest", (_, args, ct) => RunAsync(args, ct));

    internal static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var readers = IntArg(args, "--readers", 100_000);
        var emailReaders = IntArg(args, "--email", 0);
        var withModel = args.Contains("--model");
        var fallback = withModel || args.Contains("--fallback-recommender");
        var keep = args.Contains("--keep");
        var concurrent = args.Contains("--concurrent");
        var folder = Path.Combine(Path.GetTempPath(), "newspush-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        Process? sink = null;
        var smtpPort = IntArg(args, "--smtp-port", 0);
        try
        {
            if (emailReaders > 0 && smtpPort == 0)
            {
                (sink, smtpPort) = StartSink(Path.Combine(folder, "mail"));
            }
            var provider = StringArg(args, "--provider") ?? "Sqlite";
            var settings = new List<string>
            {
                $"--Database:Provider={provider}",
                $"--Database:ConnectionString={StringArg(args, "--connection") ?? $"Data Source={Path.Combine(folder, "bench.db")}"}",
                $"--Database:DataFolder={folder}", "--Seed:DemoReaderCount=0", "--Seed:ArticleCount=320",
                "--Digest:SchedulingEnabled=false", "--Delivery:DispatcherEnabled=false", $"--Delivery:EmailParallelism={IntArg(args, "--email-parallelism", 8)}",
                "--Logging:LogLevel:Default=Warning", $"--Email:PickupFolder={Path.Combine(folder, "pickup")}",
            };
            if (smtpPort > 0)
            {
                settings.Add("--Email:SmtpHost=127.0.0.1");
                settings.Add($"--Email:SmtpPort={smtpPort}");
            }
            var builder = WebApplication.CreateBuilder([.. settings]);
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.AddNewsPush();
            if (!fallback)
            {
                builder.Services.AddScoped<IArticleRecommender, SyntheticRecommender>();
            }
            await using var app = builder.Build();
            await app.InitializeDatabaseAsync();

            var now = DateTime.UtcNow;
            Console.WriteLine($"Creating {readers:N0} inbox readers and {emailReaders:N0} e-mail readers…");
            await CreateReadersAsync(app.Services, readers, DigestFrequency.Daily, inbox: true, email: false, now, ct);
            await CreateReadersAsync(app.Services, emailReaders, DigestFrequency.Weekly, inbox: false, email: true, now, ct);
            if (withModel)
            {
                await ModelBench.PrepareAsync(app.Services, IntArg(args, "--interactions", 300_000), now, ct);
            }
            // The peak is the pipeline's, not the set-up's: collect, then restart the kernel's high-water mark.
            var peakFromStart = ModelBench.ResetPeakMemory();
            ModelBench.SampleResidentSet();
            Console.WriteLine(peakFromStart ? "Peak memory counted from here." : "Peak memory counted from the process start (could not reset VmHWM).");

            Console.WriteLine();
            Console.WriteLine($"| Step | Items | Wall s | CPU s | Rate (wall) | Load (1 min) |");
            Console.WriteLine($"|---|---:|---:|---:|---:|---:|");
            if (concurrent)
            {
                // As in production: the dispatcher works off the outbox while the runner is still composing.
                var (inInbox, seconds) = await TimeAsync(app.Services, sp => ComposeAndDeliverConcurrentlyAsync(app.Services, ct), n => n);
                Row("Compose + deliver concurrently: digests into the inbox", inInbox, seconds, "digests/min", 60);
            }
            else
            {
                var (composed, composeSeconds) = await TimeAsync(app.Services, sp => sp.GetRequiredService<DigestRunner>().RunAsync(DigestFrequency.Daily, ct), r => r.Composed);
                Row("Compose digests + outbox (inbox readers)", composed, composeSeconds, "digests/min", 60);
                var composeCpu = lastCpu;
                var (delivered, deliverSeconds) = await TimeAsync(app.Services, sp => sp.GetRequiredService<DeliveryDispatcher>().DispatchDueAsync(ct), n => n);
                Row("Deliver to the in-site inbox", delivered, deliverSeconds, "digests/min", 60);
                var deliverCpu = lastCpu;
                lastCpu = composeCpu + deliverCpu;
                Row("Total: digests into the inbox", composed, composeSeconds + deliverSeconds, "digests/min", 60);
            }
            Console.WriteLine(ModelBench.MemoryLine());
            await using (var scope = app.Services.CreateAsyncScope())
            {
                // The figure is digests in the inbox, whichever step wrote them (the runner writes the inbox since ADR-023).
                var db = scope.ServiceProvider.GetRequiredService<NewsPushDbContext>();
                Console.WriteLine($"Digest messages in the inbox: {await db.InboxMessages.CountAsync(m => m.Kind == InboxMessageKind.Digest, ct):N0}; inbox deliveries not sent: {await db.Deliveries.CountAsync(d => d.Channel == DeliveryChannel.Inbox && d.Status != DeliveryStatus.Sent, ct):N0}");
            }
            if (emailReaders > 0)
            {
                var (mailed, mailComposeSeconds) = await TimeAsync(app.Services, sp => sp.GetRequiredService<DigestRunner>().RunAsync(DigestFrequency.Weekly, ct), r => r.Composed);
                Row("Compose digests + outbox (e-mail readers)", mailed, mailComposeSeconds, "digests/min", 60);
                var (sent, sendSeconds) = await TimeAsync(app.Services, sp => sp.GetRequiredService<DeliveryDispatcher>().DispatchDueAsync(ct), n => n);
                Row($"E-mail over SMTP (127.0.0.1:{smtpPort}, pooled connections)", sent, sendSeconds, "messages/s", 1);
                Console.WriteLine(ModelBench.MemoryLine());
                await using var scope = app.Services.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<NewsPushDbContext>();
                var failed = await db.Deliveries.CountAsync(d => d.Channel == DeliveryChannel.Email && d.Status != DeliveryStatus.Sent, ct);
                Console.WriteLine($"\nE-mail deliveries not sent: {failed}");
            }
            return 0;
        }
        finally
        {
            if (sink is { HasExited: false })
            {
                sink.Kill(entireProcessTree: true);
                await sink.WaitForExitAsync(CancellationToken.None);
            }
            sink?.Dispose();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (keep)
            {
                Console.WriteLine($"Kept {folder}");
            }
            else
            {
                try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
            }
        }
    }

    /// <summary>The runner and a dispatcher loop side by side; returns the number of inbox messages written.</summary>
    private static async Task<int> ComposeAndDeliverConcurrentlyAsync(IServiceProvider services, CancellationToken ct)
    {
        var signal = services.GetRequiredService<DeliverySignal>();
        var composing = Task.Run(async () =>
        {
            await using var scope = services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<DigestRunner>().RunAsync(DigestFrequency.Daily, ct);
        }, ct);
        while (true)
        {
            var done = composing.IsCompleted;
            await using (var scope = services.CreateAsyncScope())
            {
                await scope.ServiceProvider.GetRequiredService<DeliveryDispatcher>().DispatchDueAsync(ct);
            }
            if (done)
            {
                break;
            }
            await signal.WaitAsync(TimeSpan.FromMilliseconds(200), ct);
        }
        await composing;
        await using var check = services.CreateAsyncScope();
        return await check.ServiceProvider.GetRequiredService<NewsPushDbContext>().InboxMessages.CountAsync(m => m.Kind == InboxMessageKind.Digest, ct);
    }

    private static void Row(string step, int items, double seconds, string unit, int per) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {step} | {items:N0} | {seconds:F1} | {lastCpu:F1} | {(seconds > 0 ? items / seconds * per : 0):N0} {unit} | {ModelBench.LoadAverage()} |"));

    private static double lastCpu;

    private static async Task<(int Count, double Seconds)> TimeAsync<T>(IServiceProvider services, Func<IServiceProvider, Task<T>> action, Func<T, int> count)
    {
        await using var scope = services.CreateAsyncScope();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        var result = await action(scope.ServiceProvider);
        lastCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        return (count(result), sw.Elapsed.TotalSeconds);
    }

    /// <summary>Synthetic readers inserted in bulk (no password: they never log in), each due a few minutes ago.</summary>
    internal static async Task CreateReadersAsync(IServiceProvider services, int count, DigestFrequency frequency, bool inbox, bool email, DateTime now, CancellationToken ct,
        Action<NewsPushDbContext, ApplicationUser, ReaderPreferences, int>? configure = null)
    {
        const int batch = 5000;
        for (var start = 0; start < count; start += batch)
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<NewsPushDbContext>();
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            for (var i = start; i < Math.Min(count, start + batch); i++)
            {
                var zone = TimeZoneInfo.FindSystemTimeZoneById(Zones[i % Zones.Length]);
                var local = TimeZoneInfo.ConvertTimeFromUtc(now.AddMinutes(-5 - i % 50), zone);
                var address = $"bench-{frequency.ToString().ToLowerInvariant()}-{i}@bench.local";
                var user = new ApplicationUser
                {
                    Id = Guid.NewGuid().ToString(), UserName = address, NormalizedUserName = address.ToUpperInvariant(), Email = address,
                    NormalizedEmail = address.ToUpperInvariant(), EmailConfirmed = true, DisplayName = $"Reader {i}", CreatedAt = now,
                    SecurityStamp = Guid.NewGuid().ToString(),
                };
                db.Users.Add(user);
                var preferences = new ReaderPreferences
                {
                    UserId = user.Id, InboxEnabled = inbox, EmailEnabled = email, DigestFrequency = frequency, TimeZoneId = zone.Id,
                    DigestLocalTime = TimeOnly.FromDateTime(local), DigestDayOfWeek = local.DayOfWeek, WeeklyPushCap = 14, UpdatedAt = now,
                };
                db.ReaderPreferences.Add(preferences);
                configure?.Invoke(db, user, preferences, i);
            }
            await db.SaveChangesAsync(ct);
        }
    }

    private static (Process, int) StartSink(string folder)
    {
        var dir = new DirectoryInfo(Directory.GetCurrentDirectory());
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "NewsPush.Tests", "Web", "Push", "smtp-sink.js")))
        {
            dir = dir.Parent;
        }
        if (dir is null)
        {
            throw new InvalidOperationException("smtp-sink.js not found: run from the repository, or pass --smtp-port of a running SMTP server.");
        }
        var psi = new ProcessStartInfo("node") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false, WorkingDirectory = dir.FullName };
        psi.ArgumentList.Add(Path.Combine(dir.FullName, "NewsPush.Tests", "Web", "Push", "smtp-sink.js"));
        psi.ArgumentList.Add(folder);
        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new InvalidOperationException("could not start node");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("node not found: install Node.js, or pass --smtp-port of a running SMTP server.", ex);
        }
        var line = process.StandardOutput.ReadLine() ?? "";
        var parts = line.Split(' ');
        if (parts is not ["LISTENING", var port])
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw new InvalidOperationException("The SMTP sink did not start (run `npm ci` in the repository for smtp-server), or pass --smtp-port.");
        }
        return (process, int.Parse(port, CultureInfo.InvariantCulture));
    }

    internal static int IntArg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var n) ? n : fallback;
    }

    internal static string? StringArg(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    /// <summary>
    /// Stands in for the trained model so the bench measures the digest pipeline, not the scorer (the
    /// recommender has its own benchmark): a fixed per-reader rotation of the fresh articles.
    /// </summary>
    internal sealed class SyntheticRecommender(NewsPushDbContext db, TimeProvider clock, Microsoft.Extensions.Options.IOptions<DigestOptions> options) : IArticleRecommender
    {
        private static int[]? articles;

        public Task<IReadOnlyList<Recommendation>> RecommendAsync(string? userId, int count, CancellationToken ct) =>
            throw new NotSupportedException();

        public async Task<IReadOnlyDictionary<string, IReadOnlyList<Recommendation>>> RecommendManyAsync(IReadOnlyCollection<string> userIds, int count, CancellationToken ct)
        {
            var since = clock.GetUtcNow().UtcDateTime.AddDays(-options.Value.FreshnessDays);
            articles ??= await db.Articles.Where(a => a.Status == ArticleStatus.Published && a.PublishedAt >= since).OrderByDescending(a => a.PublishedAt).Select(a => a.Id).Take(200).ToArrayAsync(ct);
            var result = new Dictionary<string, IReadOnlyList<Recommendation>>(userIds.Count);
            foreach (var id in userIds)
            {
                var offset = (id.GetHashCode(StringComparison.Ordinal) & int.MaxValue) % articles.Length;
                result[id] = Enumerable.Range(0, Math.Min(count, articles.Length)).Select(k => new Recommendation(articles[(offset + k) % articles.Length], 1.0 / (k + 1), "popular with readers like you")).ToList();
            }
            return result;
        }
    }
}
