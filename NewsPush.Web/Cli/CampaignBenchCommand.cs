using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Web.Campaigns;
using NewsPush.Web.Devices;
using NewsPush.Web.Inbox;
using NewsPush.Web.Push;
using NewsPush.Web.Recommendations;

namespace NewsPush.Web.Cli;

/// <summary>
/// `bench campaign [--readers 1000000] [--keep]`: a fresh SQLite database of its own with readers whose inbox is on,
/// a third of them with an app install and a sixth with a browser. One breaking-news push to everyone: the timed
/// steps are the audience preview (<see cref="CampaignPreview"/>), the inbox part (from the start of sending until the
/// inboxes of 200 readers spread over the audience show the push, asked as their badges ask), and the fan-out
/// (<see cref="CampaignSender"/>: every per-channel delivery queued). Then one reader's unread count and inbox page with
/// the push live, and the preview's figures against what was queued. Prints the figures against the issue's targets.
/// </summary>
public static class CampaignBenchCommand
{
    private const int WatchedReaders = 200;

    internal static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var count = Math.Max(1, DigestBenchCommand.IntArg(args, "--readers", 1_000_000));
        var keep = args.Contains("--keep");
        // --predicted P: a model trained and activated as `bench digest --model` does, and the push goes to the top P % by its score.
        var predictedPercent = DigestBenchCommand.IntArg(args, "--predicted", 0);
        var filter = predictedPercent > 0
            ? new AudienceFilter(PushSegment.PredictedInterested, [], [], null, TopPercent: predictedPercent)
            : new AudienceFilter(PushSegment.Everyone, [], [], null);
        // --folder F: the database of an earlier `--keep` run is used again (its readers are not made again); --preview-only: stop after the preview.
        var given = DigestBenchCommand.StringArg(args, "--folder");
        var folder = given ?? Path.Combine(Path.GetTempPath(), "newspush-bench", Guid.NewGuid().ToString("N"));
        var reuse = given is not null && File.Exists(Path.Combine(folder, "bench.db"));
        keep |= given is not null;
        var previewOnly = args.Contains("--preview-only");
        Directory.CreateDirectory(folder);
        try
        {
            var setup = Stopwatch.StartNew();
            var builder = WebApplication.CreateBuilder([
                "--Database:Provider=Sqlite", $"--Database:ConnectionString=Data Source={Path.Combine(folder, "bench.db")}",
                $"--Database:DataFolder={folder}", "--Seed:DemoReaderCount=0", "--Seed:ArticleCount=320",
                "--Digest:SchedulingEnabled=false", "--Delivery:DispatcherEnabled=false", "--Campaigns:SchedulingEnabled=false",
                "--Webhooks:DigestSchedulingEnabled=false", "--Logging:LogLevel:Default=Warning",
            ]);
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.AddNewsPush();
            builder.Services.AddScoped<IArticleRecommender, DigestBenchCommand.SyntheticRecommender>();
            await using var app = builder.Build();
            await app.InitializeDatabaseAsync();
            var now = DateTime.UtcNow;
            if (!reuse)
            {
                await DigestBenchCommand.CreateReadersAsync(app.Services, count, DigestFrequency.Daily, inbox: true, email: false, now, ct, (db, user, preferences, i) =>
                {
                    if (i % 3 == 0)
                    {
                        preferences.AppPushEnabled = true;
                        var token = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(i)));
                        db.Devices.Add(new Device
                        {
                            UserId = user.Id, DeviceId = $"bench-{i}", Platform = i % 2 == 0 ? DevicePlatform.Ios : DevicePlatform.Android, Token = token,
                            TokenHash = DeviceRegistry.Hash(token), TokenUpdatedAt = now, CreatedAt = now, LastSeenAt = now,
                        });
                    }
                    if (i % 6 == 1)
                    {
                        preferences.WebPushEnabled = true;
                        db.WebPushSubscriptions.Add(new WebPushSubscription
                        {
                            UserId = user.Id, Endpoint = $"https://fcm.googleapis.com/fcm/send/bench-{i}", P256dh = "x", Auth = "y", Browser = "Chrome on Linux",
                            CreatedAt = now, LastSeenAt = now,
                        });
                    }
                });
                if (predictedPercent > 0)
                {
                    await ModelBench.PrepareAsync(app.Services, DigestBenchCommand.IntArg(args, "--interactions", 300_000), now, ct);
                }
            }
            else
            {
                await using var scope = app.Services.CreateAsyncScope();
                count = await scope.ServiceProvider.GetRequiredService<NewsPushDbContext>().ReaderPreferences.CountAsync(ct) - 2;
            }
            long campaignId;
            int articleId, columnId;
            string title;
            await using (var scope = app.Services.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<NewsPushDbContext>();
                var article = await db.Articles.AsNoTracking().Where(a => a.Status == ArticleStatus.Published).OrderByDescending(a => a.PublishedAt).FirstAsync(ct);
                articleId = article.Id;
                columnId = article.ColumnId;
                title = article.Title;
                var campaign = db.PushCampaigns.Add(new PushCampaign
                {
                    ArticleId = article.Id, Title = article.Title, Message = article.Summary, Segment = filter.Segment, PredictedTopPercent = filter.TopPercent, IsCritical = true,
                    Status = CampaignStatus.Approved, CreatedAt = now, UpdatedAt = now,
                }).Entity;
                await db.SaveChangesAsync(ct);
                campaignId = campaign.Id;
                // Nothing leaves the machine: every channel that sends is paused (the bench runs no dispatcher either).
                foreach (var channel in reuse ? [] : new[] { DeliveryChannel.Email, DeliveryChannel.WebPush, DeliveryChannel.Webhook, DeliveryChannel.Fcm, DeliveryChannel.Apns })
                {
                    db.ChannelStates.Add(new ChannelState { Channel = channel, IsPaused = true, PauseKind = ChannelPauseKind.Configuration, PausedAt = now, UpdatedAt = now });
                }
                await db.SaveChangesAsync(ct);
            }
            setup.Stop();
            Console.WriteLine($"{count:N0} readers (inbox on; {(count + 2) / 3:N0} with an app install, {(count + 4) / 6:N0} with a browser). Setup {setup.Elapsed.TotalSeconds:F1} s.");

            var preview = Stopwatch.StartNew();
            AudiencePreview result;
            await using (var scope = app.Services.CreateAsyncScope())
            {
                result = await scope.ServiceProvider.GetRequiredService<CampaignPreview>().PreviewAsync(filter, articleId, critical: true, DateTime.UtcNow, ct);
            }
            preview.Stop();
            // The preview again, as an editor on a running site gets it (the first paid for JIT, query compilation, loading the
            // model and mapping the pages), and its one pass over the audience alone, on one connection.
            var again = Stopwatch.StartNew();
            await using (var scope = app.Services.CreateAsyncScope())
            {
                await scope.ServiceProvider.GetRequiredService<CampaignPreview>().PreviewAsync(filter, articleId, critical: true, DateTime.UtcNow, ct);
            }
            again.Stop();
            var counting = Stopwatch.StartNew();
            await using (var scope = app.Services.CreateAsyncScope())
            {
                // For a predicted audience: the readers the model scores.
                var part = CampaignAudience.InboxPart(new AudienceFilter(PushSegment.Everyone, [], [], null), columnId, DateTime.UtcNow);
                await scope.ServiceProvider.GetRequiredService<CampaignAudience>().CountAsync(part, ct);
            }
            counting.Stop();
            if (previewOnly)
            {
                Console.WriteLine($"| Audience preview on a running site: the second one (matched / reached) | {again.Elapsed.TotalSeconds:F2} s ({result.Matched:N0} / {result.Reached:N0}) | ≤ 2 s |");
                Console.WriteLine($"| The first preview in a fresh process (JIT, queries compiled, model and pages loaded) / the count over the audience alone, one connection | {preview.Elapsed.TotalSeconds:F2} s / {counting.Elapsed.TotalSeconds:F2} s | |");
                var small = Stopwatch.StartNew();
                await using (var scope = app.Services.CreateAsyncScope())
                {
                    await ActivatorUtilities.CreateInstance<CampaignPreview>(scope.ServiceProvider, Options.Create(new CampaignOptions { PreviewSampleSize = 100 }))
                        .PreviewAsync(filter, articleId, critical: true, DateTime.UtcNow, ct);
                }
                Console.WriteLine($"| Same preview planning 100 readers instead of {new CampaignOptions().PreviewSampleSize:N0} | {small.Elapsed.TotalSeconds:F2} s | |");
                return 0;
            }

            var process = Process.GetCurrentProcess();
            // Readers whose inboxes are watched while the push goes out: spread over the id order, the last one included.
            List<string> watched;
            await using (var scope = app.Services.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<NewsPushDbContext>();
                var ids = await db.ReaderPreferences.AsNoTracking().OrderBy(p => p.UserId).Select(p => p.UserId).ToListAsync(ct);
                watched = Spread(ids);
            }
            var sending = Stopwatch.StartNew();
            var fanout = Task.Run(async () =>
            {
                await using var scope = app.Services.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<NewsPushDbContext>();
                await db.PushCampaigns.Where(c => c.Id == campaignId).ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, CampaignStatus.Sending), ct);
                await scope.ServiceProvider.GetRequiredService<CampaignSender>().FanoutAsync(campaignId, ct);
                return sending.Elapsed;
            }, ct);
            TimeSpan? storedAt = null;
            if (predictedPercent > 0)
            {
                // A predicted audience is known once the fan-out has scored it: the inbox part is stored with its members
                // in one transaction, so every member's inbox shows it from that commit on (the members are checked below).
                while (!fanout.IsCompleted)
                {
                    await using (var scope = app.Services.CreateAsyncScope())
                    {
                        if (await scope.ServiceProvider.GetRequiredService<NewsPushDbContext>().Broadcasts.AnyAsync(b => b.CampaignId == campaignId, ct))
                        {
                            break;
                        }
                    }
                    await Task.Delay(20, ct);
                }
                storedAt = sending.Elapsed;
                await fanout;
                await using (var scope = app.Services.CreateAsyncScope())
                {
                    var db = scope.ServiceProvider.GetRequiredService<NewsPushDbContext>();
                    var members = await db.PushAudienceMembers.AsNoTracking().Where(m => m.CampaignId == campaignId).OrderBy(m => m.UserId).Select(m => m.UserId).ToListAsync(ct);
                    watched = Spread(members);
                    Console.WriteLine($"Predicted audience: {members.Count:N0} members stored {storedAt.Value.TotalSeconds:F1} s after sending started.");
                }
            }
            // The inbox part: how long until every watched reader's inbox shows the push (what their badge asks for).
            var waiting = new HashSet<string>(watched);
            while (waiting.Count > 0 && !fanout.IsCompleted)
            {
                await using (var scope = app.Services.CreateAsyncScope())
                {
                    var inboxService = scope.ServiceProvider.GetRequiredService<InboxService>();
                    foreach (var id in waiting.ToList())
                    {
                        if (await inboxService.UnreadCountAsync(id, ct) > 0)
                        {
                            waiting.Remove(id);
                        }
                    }
                }
                if (waiting.Count > 0)
                {
                    await Task.Delay(20, ct);
                }
            }
            var inboxAt = storedAt ?? sending.Elapsed;
            var queuedAt = await fanout;
            // With the push live: what one reader's badge and inbox page cost, over the watched readers.
            var badge = new List<double>();
            var page = new List<double>();
            var inbox = 0;
            await using (var scope = app.Services.CreateAsyncScope())
            {
                var inboxService = scope.ServiceProvider.GetRequiredService<InboxService>();
                foreach (var id in watched)
                {
                    var t = Stopwatch.StartNew();
                    var unread = await inboxService.UnreadCountAsync(id, ct);
                    badge.Add(t.Elapsed.TotalMilliseconds);
                    t.Restart();
                    var items = await inboxService.ListAsync(id, 1, 20, archived: false, ct);
                    page.Add(t.Elapsed.TotalMilliseconds);
                    inbox += unread == 1 && items.Items.Count(i => i.Title == title) == 1 ? 1 : 0;
                }
            }
            int inboxReaders;
            await using (var scope = app.Services.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<NewsPushDbContext>();
                inboxReaders = await db.Broadcasts.Where(b => b.CampaignId == campaignId).Select(b => b.AudienceCount ?? 0).SingleAsync(ct);
            }
            var queued = await WebPushBenchCommand.CountAsync(app.Services, d => d.ContentId == campaignId && d.ContentKind == DeliveryContentKind.Breaking, ct);
            var byChannel = await ChannelCountsAsync(app.Services, campaignId, ct);
            process.Refresh();

            Console.WriteLine();
            Console.WriteLine("| Figure | Value | Target |");
            Console.WriteLine("|---|---:|---:|");
            Console.WriteLine($"| Audience preview on a running site: the second one (matched / reached{(result.Estimated ? $"; channels estimated from {result.Planned:N0} readers" : "")}) | {again.Elapsed.TotalSeconds:F2} s ({result.Matched:N0} / {result.Reached:N0}) | ≤ 2 s |");
            Console.WriteLine($"| The first preview in a fresh process (JIT, queries compiled, model and pages loaded) / the count over the audience alone, one connection | {preview.Elapsed.TotalSeconds:F2} s / {counting.Elapsed.TotalSeconds:F2} s | |");
            Console.WriteLine($"| Every watched reader's inbox shows the push ({watched.Count} readers across the id order) | {inboxAt.TotalSeconds:F2} s after sending | ≤ 5 s |");
            Console.WriteLine($"| Every per-channel delivery queued ({queued:N0}) | {queuedAt.TotalSeconds:F1} s | ≤ 30 s |");
            Console.WriteLine($"| One reader's unread count with the push live, p50 / max | {Percentile(badge, 0.5):F2} / {badge.Max():F2} ms | |");
            Console.WriteLine($"| One reader's inbox page with the push live, p50 / max | {Percentile(page, 0.5):F2} / {page.Max():F2} ms | |");
            Console.WriteLine($"| Peak working set | {process.PeakWorkingSet64 / 1024 / 1024:N0} MiB | |");
            Console.WriteLine($"| Inbox part: readers in its audience with the inbox on | {inboxReaders:N0} | |");
            foreach (var c in result.Channels)
            {
                var actual = c.Channel == "Inbox" ? inboxReaders : byChannel.GetValueOrDefault(c.Channel);
                Console.WriteLine($"| {c.Channel}: preview readers / endpoints → queued | {c.Readers:N0} / {c.Endpoints:N0} → {actual:N0} | |");
            }
            // Everyone includes the seeded staff (their inboxes are on too).
            var ok = inbox == watched.Count && inboxReaders >= (predictedPercent > 0 ? count * predictedPercent / 100 : count)
                && (predictedPercent > 0 || inboxReaders == result.Channels.Single(c => c.Channel == "Inbox").Readers);
            Console.WriteLine(ok ? $"\nEvery watched reader's inbox shows the push, and the inbox part's audience is {(predictedPercent > 0 ? $"the top {predictedPercent} %" : "every reader")}."
                : "\nNOT every reader got the push in the inbox.");
            return ok ? 0 : 2;
        }
        finally
        {
            if (!keep)
            {
                try
                {
                    Directory.Delete(folder, recursive: true);
                }
                catch (IOException)
                {
                }
            }
        }
    }

    /// <summary><see cref="WatchedReaders"/> ids spread over <paramref name="ids"/> in their order, the first and the last included.</summary>
    private static List<string> Spread(List<string> ids) =>
        Enumerable.Range(0, WatchedReaders).Select(i => ids[(int)((long)i * (ids.Count - 1) / (WatchedReaders - 1))]).Distinct().ToList();

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[(int)Math.Min(sorted.Count - 1, Math.Floor(p * sorted.Count))];
    }

    /// <summary>The push's deliveries by channel, named as the preview names them.</summary>
    private static async Task<Dictionary<string, int>> ChannelCountsAsync(IServiceProvider services, long campaignId, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NewsPushDbContext>();
        return (await db.Deliveries.AsNoTracking().Where(d => d.ContentKind == DeliveryContentKind.Breaking && d.ContentId == campaignId)
                .GroupBy(d => d.Channel).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct))
            .ToDictionary(x => CampaignPreview.ChannelName(x.Key), x => x.Count);
    }
}
