using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Web.Campaigns;
using NewsPush.Web.Devices;
using NewsPush.Web.Devices.Apns;
using NewsPush.Web.Devices.Fcm;
using NewsPush.Web.Digests;
using NewsPush.Web.Push;
using NewsPush.Web.Recommendations;
using GroupTimings = NewsPush.Web.Cli.WebPushBenchCommand.GroupTimings;

namespace NewsPush.Web.Cli;

/// <summary>
/// `bench devices [--devices 100000] [--ios-share 0.5] [--fcm-parallelism N] [--apns-parallelism N] [--breaking] [--breakdown] [--keep]`:
/// a fresh SQLite database of its own with readers whose only channel is one app install each, Android or iOS, and FCM
/// (token endpoint and HTTP v1, HTTP/1.1) and APNs (HTTP/2) peers inside this process on free loopback ports. The
/// digest run queues one delivery per device; the timed step is the real dispatcher with <see cref="FcmChannel"/> and
/// <see cref="ApnsChannel"/> through <see cref="FcmClient"/> and <see cref="ApnsClient"/>.
/// </summary>
public static class DevicesBenchCommand
{
    internal static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var count = Math.Max(1, DigestBenchCommand.IntArg(args, "--devices", 100_000));
        var iosShare = DigestBenchCommand.StringArg(args, "--ios-share") is { } share && double.TryParse(share, CultureInfo.InvariantCulture, out var s)
            ? Math.Clamp(s, 0, 1) : 0.5;
        var keep = args.Contains("--keep");
        var breakdown = args.Contains("--breakdown");
        // --breaking: one breaking-news push to every reader (a campaign's fan-out) instead of a digest each.
        var breaking = args.Contains("--breaking");
        var fcmParallelism = DigestBenchCommand.IntArg(args, "--fcm-parallelism", new FcmOptions().Parallelism);
        var apnsParallelism = DigestBenchCommand.IntArg(args, "--apns-parallelism", new ApnsOptions().Parallelism);
        var folder = Path.Combine(Path.GetTempPath(), "newspush-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var setup = Stopwatch.StartNew();
            var installs = Installs.Create(count, iosShare);
            await using var fcm = await LoopbackFcm.StartAsync(installs.Tokens(DevicePlatform.Android), ct);
            await using var apns = await LoopbackApns.StartAsync(installs.Tokens(DevicePlatform.Ios), ct);

            var builder = WebApplication.CreateBuilder([
                "--Database:Provider=Sqlite", $"--Database:ConnectionString=Data Source={Path.Combine(folder, "bench.db")}",
                $"--Database:DataFolder={folder}", "--Seed:DemoReaderCount=0", "--Seed:ArticleCount=320",
                "--Digest:SchedulingEnabled=false", "--Delivery:DispatcherEnabled=false", "--Campaigns:SchedulingEnabled=false", "--Logging:LogLevel:Default=Warning",
            ]);
            // Secrets and multi-line values through configuration in memory rather than the command line.
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Push:Fcm:Endpoint"] = fcm.BaseUrl, ["Push:Fcm:ServiceAccountJson"] = fcm.ServiceAccountJson(),
                ["Push:Fcm:Parallelism"] = fcmParallelism.ToString(CultureInfo.InvariantCulture),
                ["Push:Apns:Endpoint"] = apns.BaseUrl, ["Push:Apns:KeyId"] = apns.KeyId, ["Push:Apns:TeamId"] = apns.TeamId,
                ["Push:Apns:BundleId"] = apns.BundleId, ["Push:Apns:PrivateKey"] = apns.PrivateKeyPem,
                ["Push:Apns:Parallelism"] = apnsParallelism.ToString(CultureInfo.InvariantCulture),
            });
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.AddNewsPush();
            builder.Services.AddScoped<IArticleRecommender, DigestBenchCommand.SyntheticRecommender>();
            var fcmGroups = new GroupTimings();
            var apnsGroups = new GroupTimings();
            WebPushBenchCommand.TimeGroups<FcmChannel>(builder.Services, fcmGroups);
            WebPushBenchCommand.TimeGroups<ApnsChannel>(builder.Services, apnsGroups);
            await using var app = builder.Build();
            await app.InitializeDatabaseAsync();

            var now = DateTime.UtcNow;
            var android = installs.Count(DevicePlatform.Android);
            var ios = count - android;
            Console.WriteLine($"{count:N0} readers, each with one app install (inbox and e-mail off): {android:N0} Android through FCM at {fcm.BaseUrl}, " +
                $"{ios:N0} iOS through APNs at {apns.BaseUrl} (HTTP/2).");
            await DigestBenchCommand.CreateReadersAsync(app.Services, count, DigestFrequency.Daily, inbox: false, email: false, now, ct, (db, user, preferences, i) =>
            {
                preferences.AppPushEnabled = true;
                var token = installs.Token(i);
                db.Devices.Add(new Device
                {
                    UserId = user.Id, DeviceId = $"bench-install-{i}", Platform = installs.Platform(i), Token = token, TokenHash = DeviceRegistry.Hash(token),
                    TokenUpdatedAt = now, AppVersion = "1.0 (bench)", Locale = "en-GB", PushEnabled = true, ReceivesDigests = true, ReceivesBreaking = true,
                    CreatedAt = now, LastSeenAt = now,
                });
            });
            var composed = 0;
            await using (var scope = app.Services.CreateAsyncScope())
            {
                if (breaking)
                {
                    var db = scope.ServiceProvider.GetRequiredService<NewsPushDbContext>();
                    var article = await db.Articles.AsNoTracking().Where(a => a.Status == ArticleStatus.Published).OrderByDescending(a => a.PublishedAt).FirstAsync(ct);
                    var campaign = db.PushCampaigns.Add(new PushCampaign
                    {
                        ArticleId = article.Id, Title = article.Title, Message = article.Summary, Segment = PushSegment.Everyone, IsCritical = true,
                        Status = CampaignStatus.Sending, CreatedAt = now, UpdatedAt = now,
                    }).Entity;
                    await db.SaveChangesAsync(ct);
                    await scope.ServiceProvider.GetRequiredService<CampaignSender>().FanoutAsync(campaign.Id, ct);
                    composed = 1;
                }
                else
                {
                    composed = (await scope.ServiceProvider.GetRequiredService<DigestRunner>().RunAsync(DigestFrequency.Daily, ct)).Composed;
                }
            }
            var queuedFcm = await WebPushBenchCommand.CountAsync(app.Services, d => d.Channel == DeliveryChannel.Fcm && d.Status == DeliveryStatus.Queued, ct);
            var queuedApns = await WebPushBenchCommand.CountAsync(app.Services, d => d.Channel == DeliveryChannel.Apns && d.Status == DeliveryStatus.Queued, ct);
            setup.Stop();
            Console.WriteLine($"Setup: {setup.Elapsed.TotalSeconds:F1} s (readers, devices, {(breaking ? "one breaking-news push fanned out" : $"{composed:N0} digests composed")}, " +
                $"{queuedFcm:N0} FCM and {queuedApns:N0} APNs deliveries queued).");

            var process = Process.GetCurrentProcess();
            GC.Collect();
            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            var cpu = process.TotalProcessorTime;
            var send = Stopwatch.StartNew();
            int handled;
            await using (var scope = app.Services.CreateAsyncScope())
            {
                handled = await scope.ServiceProvider.GetRequiredService<DeliveryDispatcher>().DispatchDueAsync(ct);
            }
            send.Stop();
            process.Refresh();
            var cpuSeconds = (process.TotalProcessorTime - cpu).TotalSeconds;
            var bytesPerPush = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / (double)Math.Max(1, handled);

            var sentFcm = await WebPushBenchCommand.CountAsync(app.Services, d => d.Channel == DeliveryChannel.Fcm && d.Status == DeliveryStatus.Sent, ct);
            var sentApns = await WebPushBenchCommand.CountAsync(app.Services, d => d.Channel == DeliveryChannel.Apns && d.Status == DeliveryStatus.Sent, ct);
            var notSent = await WebPushBenchCommand.CountAsync(app.Services,
                d => (d.Channel == DeliveryChannel.Fcm || d.Channel == DeliveryChannel.Apns) && d.Status != DeliveryStatus.Sent, ct);
            var other = await WebPushBenchCommand.CountAsync(app.Services, d => d.Channel != DeliveryChannel.Fcm && d.Channel != DeliveryChannel.Apns, ct);
            var sent = sentFcm + sentApns;
            var seconds = send.Elapsed.TotalSeconds;
            var inGroups = fcmGroups.TotalSeconds + apnsGroups.TotalSeconds;
            Console.WriteLine();
            Console.WriteLine("| Figure | Value |");
            Console.WriteLine("|---|---:|");
            Row("Devices: Android (FCM) / iOS (APNs)", $"{android:N0} / {ios:N0}");
            Row("Push:Fcm:Parallelism / Push:Apns:Parallelism", $"{fcmParallelism} / {apnsParallelism}");
            Row("Deliveries handled by the dispatcher", $"{handled:N0}");
            Row("Send: wall s (CPU s, this process incl. both peers)", $"{seconds:F1} ({cpuSeconds:F1})");
            Row("**Device pushes/s end to end** (claim, render, POST, record)", $"**{sent / seconds:N0}**");
            Row("CPU per push (sender and peers)", $"{cpuSeconds * 1e6 / Math.Max(1, sent):N0} µs");
            Row($"FCM group of {fcmGroups.GroupSize}: p50 / p99 / max ms", fcmGroups.Summary());
            Row($"APNs group of {apnsGroups.GroupSize}: p50 / p99 / max ms", apnsGroups.Summary());
            Row("Dispatcher outside the groups (claims, content, outcomes)", $"{Math.Max(0, seconds - inGroups):F1} s");
            Row("GC allocated per push (of which in the channel groups)",
                $"{bytesPerPush / 1024:N1} KiB ({(fcmGroups.AllocatedBytes + apnsGroups.AllocatedBytes) / 1024.0 / Math.Max(1, handled):N1} KiB)");
            Row("Peak working set", $"{process.PeakWorkingSet64 / 1024 / 1024:N0} MiB");
            Row("FCM peer: token requests / access tokens issued / refused", $"{fcm.TokenRequests:N0} / {fcm.TokensIssued:N0} / {fcm.TokenRefusals:N0}");
            Row("FCM peer: messages checked / accepted / refused", $"{fcm.Checked:N0} / {fcm.Accepted:N0} / {fcm.Refused:N0}");
            Row("FCM peer: HTTP/1.1 connections", $"{fcm.Connections:N0}");
            Row("APNs peer: checked / accepted / refused", $"{apns.Checked:N0} / {apns.Accepted:N0} / {apns.Refused:N0}");
            Row("APNs peer: provider tokens verified / requests not HTTP/2", $"{apns.ProviderTokens:N0} / {apns.NotHttp2:N0}");
            Row("**APNs HTTP/2 connections used**", $"**{apns.Connections:N0}** ({sentApns / (double)Math.Max(1, apns.Connections):N0} pushes each)");
            Row("Deliveries Sent (FCM / APNs) / not Sent", $"{sent:N0} ({sentFcm:N0} / {sentApns:N0}) / {notSent:N0}");
            foreach (var (name, why) in new[] { ("FCM", fcm.FirstRefusal), ("APNs", apns.FirstRefusal) })
            {
                if (why is not null)
                {
                    Console.WriteLine($"\nFirst refusal by the {name} peer: {why}");
                }
            }
            // A breaking push to everyone also reaches the seeded staff's inboxes (the only other deliveries then).
            var ok = sentFcm == android && sentApns == ios && notSent == 0 && (breaking || other == 0)
                && fcm.Accepted == android && apns.Accepted == ios && fcm.Refused == 0 && apns.Refused == 0 && fcm.TokenRefusals == 0;
            Console.WriteLine(ok
                ? "\nEvery delivery was sent and the FCM and APNs peers accepted every request."
                : "\nNOT every delivery was sent and accepted.");
            if (breakdown)
            {
                Console.WriteLine("\n| Part, measured alone | Cost |\n|---|---:|");
                await ClientsOnlyAsync(app.Services, installs, fcmParallelism, apnsParallelism, ct);
            }
            return ok ? 0 : 2;
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

    /// <summary>The clients and peers alone: the same kind of notification sent straight through FcmClient and ApnsClient, as many at once as the channels do.</summary>
    private static async Task ClientsOnlyAsync(IServiceProvider services, Installs installs, int fcmParallelism, int apnsParallelism, CancellationToken ct)
    {
        const int n = 20_000;
        var data = new Dictionary<string, string> { ["kind"] = "digest", ["path"] = "/", ["delivery"] = "bench" };
        var body = "Ten stories picked for you this morning: " + new string('x', 160);
        var link = "https://localhost/t/c/bench?u=%2F";
        var android = installs.Tokens(DevicePlatform.Android).Take(n).ToArray();
        var ios = installs.Tokens(DevicePlatform.Ios).Take(n).ToArray();
        if (android.Length > 0)
        {
            var client = services.GetRequiredService<FcmClient>();
            await TimeAsync($"FcmClient.SendAsync to the FCM peer (client and peer), {fcmParallelism} at once", fcmParallelism, async (i, token) =>
                (await client.SendAsync(new FcmNotification(android[i % android.Length], "Your morning digest", body, null, link, "digest-1", false,
                    TimeSpan.FromHours(24), 1, data), token)).Outcome == FcmOutcome.Sent);
        }
        if (ios.Length > 0)
        {
            var client = services.GetRequiredService<ApnsClient>();
            await TimeAsync($"ApnsClient.SendAsync to the APNs peer over HTTP/2 (client and peer), {apnsParallelism} at once", apnsParallelism, async (i, token) =>
                (await client.SendAsync(new ApnsNotification(ios[i % ios.Length], "Your morning digest", body, null, link, "digest-1", false,
                    DateTime.UtcNow.AddHours(24), 1, "digest", data), token)).Outcome == ApnsOutcome.Sent);
        }

        async Task TimeAsync(string what, int parallelism, Func<int, CancellationToken, Task<bool>> one)
        {
            var failed = 0;
            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            await Parallel.ForAsync(0, n, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = ct }, async (i, token) =>
            {
                if (!await one(i, token))
                {
                    Interlocked.Increment(ref failed);
                }
            });
            var wall = sw.Elapsed.TotalSeconds;
            var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
            var kib = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / 1024.0 / n;
            Console.WriteLine($"| {what} | " + string.Create(CultureInfo.InvariantCulture,
                $"{wall * 1e6 / n:F1} µs wall, {cpuSeconds * 1e6 / n:F0} µs CPU, {kib:F1} KiB allocated per push ({n / wall:N0}/s, {failed} not sent) |"));
        }
    }

    private static void Row(string figure, string value) => WebPushBenchCommand.Row(figure, value);

    /// <summary>Install n: Android or iOS (spread evenly by the share), with an FCM-shaped registration token or a 64-hex APNs device token.</summary>
    private sealed class Installs
    {
        private readonly string[] tokens;
        private readonly DevicePlatform[] platforms;

        private Installs(int count, double iosShare)
        {
            tokens = new string[count];
            platforms = new DevicePlatform[count];
            for (var i = 0; i < count; i++)
            {
                var ios = Math.Floor((i + 1) * iosShare) > Math.Floor(i * iosShare);
                platforms[i] = ios ? DevicePlatform.Ios : DevicePlatform.Android;
                // FCM: the instance id, ":APA91b", then the rest (about 163 characters); APNs: 32 bytes in hex.
                tokens[i] = ios
                    ? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32))
                    : Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16)) + ":APA91b" + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(100));
            }
        }

        public static Installs Create(int count, double iosShare) => new(count, iosShare);

        public string Token(int n) => tokens[n];

        public DevicePlatform Platform(int n) => platforms[n];

        public int Count(DevicePlatform platform) => platforms.Count(p => p == platform);

        public IEnumerable<string> Tokens(DevicePlatform platform) => tokens.Where((_, i) => platforms[i] == platform);
    }
}
