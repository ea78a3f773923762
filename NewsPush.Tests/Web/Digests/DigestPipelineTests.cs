using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Tests.Infrastructure;
using NewsPush.Tests.Web.Push;
using NewsPush.Web.Digests;
using NewsPush.Web.Inbox;
using NewsPush.Web.Infrastructure.Realtime;
using NewsPush.Web.Push;
using NewsPush.Web.Recommendations;

namespace NewsPush.Tests.Web.Digests;

/// <summary>The digest pipeline end to end (runner → outbox → inbox/e-mail) on a real database.</summary>
public abstract class DigestPipelineTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : PushFactory
{
    private const string Paris = "Europe/Paris";

    [Fact]
    public async Task RunningTheJobTwiceForOneWindowDeliversOnce()
    {
        var reader = await factory.CreateReaderAsync("twice", p => { p.TimeZoneId = Paris; p.DigestLocalTime = new TimeOnly(8, 0); });
        factory.SetLocalTime(Paris, new DateTime(2026, 11, 21, 8, 5, 0));

        await factory.RunAndDeliverAsync();
        var second = await factory.RunDigestAsync();
        await factory.DispatchAsync();

        var digest = Assert.Single(await factory.DigestsOfAsync(reader.Id));
        Assert.Equal("daily:2026-11-21", digest.WindowKey);
        Assert.Equal(DigestStatus.Delivered, digest.Status);
        Assert.NotEmpty(digest.Items);
        Assert.True(second.AlreadyDone >= 1);
        var deliveries = await factory.DeliveriesOfAsync(reader.Id);
        Assert.Equal([DeliveryChannel.Inbox, DeliveryChannel.Email], deliveries.Select(d => d.Channel));
        Assert.All(deliveries, d => Assert.Equal(DeliveryStatus.Sent, d.Status));
        var message = Assert.Single(await factory.InboxOfAsync(reader.Id));
        Assert.Equal(InboxMessageKind.Digest, message.Kind);
        Assert.Single(MailsTo(reader.Email!));
    }

    [Fact]
    public async Task NothingIsSentBeforeTheReadersLocalTime()
    {
        var reader = await factory.CreateReaderAsync("early", p => { p.TimeZoneId = "Asia/Shanghai"; p.DigestLocalTime = new TimeOnly(9, 0); });
        factory.SetLocalTime("Asia/Shanghai", new DateTime(2026, 11, 21, 8, 55, 0));
        await factory.RunAndDeliverAsync();
        Assert.Empty(await factory.DigestsOfAsync(reader.Id));

        factory.Clock.Advance(TimeSpan.FromMinutes(10));
        await factory.RunAndDeliverAsync();
        Assert.Equal("daily:2026-11-21", Assert.Single(await factory.DigestsOfAsync(reader.Id)).WindowKey);
    }

    [Fact]
    public async Task QuietHoursHoldTheDigestUntilTheyEnd()
    {
        var reader = await factory.CreateReaderAsync("quiet", p =>
        {
            p.TimeZoneId = "America/Chicago"; p.DigestLocalTime = new TimeOnly(23, 0);
            p.QuietHoursStart = new TimeOnly(22, 0); p.QuietHoursEnd = new TimeOnly(6, 30);
        });
        factory.SetLocalTime("America/Chicago", new DateTime(2026, 11, 22, 23, 10, 0));
        await factory.RunAndDeliverAsync();
        Assert.Empty(await factory.DigestsOfAsync(reader.Id));

        factory.SetLocalTime("America/Chicago", new DateTime(2026, 11, 23, 6, 35, 0));
        await factory.RunAndDeliverAsync();
        var digest = Assert.Single(await factory.DigestsOfAsync(reader.Id));
        Assert.Equal("daily:2026-11-22", digest.WindowKey);
        Assert.Single(await factory.InboxOfAsync(reader.Id));
    }

    [Fact]
    public async Task WeeklyCapStopsPushesAcrossChannels()
    {
        // Cap 3: day one uses inbox + e-mail (2), day two only the inbox (1 left), day three nothing.
        var reader = await factory.CreateReaderAsync("cap", p => { p.TimeZoneId = "UTC"; p.DigestLocalTime = new TimeOnly(10, 0); p.WeeklyPushCap = 3; });
        for (var day = 24; day <= 26; day++)
        {
            factory.SetLocalTime("UTC", new DateTime(2026, 11, day, 10, 1, 0));
            await factory.RunAndDeliverAsync();
            // Open each digest so that the next one is not a merge.
            await OpenInboxDigestsAsync(reader.Id);
        }

        var digests = await factory.DigestsOfAsync(reader.Id);
        Assert.Equal(3, digests.Count);
        Assert.Equal(DigestStatus.Skipped, digests[2].Status);
        var deliveries = await factory.DeliveriesOfAsync(reader.Id);
        Assert.Equal(3, deliveries.Count);
        Assert.Equal([DeliveryChannel.Inbox, DeliveryChannel.Email, DeliveryChannel.Inbox], deliveries.Select(d => d.Channel));
        Assert.Equal(2, (await factory.InboxOfAsync(reader.Id)).Count);
    }

    [Fact]
    public async Task UnopenedDigestIsMergedIntoTheNextInsteadOfASecond()
    {
        var reader = await factory.CreateReaderAsync("merge", p => { p.TimeZoneId = "Asia/Tokyo"; p.DigestLocalTime = new TimeOnly(7, 0); p.EmailEnabled = false; });
        factory.SetLocalTime("Asia/Tokyo", new DateTime(2026, 11, 24, 7, 5, 0));
        await factory.RunAndDeliverAsync();
        var first = Assert.Single(await factory.DigestsOfAsync(reader.Id));

        factory.SetLocalTime("Asia/Tokyo", new DateTime(2026, 11, 25, 7, 5, 0));
        await factory.RunAndDeliverAsync();

        var digests = await factory.DigestsOfAsync(reader.Id);
        Assert.Equal(2, digests.Count);
        var (old, merged) = (digests[0], digests[1]);
        Assert.Equal(DigestStatus.Merged, old.Status);
        Assert.Equal(merged.Id, old.MergedIntoId);
        Assert.Equal(DigestStatus.Delivered, merged.Status);
        // Every story of the unopened digest is in the new one, after the new stories.
        Assert.Subset(merged.Items.Select(i => i.ArticleId).ToHashSet(), first.Items.Select(i => i.ArticleId).ToHashSet());
        Assert.True(merged.Items.Count > first.Items.Count);
        // The reader's inbox shows one digest, not two.
        await using var scope = factory.Services.CreateAsyncScope();
        var page = await scope.ServiceProvider.GetRequiredService<InboxService>().ListAsync(reader.Id, 1, 20, archived: false, CancellationToken.None);
        var shown = Assert.Single(page.Items);
        Assert.Equal(1, page.Unread);
        Assert.Contains($"{merged.Items.Count} stories", shown.Title, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenedDigestIsNotMerged()
    {
        var reader = await factory.CreateReaderAsync("opened", p => { p.TimeZoneId = "Asia/Tokyo"; p.DigestLocalTime = new TimeOnly(7, 30); p.EmailEnabled = false; });
        factory.SetLocalTime("Asia/Tokyo", new DateTime(2026, 11, 24, 7, 35, 0));
        await factory.RunAndDeliverAsync();
        await OpenInboxDigestsAsync(reader.Id);

        factory.SetLocalTime("Asia/Tokyo", new DateTime(2026, 11, 25, 7, 35, 0));
        await factory.RunAndDeliverAsync();

        var digests = await factory.DigestsOfAsync(reader.Id);
        Assert.Equal([DigestStatus.Delivered, DigestStatus.Delivered], digests.Select(d => d.Status));
        Assert.Empty(digests[0].Items.Select(i => i.ArticleId).Intersect(digests[1].Items.Select(i => i.ArticleId)));
        Assert.NotNull(digests[0].OpenedAt);
    }

    [Fact]
    public async Task RunKilledMidwayAndRestartedLeavesNoDuplicateAndNoReaderWithout()
    {
        const string zone = "America/Sao_Paulo";
        var readers = new List<ApplicationUser>();
        for (var i = 0; i < 7; i++)
        {
            readers.Add(await factory.CreateReaderAsync($"crash{i}", p => { p.TimeZoneId = zone; p.DigestLocalTime = new TimeOnly(6, 45); }));
        }
        factory.SetLocalTime(zone, new DateTime(2026, 11, 26, 6, 50, 0));

        // The process dies while composing its second batch of two readers.
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var sp = scope.ServiceProvider;
            var crashing = new CrashingRecommender(sp.GetRequiredService<IArticleRecommender>(), crashOnCall: 2);
            var runner = ActivatorUtilities.CreateInstance<DigestRunner>(sp, (IArticleRecommender)crashing,
                Options.Create(new DigestOptions { BatchSize = 2, FreshnessDays = 60, ItemsPerDigest = 5 }));
            await Assert.ThrowsAsync<InvalidOperationException>(() => runner.RunAsync(DigestFrequency.Daily, CancellationToken.None));
        }
        var ids = readers.Select(r => r.Id).ToList();
        var partial = await factory.WithDbAsync(db => db.Digests.CountAsync(d => ids.Contains(d.UserId)));
        Assert.True(partial < readers.Count, "the crash left some readers without a digest");

        // It also died while sending: the e-mails of the digests it wrote were claimed and never finished.
        await factory.WithDbAsync(db => db.Deliveries.Where(d => ids.Contains(d.UserId) && d.Channel == DeliveryChannel.Email)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, DeliveryStatus.Sending).SetProperty(d => d.NextAttemptAt, factory.Clock.Now.UtcDateTime.AddMinutes(5))));

        // Restarted: the job runs again (twice, for good measure) and the dispatcher after the lease expired.
        factory.Clock.Advance(TimeSpan.FromMinutes(6));
        await factory.RunDigestAsync();
        await factory.RunDigestAsync();
        await factory.DispatchAsync();

        foreach (var reader in readers)
        {
            var digest = Assert.Single(await factory.DigestsOfAsync(reader.Id));
            Assert.Equal("daily:2026-11-26", digest.WindowKey);
            var deliveries = await factory.DeliveriesOfAsync(reader.Id);
            Assert.Equal(2, deliveries.Count);
            Assert.All(deliveries, d => Assert.Equal(DeliveryStatus.Sent, d.Status));
            Assert.Single(await factory.InboxOfAsync(reader.Id));
            Assert.Single(MailsTo(reader.Email!));
        }
    }

    [Fact]
    public async Task AnotherRunThatWinsAReaderWhileTheBatchIsRankedLeavesThatReaderOneDigestAndTheOthersTheirs()
    {
        const string zone = "Asia/Dubai";
        var readers = new List<ApplicationUser>();
        for (var i = 0; i < 5; i++)
        {
            readers.Add(await factory.CreateReaderAsync($"race{i}", p => { p.TimeZoneId = zone; p.DigestLocalTime = new TimeOnly(7, 30); p.EmailEnabled = false; }));
        }
        factory.SetLocalTime(zone, new DateTime(2026, 11, 29, 7, 35, 0));
        var loser = readers[3];

        // While the runner ranks the batch holding `loser` (and writes the batch before it), another node's run commits
        // that reader's digest: the batch's insert then hits the unique (UserId, WindowKey) and is written without it.
        DigestRunResult result;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var sp = scope.ServiceProvider;
            var racing = new RacingRecommender(sp.GetRequiredService<IArticleRecommender>(), loser.Id, () => factory.WithDbAsync(async db =>
            {
                db.Digests.Add(new Digest { UserId = loser.Id, WindowKey = "daily:2026-11-29", CreatedAt = factory.Clock.Now.UtcDateTime, Status = DigestStatus.Skipped });
                await db.SaveChangesAsync();
            }));
            var runner = ActivatorUtilities.CreateInstance<DigestRunner>(sp, (IArticleRecommender)racing,
                Options.Create(new DigestOptions { BatchSize = 2, FreshnessDays = 60, ItemsPerDigest = 5 }));
            result = await runner.RunAsync(DigestFrequency.Daily, CancellationToken.None);
        }
        await factory.RunDigestAsync();

        Assert.True(result.AlreadyDone >= 1);
        var won = Assert.Single(await factory.DigestsOfAsync(loser.Id));
        Assert.Equal(DigestStatus.Skipped, won.Status);
        Assert.Empty(await factory.InboxOfAsync(loser.Id));
        foreach (var reader in readers.Where(r => r.Id != loser.Id))
        {
            var digest = Assert.Single(await factory.DigestsOfAsync(reader.Id));
            Assert.Equal("daily:2026-11-29", digest.WindowKey);
            Assert.Equal(digest.Id, Assert.Single(await factory.InboxOfAsync(reader.Id)).DigestId);
            Assert.Equal(DeliveryStatus.Sent, Assert.Single(await factory.DeliveriesOfAsync(reader.Id)).Status);
        }
    }

    [Fact]
    public async Task InboxDigestIsInTheInboxOnceTheRunCommitsWithoutTheDispatcher()
    {
        var reader = await factory.CreateReaderAsync("direct", p => { p.TimeZoneId = "Asia/Kolkata"; p.DigestLocalTime = new TimeOnly(8, 15); p.EmailEnabled = false; });
        factory.SetLocalTime("Asia/Kolkata", new DateTime(2026, 11, 27, 8, 20, 0));
        var nudged = new List<string?>();
        var notifier = factory.Services.GetRequiredService<ReaderNotifier>();
        void OnChanged(string? userId)
        {
            lock (nudged)
            {
                nudged.Add(userId);
            }
        }
        notifier.Changed += OnChanged;
        try
        {
            await factory.RunDigestAsync();
        }
        finally
        {
            notifier.Changed -= OnChanged;
        }

        var digest = Assert.Single(await factory.DigestsOfAsync(reader.Id));
        Assert.Equal(DigestStatus.Delivered, digest.Status);
        var message = Assert.Single(await factory.InboxOfAsync(reader.Id));
        Assert.Equal(digest.Id, message.DigestId);
        Assert.Contains($"{digest.Items.Count} stories", message.Title, StringComparison.Ordinal);
        Assert.Equal(digest.Items.Count, message.Body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        var delivery = Assert.Single(await factory.DeliveriesOfAsync(reader.Id));
        Assert.Equal((DeliveryChannel.Inbox, DeliveryStatus.Sent, 1), (delivery.Channel, delivery.Status, delivery.Attempts));
        Assert.Equal(delivery.Id, message.DeliveryId);
        Assert.Contains(reader.Id, nudged);
        // The funnel counts it sent once, and the dispatcher has nothing of it left to post.
        await factory.DispatchAsync();
        Assert.Single(await factory.InboxOfAsync(reader.Id));
        var events = await factory.WithDbAsync(db => db.DeliveryEvents.Where(e => e.DeliveryId == delivery.Id).ToListAsync());
        Assert.Equal(DeliveryEventType.Sent, Assert.Single(events).Type);
    }

    [Fact]
    public async Task InboxWriteThatFailsLeavesNoHalfDigestAndTheNextRunPostsItOnce()
    {
        var reader = await factory.CreateReaderAsync("rollback", p => { p.TimeZoneId = "Australia/Sydney"; p.DigestLocalTime = new TimeOnly(6, 10); p.EmailEnabled = false; });
        factory.SetLocalTime("Australia/Sydney", new DateTime(2026, 11, 28, 6, 15, 0));
        // The database refuses this reader's inbox message: the process "dies" inside the batch's transaction.
        var postgres = await factory.WithDbAsync(db => Task.FromResult(db.Database.ProviderName == "Npgsql.EntityFrameworkCore.PostgreSQL"));
        await factory.WithDbAsync(db => db.Database.ExecuteSqlRawAsync(postgres
            ? $$"""
              CREATE FUNCTION refuse_inbox() RETURNS trigger AS $f$ BEGIN IF NEW."UserId" = '{{reader.Id}}' THEN RAISE EXCEPTION 'killed'; END IF; RETURN NEW; END $f$ LANGUAGE plpgsql;
              CREATE TRIGGER refuse_inbox BEFORE INSERT ON "InboxMessages" FOR EACH ROW EXECUTE FUNCTION refuse_inbox();
              """
            : $"""CREATE TRIGGER refuse_inbox BEFORE INSERT ON "InboxMessages" WHEN NEW."UserId" = '{reader.Id}' BEGIN SELECT RAISE(ABORT, 'killed'); END;"""));
        try
        {
            await Assert.ThrowsAnyAsync<Exception>(() => factory.RunDigestAsync());
        }
        finally
        {
            await factory.WithDbAsync(db => db.Database.ExecuteSqlRawAsync(postgres
                ? "DROP TRIGGER refuse_inbox ON \"InboxMessages\"; DROP FUNCTION refuse_inbox();"
                : "DROP TRIGGER refuse_inbox;"));
        }
        Assert.Empty(await factory.DigestsOfAsync(reader.Id));
        Assert.Empty(await factory.DeliveriesOfAsync(reader.Id));

        await factory.RunDigestAsync();
        await factory.RunDigestAsync();
        await factory.DispatchAsync();

        var digest = Assert.Single(await factory.DigestsOfAsync(reader.Id));
        Assert.Equal(digest.Id, Assert.Single(await factory.InboxOfAsync(reader.Id)).DigestId);
        var delivery = Assert.Single(await factory.DeliveriesOfAsync(reader.Id));
        Assert.Equal(DeliveryStatus.Sent, delivery.Status);
        Assert.Single(await factory.WithDbAsync(db => db.DeliveryEvents.Where(e => e.DeliveryId == delivery.Id).ToListAsync()));
    }

    [Fact]
    public async Task SenderKilledMidBatchRepeatsAtMostOneGroupOfEmails()
    {
        const string zone = "Asia/Tokyo";
        var readers = new List<ApplicationUser>();
        for (var i = 0; i < 12; i++)
        {
            readers.Add(await factory.CreateReaderAsync($"group{i}", p => { p.TimeZoneId = zone; p.DigestLocalTime = new TimeOnly(7, 10); }));
        }
        factory.SetLocalTime(zone, new DateTime(2026, 11, 28, 7, 15, 0));
        await factory.RunDigestAsync();
        var ids = readers.Select(r => r.Id).ToHashSet();
        var mine = await factory.WithDbAsync(db => db.Deliveries.Where(d => ids.Contains(d.UserId) && d.Channel == DeliveryChannel.Email).Select(d => d.Id).ToListAsync());
        Assert.Equal(12, mine.Count);

        // The process dies right after the SMTP server accepted the 8th e-mail, before anything else is recorded.
        var accepted = new List<long>();
        await DispatchWithAsync(new RecordingEmailSender(accepted, groupSize: 3, dieAfter: 8));
        factory.Clock.Advance(TimeSpan.FromMinutes(10));
        await DispatchWithAsync(new RecordingEmailSender(accepted, groupSize: 3, dieAfter: int.MaxValue));

        var sentOfMine = accepted.Where(mine.Contains).ToList();
        Assert.Equal(mine.Order(), sentOfMine.Distinct().Order());
        var repeated = sentOfMine.Count - mine.Count;
        Assert.InRange(repeated, 0, 2);
        var statuses = await factory.WithDbAsync(db => db.Deliveries.Where(d => mine.Contains(d.Id)).Select(d => d.Status).ToListAsync());
        Assert.All(statuses, s => Assert.Equal(DeliveryStatus.Sent, s));
    }

    private async Task DispatchWithAsync(IChannelSender email)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        var inbox = sp.GetServices<IChannelSender>().Single(s => s.Channel == DeliveryChannel.Inbox);
        var dispatcher = ActivatorUtilities.CreateInstance<DeliveryDispatcher>(sp, (IEnumerable<IChannelSender>)[inbox, email],
            Options.Create(new DeliveryOptions { LeaseSeconds = 300 }));
        try
        {
            await dispatcher.DispatchDueAsync(CancellationToken.None);
        }
        catch (OperationCanceledException)
        {
            // The simulated process death.
        }
    }

    [Fact]
    public async Task UnsubscribedReaderGetsNoEmailButStillTheInbox()
    {
        var reader = await factory.CreateReaderAsync("unsub", p => { p.TimeZoneId = "Europe/Madrid"; p.DigestLocalTime = new TimeOnly(9, 15); });
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<NewsPush.Web.Preferences.PreferencesService>().UnsubscribeEmailAsync(reader.Id, CancellationToken.None);
        }
        factory.SetLocalTime("Europe/Madrid", new DateTime(2026, 11, 27, 9, 20, 0));
        await factory.RunAndDeliverAsync();
        Assert.Equal([DeliveryChannel.Inbox], (await factory.DeliveriesOfAsync(reader.Id)).Select(d => d.Channel));
        Assert.Empty(MailsTo(reader.Email!));
    }

    private async Task OpenInboxDigestsAsync(string userId)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var inbox = scope.ServiceProvider.GetRequiredService<InboxService>();
        foreach (var m in await factory.InboxOfAsync(userId))
        {
            await inbox.OpenAsync(userId, InboxItemKind.Message, m.Id, CancellationToken.None);
        }
    }

    private List<string> MailsTo(string email) => !Directory.Exists(factory.MailPickupFolder) ? [] :
        Directory.GetFiles(factory.MailPickupFolder, "*.eml").Where(f => File.ReadAllText(f).Contains(email, StringComparison.OrdinalIgnoreCase)).ToList();

    /// <summary>Stands in for SMTP: records what the server accepted; "dies" after accepting the given number.</summary>
    private sealed class RecordingEmailSender(List<long> accepted, int groupSize, int dieAfter) : IChannelSender
    {
        private int count;

        public DeliveryChannel Channel => DeliveryChannel.Email;

        public IReadOnlySet<DeliveryContentKind> Carries { get; } = Enum.GetValues<DeliveryContentKind>().ToHashSet();

        public int GroupSize => groupSize;

        public Task SendAsync(IReadOnlyList<OutboundDelivery> group, DeliveryReport report, CancellationToken ct)
        {
            var sent = new List<long>();
            foreach (var delivery in group)
            {
                accepted.Add(delivery.Id);
                if (++count == dieAfter)
                {
                    throw new OperationCanceledException("killed");
                }
                sent.Add(delivery.Id);
            }
            // Outcomes reach the report only once the group is done, as an SMTP pipeline would confirm them.
            sent.ForEach(report.Sent);
            return Task.CompletedTask;
        }
    }

    /// <summary>Runs <paramref name="race"/> once, just before ranking the batch that holds <paramref name="userId"/>.</summary>
    private sealed class RacingRecommender(IArticleRecommender inner, string userId, Func<Task> race) : IArticleRecommender
    {
        private bool raced;

        public Task<IReadOnlyList<Recommendation>> RecommendAsync(string? userId, int count, CancellationToken ct) => inner.RecommendAsync(userId, count, ct);

        public async Task<IReadOnlyDictionary<string, IReadOnlyList<Recommendation>>> RecommendManyAsync(IReadOnlyCollection<string> userIds, int count, CancellationToken ct)
        {
            if (!raced && userIds.Contains(userId))
            {
                raced = true;
                await race();
            }
            return await inner.RecommendManyAsync(userIds, count, ct);
        }
    }

    private sealed class CrashingRecommender(IArticleRecommender inner, int crashOnCall) : IArticleRecommender
    {
        private int calls;

        public Task<IReadOnlyList<Recommendation>> RecommendAsync(string? userId, int count, CancellationToken ct) => inner.RecommendAsync(userId, count, ct);

        public Task<IReadOnlyDictionary<string, IReadOnlyList<Recommendation>>> RecommendManyAsync(IReadOnlyCollection<string> userIds, int count, CancellationToken ct) =>
            ++calls == crashOnCall ? throw new InvalidOperationException("killed") : inner.RecommendManyAsync(userIds, count, ct);
    }
}

public sealed class SqliteDigestPipelineTests(PushSqliteFactory factory) : DigestPipelineTests<PushSqliteFactory>(factory);

public sealed class PostgreSqlDigestPipelineTests(PushPostgreSqlFactory factory) : DigestPipelineTests<PushPostgreSqlFactory>(factory);
