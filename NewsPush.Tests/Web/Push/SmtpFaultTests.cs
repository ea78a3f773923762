using System.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NewsPush.Data.Entities;
using NewsPush.Web.Infrastructure.Email;
using NewsPush.Web.Push;
using NewsPush.Web.Push.Channels;
using Xunit.Abstractions;

namespace NewsPush.Tests.Web.Push;

/// <summary>
/// Faults of a real SMTP server (smtp-sink.js) met by the real delivery engine (dispatcher, leases, breaker,
/// <see cref="EmailChannel"/>, pooled <see cref="Mailer"/>), on a fake clock. Each test asserts what readers and
/// admins see: how many e-mails each address got at the server, and each delivery's status and reason. The fixture
/// (site and server) is shared by a class's tests, so each test resets the server, switches off other readers'
/// digests, and looks only at its own readers.
/// </summary>
public abstract class SmtpFaultTests<TFactory>(TFactory factory, ITestOutputHelper output) : IClassFixture<TFactory> where TFactory : PushSmtpFactory
{
    protected TFactory Factory => factory;

    protected SmtpSink Smtp => factory.Smtp;

    protected ITestOutputHelper Output => output;

    [Fact]
    public async Task SmtpFaultServerDownTenMinutesDelaysEveryDigestAndDeliversEachExactlyOnce()
    {
        var run = await QueueDigestsAsync(new DateTime(2026, 12, 1, 8, 5, 0), Names("downten", 5));
        Smtp.Down();
        await factory.DispatchAsync();
        await AssertWaitingAsync(run, ChannelPauseKind.Outage);
        for (var minute = 1; minute <= 10; minute++)
        {
            factory.Clock.Advance(TimeSpan.FromMinutes(1));
            await factory.DispatchAsync();
        }
        await AssertWaitingAsync(run, ChannelPauseKind.Outage);
        Assert.All(run.Readers, r => Assert.Equal(0, Received(r)));

        Smtp.Up();
        await DispatchUntilSentAsync(run, TimeSpan.FromMinutes(1), maxSteps: 30);
        var rows = await AssertAllSentOnceAsync(run);
        // Probes after 30 s, then 1, 2, 4, 8 min (failed at +1, +2, +4, +8 min): the one at +16 min finds the server back.
        Assert.All(rows, d => Assert.Equal(run.QueuedAt.AddMinutes(16), d.SentAt));
        await AssertHealthyAsync();
    }

    [Fact]
    public async Task SmtpFaultServerDownThreeHoursProbesUpToTheCeilingAndDeliversEachExactlyOnce()
    {
        var run = await QueueDigestsAsync(new DateTime(2026, 12, 3, 8, 5, 0), Names("downthree", 5));
        Smtp.Down();
        await factory.DispatchAsync();
        for (var step = 1; step <= 18; step++)
        {
            factory.Clock.Advance(TimeSpan.FromMinutes(10));
            await factory.DispatchAsync();
        }
        await AssertWaitingAsync(run, ChannelPauseKind.Outage);
        var state = await EmailStateAsync();
        // Probes failed at 10, 20, 30, 40, 50, 70, 110 and 170 min; the wait doubled from 30 s and stopped at the 1 h ceiling.
        Assert.Equal(8, state!.FailedProbes);
        Assert.Equal(TimeSpan.FromHours(1), state.NextProbeAt - state.LastErrorAt);
        Assert.All(run.Readers, r => Assert.Equal(0, Received(r)));

        var upAt = factory.Clock.Now.UtcDateTime;
        Smtp.Up();
        await DispatchUntilSentAsync(run, TimeSpan.FromMinutes(10), maxSteps: 12);
        var rows = await AssertAllSentOnceAsync(run);
        // Delivered at the next probe, at most a ceiling after the server came back: 230 min after queueing.
        Assert.All(rows, d => Assert.Equal(run.QueuedAt.AddMinutes(230), d.SentAt));
        Assert.All(rows, d => Assert.True(d.SentAt <= upAt.AddHours(1)));
        await AssertHealthyAsync();
    }

    [Fact]
    public async Task SmtpFaultServerDownBeyondTheDeadlineExpiresTheDigestsAndSendsNothingLater()
    {
        var run = await QueueDigestsAsync(new DateTime(2026, 12, 5, 8, 5, 0), Names("downlong", 4));
        Smtp.Down();
        await factory.DispatchAsync();
        for (var hour = 1; hour < 48; hour++)
        {
            factory.Clock.Advance(TimeSpan.FromHours(1));
            await factory.DispatchAsync();
        }
        // One hour before the deadline they still wait.
        await AssertWaitingAsync(run, ChannelPauseKind.Outage);

        factory.Clock.Advance(TimeSpan.FromHours(1));
        await factory.DispatchAsync();
        var rows = await DeliveriesAsync(run);
        Assert.All(rows, d =>
        {
            Assert.Equal(run.QueuedAt.AddHours(48), d.DeliverBy);
            Assert.Equal((DeliveryStatus.Expired, 0), (d.Status, d.Attempts));
            Assert.Equal("Not delivered before its deadline. Last error: none (its channel was paused)", d.LastError);
        });
        var view = await AdminViewAsync();
        Assert.True(view.Channels.Single(c => c.Channel == DeliveryChannel.Email).Expired >= run.Readers.Count);

        // The server comes back: nothing of it goes out late, and the next probe, finding nothing due, resumes the channel.
        Smtp.Reset();
        for (var step = 0; step < 3; step++)
        {
            factory.Clock.Advance(TimeSpan.FromHours(1));
            await factory.DispatchAsync();
        }
        Assert.All(run.Readers, r => Assert.Equal(0, Received(r)));
        Assert.All(await DeliveriesAsync(run), d => Assert.Equal(DeliveryStatus.Expired, d.Status));
        await AssertHealthyAsync();
    }

    [Fact]
    public async Task SmtpFaultUnknownMailboxFailsThatDeliveryAloneWithTheServersReason()
    {
        // smtp-sink.js answers RCPT TO of an address containing "reject" with 550 5.1.1 Mailbox unavailable.
        var run = await QueueDigestsAsync(new DateTime(2026, 12, 9, 8, 5, 0), ["unknown0", "unknown1", "reject2", "unknown3", "unknown4"]);
        var rejected = run.Readers.Single(r => r.Email!.Contains("reject", StringComparison.Ordinal));
        await factory.DispatchAsync();

        var rows = await DeliveriesAsync(run);
        var failed = Assert.Single(rows, d => d.Status == DeliveryStatus.Failed);
        Assert.Equal(rejected.Id, failed.UserId);
        Assert.Equal(1, failed.Attempts);
        Assert.Contains("550", failed.LastError, StringComparison.Ordinal);
        Assert.Contains("Mailbox unavailable", failed.LastError, StringComparison.Ordinal);
        Assert.Equal(0, Received(rejected));
        Assert.All(rows.Where(d => d.Id != failed.Id), d => Assert.Equal((DeliveryStatus.Sent, 1), (d.Status, d.Attempts)));
        Assert.All(run.Readers.Where(r => r != rejected), r => Assert.Equal(1, Received(r)));
        AssertMessageIdsOnce(rows.Where(d => d.Id != failed.Id));
        await AssertHealthyAsync();

        // A later dispatch sends nothing again.
        factory.Clock.Advance(TimeSpan.FromHours(1));
        await factory.DispatchAsync();
        Assert.All(run.Readers.Where(r => r != rejected), r => Assert.Equal(1, Received(r)));
        Assert.Equal(DeliveryStatus.Failed, (await DeliveriesAsync(run)).Single(d => d.Id == failed.Id).Status);
    }

    [Fact]
    public async Task SmtpFaultAMessageOverTheServersSizeLimitFailsThatDeliveryAloneAndTheChannelStaysUp()
    {
        // The messages are not announced with SIZE= (MailKit would serialise each one twice to count it), so the
        // server refuses one over its limit at the end of DATA (552: that message), not at MAIL FROM, where a 552
        // reads as the server refusing the sender and would pause the channel for everyone.
        var run = await QueueDigestsAsync(new DateTime(2026, 12, 14, 8, 5, 0), ["big0", "big1", "big2"]);
        Smtp.SetMaxSize(1000);
        await factory.DispatchAsync();

        var rows = await DeliveriesAsync(run);
        Assert.All(rows, d => Assert.Equal((DeliveryStatus.Failed, 1), (d.Status, d.Attempts)));
        Assert.All(rows, d => Assert.Contains("552", d.LastError, StringComparison.Ordinal));
        Assert.All(run.Readers, r => Assert.Equal(0, Received(r)));
        await AssertHealthyAsync();
    }

    [Fact]
    public Task SmtpFaultGreeting554PausesTheChannelForAFixAndLosesNothing() =>
        ConfigurationFaultAsync(new DateTime(2026, 12, 11, 8, 5, 0), "greeting", "554 5.3.2 No SMTP service here", () =>
        {
            // The greeting is for new connections: drop the pooled ones first.
            Smtp.Down();
            Smtp.Up();
            Smtp.SetGreeting(554, "5.3.2 No SMTP service here");
        });

    [Fact]
    public Task SmtpFaultMailFrom530PausesTheChannelForAFixAndLosesNothing() =>
        ConfigurationFaultAsync(new DateTime(2026, 12, 13, 8, 5, 0), "mailfrom", "530 5.7.0 Authentication required", () => Smtp.SetMailFromReply(530));

    [Fact]
    public async Task SmtpFaultAMessageThatCannotBeBuiltFailsAloneAndTheOthersAreSentOnce()
    {
        var run = await QueueDigestsAsync(new DateTime(2026, 12, 10, 8, 5, 0), Names("unbuilt", 5));
        // An address stored before validation was what it is now: MimeKit refuses it while the message is built.
        var broken = run.Readers[2];
        await factory.WithDbAsync(db => db.Users.Where(u => u.Id == broken.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.Email, "two@@ats.example")));
        await factory.DispatchAsync();

        var rows = await DeliveriesAsync(run);
        var failed = Assert.Single(rows, d => d.Status == DeliveryStatus.Failed);
        Assert.Equal(broken.Id, failed.UserId);
        Assert.StartsWith("The message could not be built", failed.LastError, StringComparison.Ordinal);
        var others = run.Readers.Where(r => r != broken).ToList();
        Assert.All(rows.Where(d => d.Id != failed.Id), d => Assert.Equal((DeliveryStatus.Sent, 1), (d.Status, d.Attempts)));
        Assert.All(others, r => Assert.Equal(1, Received(r)));
        AssertMessageIdsOnce(rows.Where(d => d.Id != failed.Id));
        await AssertHealthyAsync();

        factory.Clock.Advance(TimeSpan.FromHours(1));
        await factory.DispatchAsync();
        Assert.All(others, r => Assert.Equal(1, Received(r)));
    }

    [Fact]
    public async Task SmtpFaultPasswordRevokedMidGroupKeepsAcceptedMessagesSentAndDeliversTheRestOnce()
    {
        const string user = "newspush", password = "s3cret";
        var run = await QueueDigestsAsync(new DateTime(2026, 12, 15, 8, 5, 0), Names("revoked", 6));
        var adminsBefore = await AdminAlertsAsync();
        Smtp.RequireAuth(user, password);
        // Three messages are accepted, then the password is revoked: the open session is closed, the new one's AUTH gets 535.
        Smtp.RevokeAuthAfter(3);
        await using var mailer = NewMailer(user, password);
        void Tune(DeliveryOptions o)
        {
            o.EmailGroupSize = 10;
            o.EmailParallelism = 1;
        }
        await DispatchWithAsync(mailer, Tune);

        var rows = await DeliveriesAsync(run);
        Assert.Equal(rows.Take(3).Select(d => d.Id), rows.Where(d => d.Status == DeliveryStatus.Sent).Select(d => d.Id));
        Assert.All(rows.Skip(3), d => Assert.Equal((DeliveryStatus.Queued, 0), (d.Status, d.Attempts)));
        Assert.All(rows, d => Assert.NotEqual(DeliveryStatus.Failed, d.Status));
        Assert.Equal(new[] { 1, 1, 1, 0, 0, 0 }, rows.Select(d => Received(run.Readers.Single(r => r.Id == d.UserId))));
        var state = await EmailStateAsync();
        Assert.True(state!.IsPaused);
        Assert.Equal(ChannelPauseKind.Configuration, state.PauseKind);
        Assert.Contains("535", state.LastError, StringComparison.Ordinal);
        Assert.Equal(await AdminCountAsync(), await AdminAlertsAsync() - adminsBefore);

        // The password is restored; before the probe time nothing moves, after it everything left goes out once.
        Smtp.RequireAuth(user, password);
        factory.Clock.Advance(TimeSpan.FromSeconds(20));
        await DispatchWithAsync(mailer, Tune);
        Assert.Equal(3, (await DeliveriesAsync(run)).Count(d => d.Status == DeliveryStatus.Sent));
        factory.Clock.Advance(TimeSpan.FromSeconds(11));
        await DispatchWithAsync(mailer, Tune);
        await AssertAllSentOnceAsync(run);
        await AssertHealthyAsync();
    }

    private async Task ConfigurationFaultAsync(DateTime at, string prefix, string reason, Action fault)
    {
        var run = await QueueDigestsAsync(at, Names(prefix, 5));
        var alertsBefore = await AdminAlertsAsync();
        fault();
        await factory.DispatchAsync();
        await AssertWaitingAsync(run, ChannelPauseKind.Configuration);
        var state = await EmailStateAsync();
        Assert.Contains(reason, state!.LastError, StringComparison.Ordinal);
        var view = await AdminViewAsync();
        Assert.Equal("Paused: needs a fix", view.Channels.Single(c => c.Channel == DeliveryChannel.Email).State);
        var admins = await AdminCountAsync();
        Assert.Equal(admins, await AdminAlertsAsync() - alertsBefore);

        // The probe comes while the fault is still there: still paused, nothing failed, and admins are not told twice.
        factory.Clock.Advance(TimeSpan.FromSeconds(31));
        await factory.DispatchAsync();
        await AssertWaitingAsync(run, ChannelPauseKind.Configuration);
        Assert.Equal(1, (await EmailStateAsync())!.FailedProbes);
        Assert.Equal(admins, await AdminAlertsAsync() - alertsBefore);
        Assert.All(run.Readers, r => Assert.Equal(0, Received(r)));

        // Fixed: the next probe (60 s later) succeeds and everything goes out once.
        Smtp.Reset();
        factory.Clock.Advance(TimeSpan.FromSeconds(59));
        await factory.DispatchAsync();
        Assert.All(run.Readers, r => Assert.Equal(0, Received(r)));
        factory.Clock.Advance(TimeSpan.FromSeconds(2));
        await factory.DispatchAsync();
        await AssertAllSentOnceAsync(run);
        await AssertHealthyAsync();
    }

    /// <summary>A test's readers with their queued e-mail digests.</summary>
    protected sealed record Run(List<ApplicationUser> Readers, DateTime QueuedAt);

    protected static string[] Names(string prefix, int count) => Enumerable.Range(0, count).Select(i => $"{prefix}{i}").ToArray();

    /// <summary>
    /// The server reset, the channel healthy, every other reader's digest off; then readers (e-mail only, daily at
    /// <paramref name="utc"/> − 5 min UTC) and a digest run at <paramref name="utc"/>: one queued e-mail delivery each.
    /// </summary>
    protected async Task<Run> QueueDigestsAsync(DateTime utc, IEnumerable<string> prefixes)
    {
        await PrepareAsync(utc);
        var readers = new List<ApplicationUser>();
        foreach (var prefix in prefixes)
        {
            readers.Add(await factory.CreateReaderAsync(prefix, p =>
            {
                p.TimeZoneId = "UTC";
                p.DigestLocalTime = TimeOnly.FromDateTime(utc.AddMinutes(-5));
                p.InboxEnabled = false;
            }));
        }
        return await RunDigestAsync(readers.Select(r => r.Id).ToList(), readers);
    }

    protected async Task PrepareAsync(DateTime utc)
    {
        Smtp.Reset();
        factory.Clock.Now = new DateTimeOffset(utc, TimeSpan.Zero);
        await factory.WithDbAsync(async db =>
        {
            await db.ChannelStates.ExecuteDeleteAsync();
            await db.ReaderPreferences.ExecuteUpdateAsync(s => s.SetProperty(p => p.DigestFrequency, DigestFrequency.Off));
            Assert.Equal(0, await db.Deliveries.CountAsync(d => d.Status == DeliveryStatus.Queued || d.Status == DeliveryStatus.Sending));
        });
    }

    protected async Task<Run> RunDigestAsync(List<string> ids, List<ApplicationUser> readers)
    {
        var at = factory.Clock.Now.UtcDateTime;
        Assert.Equal(ids.Count, (await factory.RunDigestAsync()).Composed);
        var run = new Run(readers, at);
        var rows = await DeliveriesAsync(run);
        Assert.Equal(ids.Count, rows.Count);
        Assert.All(rows, d => Assert.Equal((DeliveryChannel.Email, DeliveryStatus.Queued), (d.Channel, d.Status)));
        return run;
    }

    protected Task<List<Delivery>> DeliveriesAsync(Run run)
    {
        var ids = run.Readers.Select(r => r.Id).ToList();
        return factory.WithDbAsync(db => db.Deliveries.AsNoTracking().Where(d => ids.Contains(d.UserId)).OrderBy(d => d.Id).ToListAsync());
    }

    /// <summary>Messages the server stored for this reader.</summary>
    private int Received(ApplicationUser reader) => Smtp.RecipientCounts().GetValueOrDefault(reader.Email!);

    private async Task DispatchUntilSentAsync(Run run, TimeSpan step, int maxSteps)
    {
        for (var i = 0; i < maxSteps; i++)
        {
            factory.Clock.Advance(step);
            await factory.DispatchAsync();
            if ((await DeliveriesAsync(run)).All(d => d.Status == DeliveryStatus.Sent))
            {
                return;
            }
        }
    }

    /// <summary>Every delivery Sent on its one attempt, and every reader got exactly one message, with its delivery's Message-Id.</summary>
    protected async Task<List<Delivery>> AssertAllSentOnceAsync(Run run)
    {
        var rows = await DeliveriesAsync(run);
        Assert.Equal(run.Readers.Count, rows.Count);
        Assert.All(rows, d => Assert.Equal((DeliveryStatus.Sent, 1, (string?)null), (d.Status, d.Attempts, d.LastError)));
        var counts = Smtp.RecipientCounts();
        Assert.All(run.Readers, r => Assert.Equal(1, counts.GetValueOrDefault(r.Email!)));
        AssertMessageIdsOnce(rows);
        return rows;
    }

    protected void AssertMessageIdsOnce(IEnumerable<Delivery> rows)
    {
        var ids = Smtp.MessageIdCounts();
        Assert.All(rows, d => Assert.Equal(1, ids.GetValueOrDefault($"digest-{d.TrackingToken}@newspush")));
    }

    /// <summary>The channel paused for this reason, and every delivery waiting in the queue without a spent attempt.</summary>
    private async Task AssertWaitingAsync(Run run, ChannelPauseKind kind)
    {
        Assert.All(await DeliveriesAsync(run), d => Assert.Equal((DeliveryStatus.Queued, 0), (d.Status, d.Attempts)));
        var state = await EmailStateAsync();
        Assert.NotNull(state);
        Assert.True(state.IsPaused);
        Assert.Equal(kind, state.PauseKind);
        Assert.Equal(kind == ChannelPauseKind.Outage ? "Paused: service unreachable" : "Paused: needs a fix",
            (await AdminViewAsync()).Channels.Single(c => c.Channel == DeliveryChannel.Email).State);
    }

    protected async Task AssertHealthyAsync()
    {
        Assert.False((await EmailStateAsync())?.IsPaused ?? false);
        Assert.Equal("Healthy", (await AdminViewAsync()).Channels.Single(c => c.Channel == DeliveryChannel.Email).State);
    }

    private Task<ChannelState?> EmailStateAsync() =>
        factory.WithDbAsync(db => db.ChannelStates.AsNoTracking().SingleOrDefaultAsync(c => c.Channel == DeliveryChannel.Email));

    private async Task<DeliveriesViewModel> AdminViewAsync()
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<DeliveryAdminService>().GetAsync(null, 1, null, CancellationToken.None);
    }

    private Task<int> AdminAlertsAsync() =>
        factory.WithDbAsync(db => db.InboxMessages.CountAsync(m => m.Kind == InboxMessageKind.System && m.Title == "The Email channel is paused: it needs a fix"));

    private Task<int> AdminCountAsync() =>
        factory.WithDbAsync(db => (from u in db.Users
                                   join ur in db.UserRoles on u.Id equals ur.UserId
                                   join r in db.Roles on ur.RoleId equals r.Id
                                   where r.Name == Roles.Admin && u.DeletedAt == null
                                   select u.Id).Distinct().CountAsync());

    /// <summary>A mailer of its own (an own connection pool, as on another node), optionally authenticating.</summary>
    protected Mailer NewMailer(string? user = null, string? password = null)
    {
        var configured = factory.Services.GetRequiredService<IOptions<EmailOptions>>().Value;
        var options = new EmailOptions
        {
            FromAddress = configured.FromAddress, FromName = configured.FromName, SmtpHost = configured.SmtpHost, SmtpPort = configured.SmtpPort,
            PublicBaseUrl = configured.PublicBaseUrl, SmtpUser = user, SmtpPassword = password,
        };
        return new Mailer(Options.Create(options), factory.Services.GetRequiredService<IOptions<NewsPush.Data.DatabaseOptions>>(), factory.Services.GetRequiredService<IWebHostEnvironment>());
    }

    /// <summary>One dispatcher run with the site's delivery options changed by <paramref name="tune"/>, e-mail through <paramref name="mailer"/>.</summary>
    protected async Task<int> DispatchWithAsync(IMailer mailer, Action<DeliveryOptions> tune, Func<IChannelSender, IChannelSender>? wrap = null)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        var configured = sp.GetRequiredService<IOptions<DeliveryOptions>>().Value;
        var o = new DeliveryOptions();
        foreach (var property in typeof(DeliveryOptions).GetProperties().Where(p => p.CanWrite))
        {
            property.SetValue(o, property.GetValue(configured));
        }
        tune(o);
        var options = Options.Create(o);
        IChannelSender email = ActivatorUtilities.CreateInstance<EmailChannel>(sp, mailer, options);
        if (wrap is not null)
        {
            email = wrap(email);
        }
        var senders = sp.GetServices<IChannelSender>().Where(s => s.Channel != DeliveryChannel.Email).Append(email).ToList();
        var health = ActivatorUtilities.CreateInstance<ChannelHealth>(sp, options);
        var dispatcher = ActivatorUtilities.CreateInstance<DeliveryDispatcher>(sp, (IEnumerable<IChannelSender>)senders, options, health);
        return await dispatcher.DispatchDueAsync(CancellationToken.None);
    }
}

public sealed class SqliteSmtpFaultTests(PushSmtpFactory factory, ITestOutputHelper output) : SmtpFaultTests<PushSmtpFactory>(factory, output);

public sealed class PostgreSqlSmtpFaultTests(PushSmtpPostgreSqlFactory factory, ITestOutputHelper output) : SmtpFaultTests<PushSmtpPostgreSqlFactory>(factory, output)
{
    [Fact]
    public async Task SmtpFaultTwoDispatchersWithAServerSlowerThanTheLeaseSendEachOfAThousandDigestsOnce()
    {
        const int count = 1000;
        const double leaseSeconds = 4;
        var at = new DateTime(2026, 12, 20, 8, 5, 0);
        await PrepareAsync(at);
        var readers = await CreateReadersInBulkAsync("slow", count, new TimeOnly(8, 0));
        var run = await RunDigestAsync(readers.Select(r => r.Id).ToList(), readers);

        // 150 ms per message, 4 at a time per dispatcher: a group of 120 takes about 4.5 s, longer than the 4 s lease,
        // and a claim holds two groups; the lease is kept only by its renewals (every second, real time, and the
        // clock runs so that an unrenewed lease really expires for the other dispatcher).
        Smtp.SetDelay(TimeSpan.FromMilliseconds(150));
        void Tune(DeliveryOptions o)
        {
            o.LeaseSeconds = leaseSeconds;
            o.EmailGroupSize = 120;
            o.BatchSize = 240;
            o.EmailParallelism = 4;
        }
        var nodes = new[] { new Node(NewMailer()), new Node(NewMailer()) };
        var watch = Stopwatch.StartNew();
        Factory.Clock.Run();
        try
        {
            await Task.WhenAll(nodes.Select(n => Task.Run(() => DispatchWithAsync(n.Mailer, Tune, inner => new TimedSender(inner, n)))));
        }
        finally
        {
            Factory.Clock.Stop();
            Smtp.SetDelay(TimeSpan.Zero);
            foreach (var n in nodes)
            {
                await n.Mailer.DisposeAsync();
            }
        }
        Output.WriteLine($"{watch.Elapsed.TotalSeconds:0.0} s; accepted by the server per dispatcher: {nodes[0].Accepted}, {nodes[1].Accepted}; " +
            $"longest group: {nodes.Max(n => n.LongestGroup).TotalSeconds:0.0} s");

        Assert.All(nodes, n => Assert.True(n.Accepted > 0, "one dispatcher sent nothing: they did not run together"));
        Assert.True(nodes.Max(n => n.LongestGroup) > TimeSpan.FromSeconds(leaseSeconds), "no group took longer than the lease");
        Assert.Equal(count, nodes.Sum(n => n.Accepted));
        var rows = await AssertAllSentOnceAsync(run);
        Assert.Equal(count, rows.Count);
    }

    private async Task<List<ApplicationUser>> CreateReadersInBulkAsync(string prefix, int count, TimeOnly digestAt)
    {
        var readers = new List<ApplicationUser>(count);
        var now = Factory.Clock.Now.UtcDateTime;
        await Factory.WithDbAsync(async db =>
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
                db.ReaderPreferences.Add(new ReaderPreferences { UserId = user.Id, InboxEnabled = false, EmailEnabled = true, TimeZoneId = "UTC", DigestLocalTime = digestAt, UpdatedAt = now });
                readers.Add(user);
            }
            await db.SaveChangesAsync();
        });
        return readers;
    }

    private sealed class Node(Mailer mailer)
    {
        private int accepted;
        private long longestTicks;

        public Mailer Mailer { get; } = mailer;

        public int Accepted => Volatile.Read(ref accepted);

        public TimeSpan LongestGroup => TimeSpan.FromTicks(Interlocked.Read(ref longestTicks));

        public void Record(int sent, TimeSpan took)
        {
            Interlocked.Add(ref accepted, sent);
            long seen;
            while ((seen = Interlocked.Read(ref longestTicks)) < took.Ticks && Interlocked.CompareExchange(ref longestTicks, took.Ticks, seen) != seen)
            {
            }
        }
    }

    /// <summary>The real e-mail channel, counting what it reported sent and timing each group.</summary>
    private sealed class TimedSender(IChannelSender inner, Node node) : IChannelSender
    {
        public DeliveryChannel Channel => inner.Channel;

        public IReadOnlySet<DeliveryContentKind> Carries => inner.Carries;

        public int GroupSize => inner.GroupSize;

        public async Task SendAsync(IReadOnlyList<OutboundDelivery> group, DeliveryReport report, CancellationToken ct)
        {
            var watch = Stopwatch.StartNew();
            await inner.SendAsync(group, report, ct);
            node.Record(group.Count(d => report.TryGet(d.Id, out var o) && o.Result == DeliveryResult.Sent), watch.Elapsed);
        }
    }
}
