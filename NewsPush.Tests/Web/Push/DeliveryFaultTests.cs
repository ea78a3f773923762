using System.Collections.Concurrent;
using MailKit.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MimeKit;
using NewsPush.Data.Entities;
using NewsPush.Tests.Infrastructure;
using NewsPush.Web.Infrastructure.Email;
using NewsPush.Web.Push;
using NewsPush.Web.Push.Channels;

namespace NewsPush.Tests.Web.Push;

/// <summary>Faults of the delivery engine: what is accepted stays sent, nothing is lost, a poison delivery is pinned down.</summary>
public abstract class DeliveryFaultTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : PushFactory
{
    [Fact]
    public async Task AuthenticationFailureMidGroupKeepsAcceptedMessagesSentPausesTheChannelAndLosesNothing()
    {
        var readers = await ComposeEmailDigestsAsync("authfail", 6, new DateTime(2026, 11, 24, 7, 10, 0), "Asia/Tokyo");
        var mine = await EmailDeliveriesAsync(readers);

        // The server accepts three messages, then the password is revoked.
        var mailer = new FakeMailer(readers, failFrom: 4, new AuthenticationException("535 5.7.8 Authentication credentials invalid"));
        await DispatchWithMailerAsync(mailer, groupSize: 10);

        var rows = await StatusesAsync(mine);
        Assert.Equal(3, rows.Count(r => r.Status == DeliveryStatus.Sent));
        Assert.Equal(3, rows.Count(r => r.Status == DeliveryStatus.Queued));
        Assert.DoesNotContain(rows, r => r.Status is DeliveryStatus.Failed or DeliveryStatus.Expired);
        var state = await factory.WithDbAsync(db => db.ChannelStates.AsNoTracking().SingleAsync(c => c.Channel == DeliveryChannel.Email));
        Assert.True(state.IsPaused);
        Assert.Equal(ChannelPauseKind.Configuration, state.PauseKind);
        Assert.Contains("535", state.LastError, StringComparison.Ordinal);
        var alerts = await factory.WithDbAsync(db => db.InboxMessages.AsNoTracking().Where(m => m.Kind == InboxMessageKind.System && m.Title.Contains("Email channel is paused")).CountAsync());
        Assert.True(alerts >= 1, "admins are told in their inbox");

        // While paused nothing is attempted; once fixed and resumed, the rest go out once, and the first three never again.
        mailer.Heal();
        await DispatchWithMailerAsync(mailer, groupSize: 10);
        Assert.Equal(3, (await StatusesAsync(mine)).Count(r => r.Status == DeliveryStatus.Sent));
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ChannelHealth>().ResumeAsync(DeliveryChannel.Email, CancellationToken.None);
        }
        await DispatchWithMailerAsync(mailer, groupSize: 10);
        rows = await StatusesAsync(mine);
        Assert.All(rows, r => Assert.Equal(DeliveryStatus.Sent, r.Status));
        var perMessage = mailer.Accepted.GroupBy(m => m).Where(g => mine.Any(id => g.Key.Contains(Token(id, rows)))).ToList();
        Assert.Equal(mine.Count, perMessage.Count);
        Assert.All(perMessage, g => Assert.Single(g));
    }

    [Fact]
    public async Task OutagePausesTheChannelWithoutSpendingAttemptsAndAProbeResumesIt()
    {
        var readers = await ComposeEmailDigestsAsync("outage", 4, new DateTime(2026, 11, 25, 7, 10, 0), "Asia/Tokyo");
        var mine = await EmailDeliveriesAsync(readers);
        var mailer = new FakeMailer(readers, failFrom: 1, new System.Net.Sockets.SocketException(111));
        await DispatchWithMailerAsync(mailer, groupSize: 2);
        var rows = await StatusesAsync(mine);
        Assert.All(rows, r => Assert.Equal((DeliveryStatus.Queued, 0), (r.Status, r.Attempts)));

        // Before the probe time nothing is tried; after it one delivery probes, and success resumes the channel.
        mailer.Heal();
        factory.Clock.Advance(TimeSpan.FromSeconds(10));
        await DispatchWithMailerAsync(mailer, groupSize: 2);
        Assert.Empty(mailer.Accepted);
        factory.Clock.Advance(TimeSpan.FromSeconds(30));
        await DispatchWithMailerAsync(mailer, groupSize: 2);
        rows = await StatusesAsync(mine);
        Assert.All(rows, r => Assert.Equal((DeliveryStatus.Sent, 1), (r.Status, r.Attempts)));
        Assert.Equal(mine.Count, mailer.Accepted.Distinct().Count());
        Assert.False(await factory.WithDbAsync(db => db.ChannelStates.AnyAsync(c => c.Channel == DeliveryChannel.Email && c.IsPaused)));
    }

    [Fact]
    public async Task ADeliveryThatKillsItsSenderThreeTimesFailsWithTheReasonAndTheOthersAreSent()
    {
        var readers = await ComposeEmailDigestsAsync("poison", 5, new DateTime(2026, 11, 26, 7, 10, 0), "Asia/Tokyo");
        var mine = await EmailDeliveriesAsync(readers);
        var poison = mine[2];
        var delivered = new ConcurrentBag<long>();
        for (var run = 0; run < 6; run++)
        {
            await DispatchWithSenderAsync(new KillingSender(poison, delivered));
            // The next process finds the dead one's lease expired.
            factory.Clock.Advance(TimeSpan.FromMinutes(10));
        }
        var rows = await StatusesAsync(mine);
        var failed = Assert.Single(rows, r => r.Status == DeliveryStatus.Failed);
        Assert.Equal(poison, failed.Id);
        Assert.Contains("stopped 3 times", failed.LastError, StringComparison.Ordinal);
        Assert.All(rows.Where(r => r.Id != poison), r => Assert.Equal(DeliveryStatus.Sent, r.Status));
        Assert.Equal(mine.Count - 1, delivered.Distinct().Count());
    }

    private async Task<List<ApplicationUser>> ComposeEmailDigestsAsync(string prefix, int count, DateTime local, string zone)
    {
        await factory.WithDbAsync(db => db.ChannelStates.ExecuteDeleteAsync());
        var readers = new List<ApplicationUser>();
        for (var i = 0; i < count; i++)
        {
            readers.Add(await factory.CreateReaderAsync($"{prefix}{i}", p => { p.TimeZoneId = zone; p.DigestLocalTime = TimeOnly.FromDateTime(local.AddMinutes(-5)); p.InboxEnabled = false; }));
        }
        factory.SetLocalTime(zone, local);
        await factory.RunDigestAsync();
        return readers;
    }

    private Task<List<long>> EmailDeliveriesAsync(List<ApplicationUser> readers)
    {
        var ids = readers.Select(r => r.Id).ToList();
        return factory.WithDbAsync(db => db.Deliveries.Where(d => ids.Contains(d.UserId) && d.Channel == DeliveryChannel.Email).OrderBy(d => d.Id).Select(d => d.Id).ToListAsync());
    }

    private Task<List<Delivery>> StatusesAsync(List<long> ids) =>
        factory.WithDbAsync(db => db.Deliveries.AsNoTracking().Where(d => ids.Contains(d.Id)).OrderBy(d => d.Id).ToListAsync());

    private static string Token(long id, List<Delivery> rows) => rows.Single(r => r.Id == id).TrackingToken;

    private async Task DispatchWithMailerAsync(IMailer mailer, int groupSize)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        var options = Options.Create(new DeliveryOptions { EmailGroupSize = groupSize, EmailParallelism = 1, ProbeBaseSeconds = 30 });
        var email = ActivatorUtilities.CreateInstance<EmailChannel>(sp, mailer, options);
        await RunAsync(sp, email, options);
    }

    private async Task DispatchWithSenderAsync(IChannelSender email)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        await RunAsync(scope.ServiceProvider, email, Options.Create(new DeliveryOptions { LeaseSeconds = 300 }));
    }

    private static async Task RunAsync(IServiceProvider sp, IChannelSender email, IOptions<DeliveryOptions> options)
    {
        var inbox = sp.GetServices<IChannelSender>().Single(s => s.Channel == DeliveryChannel.Inbox);
        var health = ActivatorUtilities.CreateInstance<ChannelHealth>(sp, options);
        var dispatcher = ActivatorUtilities.CreateInstance<DeliveryDispatcher>(sp, (IEnumerable<IChannelSender>)[inbox, email], options, health);
        try
        {
            await dispatcher.DispatchDueAsync(CancellationToken.None);
        }
        catch (OperationCanceledException)
        {
            // The simulated process death.
        }
    }

    /// <summary>An SMTP server that accepts messages until the n-th, then answers every one with the fault, until healed.</summary>
    private sealed class FakeMailer(IEnumerable<ApplicationUser> readers, int failFrom, Exception fault) : IMailer
    {
        // The fixture is shared: messages to other tests' readers are accepted and not counted.
        private readonly HashSet<string> mine = readers.Select(r => r.Email!).ToHashSet(StringComparer.OrdinalIgnoreCase);
        private int calls;
        private volatile bool healed;

        public ConcurrentQueue<string> Accepted { get; } = new();

        public void Heal() => healed = true;

        public Task SendAsync(MimeMessage message, CancellationToken ct)
        {
            if (!message.To.Mailboxes.Any(m => mine.Contains(m.Address)))
            {
                return Task.CompletedTask;
            }
            if (!healed && Interlocked.Increment(ref calls) >= failFrom)
            {
                throw fault;
            }
            Accepted.Enqueue(message.MessageId ?? "");
            return Task.CompletedTask;
        }
    }

    /// <summary>Stands in for a sender whose process dies whenever it reaches the poison delivery.</summary>
    private sealed class KillingSender(long poison, ConcurrentBag<long> delivered) : IChannelSender
    {
        public DeliveryChannel Channel => DeliveryChannel.Email;

        public IReadOnlySet<DeliveryContentKind> Carries { get; } = Enum.GetValues<DeliveryContentKind>().ToHashSet();

        public Task SendAsync(IReadOnlyList<OutboundDelivery> group, DeliveryReport report, CancellationToken ct)
        {
            foreach (var d in group)
            {
                if (d.Id == poison)
                {
                    throw new OperationCanceledException("killed");
                }
                delivered.Add(d.Id);
                report.Sent(d.Id);
            }
            return Task.CompletedTask;
        }
    }
}

public sealed class SqliteDeliveryFaultTests(PushSqliteFactory factory) : DeliveryFaultTests<PushSqliteFactory>(factory);

public sealed class PostgreSqlDeliveryFaultTests(PushPostgreSqlFactory factory) : DeliveryFaultTests<PushPostgreSqlFactory>(factory);
