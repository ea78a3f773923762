using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Web.Campaigns;
using NewsPush.Web.Devices;
using NewsPush.Web.Push;
using NewsPush.Web.Recommendations;

namespace NewsPush.Web.Cli;

/// <summary>
/// `bench campaign [--readers 1000000] [--keep]`: a fresh SQLite database of its own with readers whose inbox is on,
/// a third of them with an app install and a sixth with a browser. One breaking-news push to everyone: the timed
/// steps are the audience preview (<see cref="CampaignPreview"/>), the fan-out (<see cref="CampaignSender"/>: every
/// per-channel delivery queued), and the inbox (the dispatcher delivering the inbox part while the other channels are
/// paused, so nothing leaves the machine). Prints the figures against the issue's targets.
/// </summary>
public static class CampaignBenchCommand
{
    internal static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var count = Math.Max(1, DigestBenchCommand.IntArg(args, "--readers", 1_000_000));
        var keep = args.Contains("--keep");
        var folder = Path.Combine(Path.GetTempPath(), "newspush-bench", Guid.NewGuid().ToString("N"));
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
            long campaignId;
            int articleId;
            await using (var scope = app.Services.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<NewsPushDbContext>();
                var article = await db.Articles.AsNoTracking().Where(a => a.Status == ArticleStatus.Published).OrderByDescending(a => a.PublishedAt).FirstAsync(ct);
                articleId = article.Id;
                var campaign = db.PushCampaigns.Add(new PushCampaign
                {
                    ArticleId = article.Id, Title = article.Title, Message = article.Summary, Segment = PushSegment.Everyone, IsCritical = true,
                    Status = CampaignStatus.Approved, CreatedAt = now, UpdatedAt = now,
                }).Entity;
                await db.SaveChangesAsync(ct);
                campaignId = campaign.Id;
                // Only the inbox is delivered: every other channel is paused, so the deliveries stay queued here.
                foreach (var channel in new[] { DeliveryChannel.Email, DeliveryChannel.WebPush, DeliveryChannel.Webhook, DeliveryChannel.Fcm, DeliveryChannel.Apns })
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
                result = await scope.ServiceProvider.GetRequiredService<CampaignPreview>().PreviewAsync(
                    new AudienceFilter(PushSegment.Everyone, [], [], null), articleId, critical: true, DateTime.UtcNow, ct);
            }
            preview.Stop();

            var process = Process.GetCurrentProcess();
            var sending = Stopwatch.StartNew();
            await using (var scope = app.Services.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<NewsPushDbContext>();
                await db.PushCampaigns.Where(c => c.Id == campaignId).ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, CampaignStatus.Sending), ct);
                await scope.ServiceProvider.GetRequiredService<CampaignSender>().FanoutAsync(campaignId, ct);
            }
            var queuedAt = sending.Elapsed;
            var inbox = 0;
            while (true)
            {
                await using (var scope = app.Services.CreateAsyncScope())
                {
                    if (await scope.ServiceProvider.GetRequiredService<DeliveryDispatcher>().DispatchDueAsync(ct) == 0)
                    {
                        break;
                    }
                }
            }
            var inboxAt = sending.Elapsed;
            await using (var scope = app.Services.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<NewsPushDbContext>();
                inbox = await db.InboxMessages.CountAsync(m => m.CampaignId == campaignId, ct);
            }
            var queued = await WebPushBenchCommand.CountAsync(app.Services, d => d.ContentId == campaignId && d.ContentKind == DeliveryContentKind.Breaking, ct);
            process.Refresh();

            Console.WriteLine();
            Console.WriteLine("| Figure | Value | Target |");
            Console.WriteLine("|---|---:|---:|");
            Console.WriteLine($"| Audience preview (matched / reached) | {preview.Elapsed.TotalSeconds:F1} s ({result.Matched:N0} / {result.Reached:N0}) | ≤ 2 s |");
            Console.WriteLine($"| Every per-channel delivery queued ({queued:N0}) | {queuedAt.TotalSeconds:F1} s | ≤ 30 s |");
            Console.WriteLine($"| Every reader's inbox shows the push ({inbox:N0}) | {inboxAt.TotalSeconds:F1} s after sending | ≤ 5 s |");
            Console.WriteLine($"| Peak working set | {process.PeakWorkingSet64 / 1024 / 1024:N0} MiB | |");
            foreach (var c in result.Channels)
            {
                Console.WriteLine($"| Preview: {c.Channel} readers / endpoints | {c.Readers:N0} / {c.Endpoints:N0} | |");
            }
            // Everyone includes the seeded staff (their inboxes are on too).
            var ok = inbox == result.Reached && result.Reached >= count;
            Console.WriteLine(ok ? "\nEvery reader got the push in the inbox." : "\nNOT every reader got the push in the inbox.");
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
}
