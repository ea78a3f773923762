using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Claims;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NewsPush.Data;
using NewsPush.Data.Entities;

namespace NewsPush.Web.Cli;

/// <summary>
/// `bench reader-site [--readers 1000] [--duration 20] [--warmup 10] [--connections 32] [--pages article,home,for-you,search] [--keep]`:
/// the site itself on a free loopback port, on a fresh SQLite database of its own (the default seed, 320 articles), with
/// that many signed-in readers who each have a reading history, follows, bookmarks, ratings and inbox messages. Each
/// reader's cookie (authentication and antiforgery, as a browser sends them after its first page) is made at set-up, its
/// ticket issued again before each page; wrk then
/// loads each page with the readers rotating request by request (and the articles too), so no reader's data stays hot.
/// Prints requests/s, p50 and p99 from wrk, and the site's CPU time per request from the process's own counters.
/// Needs wrk on the PATH (Debian package wrk).
/// </summary>
public static partial class ReaderSiteBenchCommand
{
    private static readonly string[] SearchWords = ["climate", "election", "market", "health", "football", "energy", "school", "police", "music", "science"];

    internal static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var readers = Math.Max(1, DigestBenchCommand.IntArg(args, "--readers", 1000));
        var duration = Math.Max(1, DigestBenchCommand.IntArg(args, "--duration", 20));
        var connections = Math.Max(1, DigestBenchCommand.IntArg(args, "--connections", 32));
        var pages = (DigestBenchCommand.StringArg(args, "--pages") ?? "article,home,for-you,search").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var keep = args.Contains("--keep");
        // Long enough for the JIT's second tier to settle on a 2-core machine (it compiled for seconds after a 5 s warm-up).
        var warmup = Math.Max(1, DigestBenchCommand.IntArg(args, "--warmup", 10));
        if (warmup + duration > 55)
        {
            Console.Error.WriteLine("--warmup plus --duration must stay under 55 s: a reader's session is checked again after a minute, and wrk cannot keep the renewed cookie.");
            return 2;
        }
        if (!WrkAvailable())
        {
            Console.Error.WriteLine("wrk is not on the PATH: install it (apt-get install wrk).");
            return 2;
        }
        var folder = Path.Combine(Path.GetTempPath(), "newspush-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var port = FreePort();
        var baseUrl = $"http://127.0.0.1:{port}";
        try
        {
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions
            {
                // Not Production: its cookies are Secure-only and __Host- named, which plain loopback HTTP cannot carry.
                EnvironmentName = "Benchmark",
                Args =
                [
                    "--Database:Provider=Sqlite", $"--Database:ConnectionString=Data Source={Path.Combine(folder, "bench.db")}",
                    $"--Database:DataFolder={folder}", "--Seed:DemoReaderCount=0", "--Seed:ArticleCount=320",
                    "--Digest:SchedulingEnabled=false", "--Delivery:DispatcherEnabled=false", "--Campaigns:SchedulingEnabled=false",
                    "--Webhooks:DigestSchedulingEnabled=false", "--Logging:LogLevel:Default=Warning", $"--urls={baseUrl}",
                    $"--Email:PickupFolder={Path.Combine(folder, "pickup")}",
                    // The bench's own throwaway database: its key ring needs no certificate.
                    "--DataProtection:AllowUnprotectedKeys=true",
                ],
            });
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.AddNewsPush();
            await using var app = builder.Build();
            await app.InitializeDatabaseAsync();
            app.UseNewsPush();
            await app.StartAsync(ct);

            var setup = Stopwatch.StartNew();
            // The seeded pictures are drawn in the background at first start: the pages are measured with them, not during.
            await app.Services.GetRequiredService<Media.MediaSeeder>().Completed.WaitAsync(ct);
            var (slugs, articleIds, columnIds) = await ArticlesAsync(app.Services, ct);
            var now = DateTime.UtcNow;
            var users = new List<ApplicationUser>(readers);
            await DigestBenchCommand.CreateReadersAsync(app.Services, readers, DigestFrequency.Daily, inbox: true, email: false, now, ct, (db, user, _, i) =>
            {
                users.Add(user);
                AddHistory(db, user.Id, i, articleIds, columnIds, now);
            });
            await AddRoleAsync(app.Services, users, ct);
            var readerCookies = await ReaderCookies.CreateAsync(app.Services, users, baseUrl, ct);
            Console.WriteLine($"{readers:N0} signed-in readers with history, {slugs.Count} articles: ready in {setup.Elapsed.TotalSeconds:F1} s");

            var paths = new Dictionary<string, List<string>>
            {
                ["article"] = slugs.Select(Slugs.ArticlePath).ToList(),
                ["home"] = ["/"],
                ["for-you"] = ["/for-you"],
                ["search"] = SearchWords.Select(w => "/search?q=" + Uri.EscapeDataString(w)).ToList(),
            };
            var cookieFile = Path.Combine(folder, "cookies.txt");
            var script = Path.Combine(folder, "rotate.lua");
            await File.WriteAllTextAsync(script, LuaScript(cookieFile, Path.Combine(folder, "paths.txt")), ct);

            Console.WriteLine();
            Console.WriteLine($"wrk -t2 -c{connections} -d{duration}s --latency after a {warmup} s warm-up, fresh tickets for each page, {readers:N0} readers rotating; the site on this machine ({Environment.ProcessorCount} cores)");
            Console.WriteLine();
            Console.WriteLine("| Page (signed in) | Requests/s | p50 | p99 | Non-2xx | CPU ms/request | Load (1 min) |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
            foreach (var page in pages)
            {
                if (!paths.TryGetValue(page, out var list))
                {
                    Console.Error.WriteLine($"Unknown page {page}: choose from {string.Join(", ", paths.Keys)}.");
                    return 1;
                }
                await File.WriteAllLinesAsync(Path.Combine(folder, "paths.txt"), list, ct);
                // Tickets issued now: the warm-up and the run end within the minute before a session is checked again.
                var cookies = readerCookies.Refresh();
                await File.WriteAllLinesAsync(cookieFile, cookies, ct);
                await CheckSignedInAsync(baseUrl + list[0], cookies[0], ct);
                await RunWrkAsync(baseUrl, script, connections, warmup, ct);
                using var self = Process.GetCurrentProcess();
                var cpuBefore = self.TotalProcessorTime;
                var result = await RunWrkAsync(baseUrl, script, connections, duration, ct);
                self.Refresh();
                var cpu = self.TotalProcessorTime - cpuBefore;
                var cpuPerRequest = result.Requests == 0 ? 0 : cpu.TotalMilliseconds / result.Requests;
                Console.WriteLine($"| {page} | {result.RequestsPerSecond:N0} | {result.P50} | {result.P99} | {result.Errors} | {cpuPerRequest:F2} | {LoadAverage()} |");
            }
            await app.StopAsync(ct);
            return 0;
        }
        finally
        {
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

    private static async Task<(List<string> Slugs, List<int> Ids, List<int> Columns)> ArticlesAsync(IServiceProvider services, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NewsPushDbContext>();
        var now = DateTime.UtcNow;
        var articles = await db.Articles.AsNoTracking().PubliclyVisible(now).OrderByDescending(a => a.PublishedAt).Take(100)
            .Select(a => new { a.Id, a.Slug }).ToListAsync(ct);
        var columns = await db.Columns.AsNoTracking().Select(c => c.Id).ToListAsync(ct);
        return (articles.Select(a => a.Slug).ToList(), articles.Select(a => a.Id).ToList(), columns);
    }

    /// <summary>What a reader of a few weeks has: reads, follows, a bookmark, a rating, inbox messages (one unread).</summary>
    private static void AddHistory(NewsPushDbContext db, string userId, int i, List<int> articles, List<int> columns, DateTime now)
    {
        for (var k = 0; k < 8; k++)
        {
            var articleId = articles[(i * 7 + k * 13) % articles.Count];
            if (k > 0 && articles[(i * 7 + (k - 1) * 13) % articles.Count] == articleId)
            {
                continue;
            }
            db.ArticleReads.Add(new ArticleRead { UserId = userId, ArticleId = articleId, FirstReadAt = now.AddDays(-k), LastReadAt = now.AddDays(-k), ReadCount = 1, DwellSeconds = 40 });
        }
        db.Follows.Add(new Follow { UserId = userId, Kind = FollowKind.Column, TargetId = columns[i % columns.Count], CreatedAt = now });
        db.Bookmarks.Add(new Bookmark { UserId = userId, ArticleId = articles[(i * 3) % articles.Count], CreatedAt = now });
        db.Ratings.Add(new Rating { UserId = userId, ArticleId = articles[(i * 5) % articles.Count], Stars = 1 + i % 5, CreatedAt = now });
        for (var k = 0; k < 3; k++)
        {
            db.InboxMessages.Add(new InboxMessage
            {
                UserId = userId, Kind = InboxMessageKind.System, Title = $"Message {k}", Body = "Welcome to NewsPush.", CreatedAt = now.AddHours(-k),
                ReadAt = k == 0 ? null : now,
            });
        }
    }

    private static async Task AddRoleAsync(IServiceProvider services, List<ApplicationUser> users, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NewsPushDbContext>();
        var roleId = await db.Roles.Where(r => r.Name == Roles.Reader).Select(r => r.Id).FirstAsync(ct);
        db.UserRoles.AddRange(users.Select(u => new IdentityUserRole<string> { UserId = u.Id, RoleId = roleId }));
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// Each reader's cookie header: the authentication ticket as the site's own cookie handler protects it at sign-in
    /// (a password sign-in per reader would spend a minute in PBKDF2), plus the antiforgery cookie the first page sets.
    /// <see cref="Refresh"/> issues the tickets again: wrk cannot keep the cookie a page renews, so a ticket older than
    /// the reader session check (<see cref="Account.AccountOptions.ReaderSessionCheckSeconds"/>, a minute) would have
    /// every later request validate the session again, where a browser does so once a minute.
    /// </summary>
    private sealed class ReaderCookies
    {
        private readonly List<(ClaimsPrincipal Principal, string Others)> readers = [];
        private CookieAuthenticationOptions options = null!;

        public static async Task<ReaderCookies> CreateAsync(IServiceProvider services, List<ApplicationUser> users, string baseUrl, CancellationToken ct)
        {
            await using var scope = services.CreateAsyncScope();
            var signIn = scope.ServiceProvider.GetRequiredService<SignInManager<ApplicationUser>>();
            var cookies = new ReaderCookies { options = scope.ServiceProvider.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(IdentityConstants.ApplicationScheme) };
            using var http = new HttpClient(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = new Uri(baseUrl) };
            foreach (var user in users)
            {
                var principal = await signIn.CreateUserPrincipalAsync(user);
                using var request = new HttpRequestMessage(HttpMethod.Get, "/");
                request.Headers.Add("Cookie", cookies.Ticket(principal, DateTimeOffset.UtcNow));
                using var response = await http.SendAsync(request, ct);
                var set = response.Headers.TryGetValues("Set-Cookie", out var values) ? values.Select(v => v.Split(';')[0]) : [];
                cookies.readers.Add((principal, string.Join("; ", set.Where(c => !c.StartsWith(cookies.options.Cookie.Name + "=", StringComparison.Ordinal)))));
            }
            return cookies;
        }

        /// <summary>Every reader's cookie header, with a ticket issued now.</summary>
        public List<string> Refresh()
        {
            var now = DateTimeOffset.UtcNow;
            return readers.Select(r => string.Join("; ", new[] { Ticket(r.Principal, now), r.Others }.Where(c => c.Length > 0))).ToList();
        }

        private string Ticket(ClaimsPrincipal principal, DateTimeOffset now)
        {
            var ticket = new AuthenticationTicket(principal, new AuthenticationProperties { IssuedUtc = now, ExpiresUtc = now + options.ExpireTimeSpan }, IdentityConstants.ApplicationScheme);
            return $"{options.Cookie.Name}={options.TicketDataFormat.Protect(ticket)}";
        }
    }

    private static async Task CheckSignedInAsync(string url, string cookie, CancellationToken ct)
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add("Cookie", cookie);
        using var response = await http.SendAsync(request, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        if (response.StatusCode != HttpStatusCode.OK || !body.Contains("/account/logout", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{url} did not answer a signed-in page ({(int)response.StatusCode}).");
        }
    }

    private static string LuaScript(string cookieFile, string pathFile) => $$"""
        -- Each request: the next reader's cookies and the next path; each wrk thread starts at its own offset.
        local cookies, paths = {}, {}
        for line in io.lines("{{cookieFile}}") do cookies[#cookies + 1] = line end
        for line in io.lines("{{pathFile}}") do paths[#paths + 1] = line end
        local counter = 0
        function setup(thread) thread:set("offset", counter * 7919); counter = counter + 1 end
        local i = 0
        function init(args) i = offset or 0 end
        function request()
          i = i + 1
          return wrk.format("GET", paths[(i % #paths) + 1], { ["Cookie"] = cookies[(i % #cookies) + 1] })
        end
        """;

    private sealed record WrkResult(double RequestsPerSecond, long Requests, string P50, string P99, long Errors);

    private static async Task<WrkResult> RunWrkAsync(string baseUrl, string script, int connections, int seconds, CancellationToken ct)
    {
        var start = new ProcessStartInfo("wrk", ["-t2", $"-c{connections}", $"-d{seconds}s", "--latency", "-s", script, baseUrl])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using var wrk = Process.Start(start) ?? throw new InvalidOperationException("wrk did not start");
        var output = await wrk.StandardOutput.ReadToEndAsync(ct);
        await wrk.WaitForExitAsync(ct);
        var rps = Match(RequestsPerSecond(), output);
        var requests = Match(RequestsTotal(), output);
        var errors = Match(NonSuccess(), output);
        return new WrkResult(
            double.TryParse(rps, NumberStyles.Float, CultureInfo.InvariantCulture, out var r) ? r : 0,
            long.TryParse(requests, CultureInfo.InvariantCulture, out var n) ? n : 0,
            Percentile(output, "50%"), Percentile(output, "99%"),
            long.TryParse(errors, CultureInfo.InvariantCulture, out var e) ? e : 0);
    }

    private static string Match(Regex regex, string text) => regex.Match(text) is { Success: true } m ? m.Groups[1].Value : "";

    private static string Percentile(string output, string label) =>
        output.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(label, StringComparison.Ordinal))?[label.Length..].Trim() ?? "?";

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"(\d+) requests in")]
    private static partial Regex RequestsTotal();

    [GeneratedRegex(@"Non-2xx or 3xx responses:\s+(\d+)")]
    private static partial Regex NonSuccess();

    private static bool WrkAvailable() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(dir => File.Exists(Path.Combine(dir, "wrk")));

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
