using NewsPush.Web.Infrastructure.Realtime;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NewsPush.Data.Entities;
using NewsPush.Tests.Infrastructure;
using NewsPush.Web.Digests;
using NewsPush.Web.Inbox;
using NewsPush.Web.Push;
using NewsPush.Web.Push.Channels;
using Quartz;
using Xunit.Abstractions;

namespace NewsPush.Tests.Web.Push;

/// <summary>
/// The site scaled out: two live web nodes (two hosts) on one PostgreSQL database, with the SignalR Redis
/// backplane, Quartz clustered on the shared database, and an outbox dispatcher on each node.
/// </summary>
public sealed class TwoNodeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ReaderConnectedToNodeAIsToldWhenNodeBDeliversTheirDigest()
    {
        using var site = new TwoNodeSite(backplane: true);
        Assert.True(await DigestFromBReachesReaderOnAAsync(site, TimeSpan.FromSeconds(30)), "the reader's page on node A was not told about the digest node B delivered");
    }

    [Fact]
    public async Task WithoutTheBackplaneNodeBsDeliveryDoesNotReachTheReaderOnNodeA()
    {
        // The control for the test above: the same flow fails when the nodes do not share Redis.
        using var site = new TwoNodeSite(backplane: false);
        Assert.False(await DigestFromBReachesReaderOnAAsync(site, TimeSpan.FromSeconds(2)), "node B reached node A's connection without a backplane: the badge test proves nothing");
    }

    [Fact]
    public async Task DigestTriggerFiresOnceAcrossBothClusteredNodes()
    {
        using var site = new TwoNodeSite(backplane: true);
        var readers = await CreateReadersAsync(site.A, "quartz", 3);
        var schedulerA = await site.A.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        var schedulerB = await site.B.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        Assert.True((await schedulerA.GetMetadata()).JobStoreClustered);
        Assert.True((await schedulerB.GetMetadata()).JobStoreClustered);
        Assert.NotEqual(schedulerA.SchedulerInstanceId, schedulerB.SchedulerInstanceId);
        // Each scheduler checks in to the cluster when it starts (the hosted service may start it after the host).
        List<string> members;
        var joinDeadline = DateTime.UtcNow.AddSeconds(30);
        while ((members = await site.A.WithDbAsync(db => db.Database.SqlQueryRaw<string>(
            "SELECT INSTANCE_NAME AS \"Value\" FROM QRTZ_SCHEDULER_STATE WHERE SCHED_NAME = {0}", schedulerA.SchedulerName).ToListAsync())).Count < 2
            && DateTime.UtcNow < joinDeadline)
        {
            await Task.Delay(100);
        }
        Assert.Equal(new[] { schedulerA.SchedulerInstanceId, schedulerB.SchedulerInstanceId }.Order(StringComparer.Ordinal), members.Order(StringComparer.Ordinal));

        // A one-shot trigger a few seconds ahead: both nodes' scheduler threads see it coming and compete for it.
        // Quartz keeps time by the site's clock, so the clock runs from here on.
        site.Clock.Run();
        var trigger = TriggerBuilder.Create()
            .WithIdentity("two-nodes-once", "digests")
            .ForJob(DigestJob.Key)
            .UsingJobData(DigestJob.FrequencyKey, nameof(DigestFrequency.Daily))
            .StartAt(site.Clock.Now.AddSeconds(3))
            .Build();
        await schedulerA.ScheduleJob(trigger);

        // Done when it ran somewhere and nothing of it is left in the store (no trigger, no firing in progress).
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!(site.A.DigestJobRuns.Value + site.B.DigestJobRuns.Value >= 1
            && await schedulerA.GetTrigger(trigger.Key) is null
            && await site.A.WithDbAsync(db => db.Database.SqlQueryRaw<int>("SELECT COUNT(*) AS \"Value\" FROM QRTZ_FIRED_TRIGGERS").SingleAsync()) == 0))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the digest job did not run within 60 s (runs: A {site.A.DigestJobRuns.Value}, B {site.B.DigestJobRuns.Value})");
            await Task.Delay(100);
        }
        output.WriteLine($"digest job runs: node A {site.A.DigestJobRuns.Value}, node B {site.B.DigestJobRuns.Value}");
        Assert.Equal(1, site.A.DigestJobRuns.Value + site.B.DigestJobRuns.Value);
        foreach (var reader in readers)
        {
            Assert.Single(await site.A.DigestsOfAsync(reader));
        }
    }

    [Fact]
    public async Task TwoNodesDispatchersDeliverEveryQueuedInboxDigestExactlyOnce()
    {
        const int count = 500;
        using var site = new TwoNodeSite(backplane: true);
        var readers = await CreateReadersAsync(site.A, "outbox", count);
        var run = await site.A.RunDigestAsync();
        Assert.Equal(count, run.Composed);
        // The runner writes a digest's inbox message itself (ADR-023); the inbox channel still works off queued inbox rows
        // (every other kind, and digest rows queued before that change): these digests' rows become such a queue.
        await site.A.WithDbAsync(async db =>
        {
            var ids = await db.Deliveries.Where(d => readers.Contains(d.UserId)).Select(d => d.Id).ToListAsync();
            await db.InboxMessages.Where(m => readers.Contains(m.UserId)).ExecuteDeleteAsync();
            await db.DeliveryEvents.Where(e => ids.Contains(e.DeliveryId)).ExecuteDeleteAsync();
            await db.Deliveries.Where(d => ids.Contains(d.Id)).ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, DeliveryStatus.Queued)
                .SetProperty(d => d.Attempts, 0).SetProperty(d => d.Claims, 0).SetProperty(d => d.SentAt, (DateTime?)null));
        });
        Assert.Equal(count, await site.A.WithDbAsync(db => db.Deliveries.CountAsync(d => readers.Contains(d.UserId) && d.Status == DeliveryStatus.Queued)));

        // Each node's first claimed batch waits until the other node holds one too: the dispatchers truly overlap.
        var overlap = new Rendezvous(2);
        site.A.FirstBatchRendezvous = site.B.FirstBatchRendezvous = overlap;
        await Task.WhenAll(Task.Run(site.A.DispatchAsync), Task.Run(site.B.DispatchAsync));
        Assert.True(overlap.Met, "the two dispatchers never held a claimed batch at the same time");

        var deliveries = await site.A.WithDbAsync(db => db.Deliveries.AsNoTracking().Where(d => readers.Contains(d.UserId)).ToListAsync());
        Assert.Equal(count, deliveries.Count);
        Assert.All(deliveries, d =>
        {
            Assert.Equal(DeliveryStatus.Sent, d.Status);
            Assert.Equal(1, d.Attempts);
        });
        var messages = await site.A.WithDbAsync(db => db.InboxMessages.AsNoTracking().Where(m => readers.Contains(m.UserId)).Select(m => new { m.UserId, m.DigestId }).ToListAsync());
        Assert.Equal(count, messages.Count);
        Assert.Equal(count, messages.Select(m => m.UserId).Distinct().Count());
        Assert.Equal(count, messages.Select(m => m.DigestId).Distinct().Count());
        // Together the two nodes sent each delivery once.
        output.WriteLine($"inbox deliveries sent: node A {site.A.SentDeliveries.Value}, node B {site.B.SentDeliveries.Value}");
        Assert.Equal(count, site.A.SentDeliveries.Value + site.B.SentDeliveries.Value);
    }

    /// <summary>
    /// A reader's page holds a hub connection on node A; node B composes their digest, which writes it to the inbox.
    /// Returns whether A's connection was told within <paramref name="wait"/>.
    /// </summary>
    private static async Task<bool> DigestFromBReachesReaderOnAAsync(TwoNodeSite site, TimeSpan wait)
    {
        var reader = await site.A.CreateReaderAsync("badge", p => p.EmailEnabled = false);
        using var login = await site.A.CreateLoggedInClientAsync(reader.Email!);
        var cookie = login.CookieHeader;
        using var nudges = new SemaphoreSlim(0);
        await using var connection = site.A.NotificationHubConnection(login);
        connection.On(NotificationHub.InboxChanged, () => nudges.Release());
        await connection.StartAsync();

        // Node A's own nudge first: the connection is live and, with Redis, A listens for this reader. The client's
        // handshake can complete before the node's Redis subscription for the reader is in place (and on a busy
        // machine before the node's first Redis connection is up), and a nudge published before that is lost, as
        // SignalR's backplane intends; so A sends again each second until its connection hears one.
        var welcomes = 0;
        var heard = false;
        await using (var scope = site.A.Services.CreateAsyncScope())
        {
            var inbox = scope.ServiceProvider.GetRequiredService<InboxService>();
            for (var attempt = 0; attempt < 30 && !heard; attempt++)
            {
                await inbox.SendPersonalAsync(reader.Id, "Welcome", "Hello from node A", null, InboxMessageKind.Personal, CancellationToken.None);
                welcomes++;
                heard = await nudges.WaitAsync(TimeSpan.FromSeconds(1));
            }
        }
        Assert.True(heard, $"node A did not tell its own connection about any of {welcomes} messages in 30 s");
        // Nudges for earlier welcomes may still arrive late: drain them so that only B's digest can count below.
        while (await nudges.WaitAsync(TimeSpan.FromMilliseconds(500)))
        {
        }

        // Node B's digest run writes the inbox message and nudges after its commit (ADR-023); no dispatch is needed.
        Assert.Equal(1, (await site.B.RunDigestAsync()).Composed);
        var told = await nudges.WaitAsync(wait);

        // Either way the digest is in the inbox, and the badge's count reads the same through either node: the
        // login cookie node A issued works on node B (data-protection keys in the shared database).
        foreach (var node in new[] { site.A, site.B })
        {
            using var client = node.CreateClient();
            client.DefaultRequestHeaders.Add("Cookie", cookie);
            var unread = await client.GetFromJsonAsync<JsonElement>("/api/inbox/unread-count");
            Assert.Equal(welcomes + 1, unread.GetProperty("count").GetInt32());
        }
        return told;
    }

    /// <summary>Readers inserted in bulk (inbox only, daily at 08:00 UTC: due at <see cref="PushFactory.Start"/>).</summary>
    /// <summary>Readers written straight to the database (no password hashing), inbox on and e-mail off unless configured.</summary>
    internal static async Task<List<string>> CreateReadersAsync(ClusterNode node, string prefix, int count, Action<ReaderPreferences>? configure = null)
    {
        var ids = new List<string>(count);
        var now = node.Clock.Now.UtcDateTime;
        await node.WithDbAsync(async db =>
        {
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            for (var i = 0; i < count; i++)
            {
                var address = $"{prefix}-{i}-{Guid.NewGuid():N}@test.local";
                var user = new ApplicationUser
                {
                    Id = Guid.NewGuid().ToString(), UserName = address, NormalizedUserName = address.ToUpperInvariant(), Email = address,
                    NormalizedEmail = address.ToUpperInvariant(), EmailConfirmed = true, DisplayName = $"{prefix} {i}", CreatedAt = now,
                    OnboardedAt = now, SecurityStamp = Guid.NewGuid().ToString(),
                };
                db.Users.Add(user);
                var preferences = new ReaderPreferences { UserId = user.Id, InboxEnabled = true, EmailEnabled = false, UpdatedAt = now };
                configure?.Invoke(preferences);
                db.ReaderPreferences.Add(preferences);
                ids.Add(user.Id);
            }
            await db.SaveChangesAsync();
        });
        return ids;
    }
}

/// <summary>Two nodes of one site: A starts first (migrates and seeds), B joins its database; one clock.</summary>
public sealed class TwoNodeSite : IDisposable
{
    /// <param name="configure">Settings for both nodes, before they start.</param>
    public TwoNodeSite(bool backplane, Action<ClusterNode>? configure = null)
    {
        var redis = backplane ? RedisServer.Instance.ConnectionString : null;
        // The two nodes are one site: the same keys and channels in Redis, apart from other tests' sites.
        var prefix = $"site-{Guid.NewGuid():N}:";
        A = new ClusterNode(Clock, connectionString: null, redis);
        A.Settings["Redis:KeyPrefix"] = prefix;
        configure?.Invoke(A);
        _ = A.Server;
        // The seeded staff accounts have preferences like every account (daily at 07:00 UTC, due at Start too):
        // they take no digest here, so every count in these tests is the test's own readers'.
        A.WithDbAsync(db => db.ReaderPreferences.ExecuteUpdateAsync(p => p.SetProperty(x => x.DigestFrequency, DigestFrequency.Off))).GetAwaiter().GetResult();
        B = new ClusterNode(Clock, A.ConnectionString, redis);
        B.Settings["Redis:KeyPrefix"] = prefix;
        configure?.Invoke(B);
        try
        {
            _ = B.Server;
        }
        catch
        {
            B.Dispose();
            A.Dispose();
            throw;
        }
    }

    public TestClock Clock { get; } = new(PushFactory.Start);

    public ClusterNode A { get; }

    public ClusterNode B { get; }

    public void Dispose()
    {
        B.Dispose();
        A.Dispose();
    }
}

/// <summary>One web node: the push test site, with counters of what ran on this node.</summary>
public sealed class ClusterNode : PushFactory
{
    public ClusterNode(TestClock clock, string? connectionString, string? redis) : base(TestDatabase.PostgreSql, clock)
    {
        if (connectionString is not null)
        {
            Settings["Database:ConnectionString"] = connectionString;
        }
        if (redis is not null)
        {
            Settings["Redis:ConnectionString"] = redis;
        }
        Settings["Seed:DemoReaderCount"] = "0";
        Settings["Jobs:IdleWaitSeconds"] = "1";
        Settings["Delivery:BatchSize"] = "20";
    }

    /// <summary>Digest job executions on this node.</summary>
    public Counter DigestJobRuns { get; } = new();

    /// <summary>Deliveries this node's inbox channel reported sent.</summary>
    public Counter SentDeliveries { get; } = new();

    /// <summary>When set, this node's inbox channel holds its first claimed batch here until the other node arrives with one.</summary>
    public Rendezvous? FirstBatchRendezvous { get; set; }

    private int sends;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<IJobListener>(new DigestRunCounter(DigestJobRuns));
            var inbox = services.Single(d => d.ServiceType == typeof(IChannelSender) && d.ImplementationType == typeof(InboxChannel));
            services.Remove(inbox);
            services.AddScoped<IChannelSender>(sp => new CountingChannelSender(ActivatorUtilities.CreateInstance<InboxChannel>(sp), this));
        });
    }

    public sealed class Counter
    {
        private int value;

        public int Value => Volatile.Read(ref value);

        public void Add(int n) => Interlocked.Add(ref value, n);
    }

    private sealed class DigestRunCounter(Counter runs) : IJobListener
    {
        public string Name => "two-node-digest-runs";

        public ValueTask JobToBeExecuted(IJobExecutionContext context, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask JobExecutionVetoed(IJobExecutionContext context, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask JobWasExecuted(IJobExecutionContext context, JobExecutionException? jobException, CancellationToken cancellationToken = default)
        {
            if (context.JobDetail.Key.Equals(DigestJob.Key))
            {
                runs.Add(1);
            }
            return ValueTask.CompletedTask;
        }
    }

    private sealed class CountingChannelSender(IChannelSender inner, ClusterNode node) : IChannelSender
    {
        public DeliveryChannel Channel => inner.Channel;

        public IReadOnlySet<DeliveryContentKind> Carries => inner.Carries;

        public async Task SendAsync(IReadOnlyList<OutboundDelivery> group, DeliveryReport report, CancellationToken ct)
        {
            if (node.FirstBatchRendezvous is { } rendezvous && Interlocked.Increment(ref node.sends) == 1)
            {
                await rendezvous.ArriveAsync();
            }
            await inner.SendAsync(group, report, ct);
            node.SentDeliveries.Add(group.Count(d => report.TryGet(d.Id, out var o) && o.Result == DeliveryResult.Sent));
        }
    }
}

/// <summary>Lets <c>parties</c> callers continue once all have arrived (or fails after 30 s).</summary>
public sealed class Rendezvous(int parties)
{
    private readonly TaskCompletionSource all = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int arrived;

    public bool Met => all.Task.IsCompletedSuccessfully;

    public Task ArriveAsync()
    {
        if (Interlocked.Increment(ref arrived) == parties)
        {
            all.TrySetResult();
        }
        return all.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }
}
