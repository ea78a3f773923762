using System.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Tests.Infrastructure;
using NewsPush.Web.Digests;
using NewsPush.Web.Interactions;
using NewsPush.Web.Inbox;
using NewsPush.Web.Push;

namespace NewsPush.Tests.Web.Push;

/// <summary>
/// A clock the tests move by hand, or let run (<see cref="Run"/>): Quartz takes its time from it too, so a
/// trigger only comes due on a running clock.
/// </summary>
public sealed class TestClock(DateTimeOffset start) : TimeProvider
{
    private readonly Lock gate = new();
    private DateTimeOffset setAt = start;
    private long runningSince;

    public DateTimeOffset Now
    {
        get
        {
            lock (gate)
            {
                return runningSince == 0 ? setAt : setAt + Stopwatch.GetElapsedTime(runningSince);
            }
        }
        set
        {
            lock (gate)
            {
                setAt = value;
                runningSince = runningSince == 0 ? 0 : Stopwatch.GetTimestamp();
            }
        }
    }

    public override DateTimeOffset GetUtcNow() => Now;

    public void Advance(TimeSpan by) => Now += by;

    /// <summary>A running clock stops where it stands (moved by hand again from then on).</summary>
    public void Stop()
    {
        lock (gate)
        {
            if (runningSince != 0)
            {
                setAt += Stopwatch.GetElapsedTime(runningSince);
                runningSince = 0;
            }
        }
    }

    /// <summary>From now on the clock moves with real time (from where it stands).</summary>
    public void Run()
    {
        lock (gate)
        {
            if (runningSince == 0)
            {
                runningSince = Stopwatch.GetTimestamp();
            }
        }
    }
}

/// <summary>
/// The site over a real database with the clock under the test's control; the Quartz triggers and the
/// background dispatcher are off so a test runs the digest and the dispatcher itself, deterministically.
/// </summary>
public class PushFactory : NewsPushFactory
{
    /// <summary>Seeding happens at this instant; articles are published in the days before it.</summary>
    public static readonly DateTimeOffset Start = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);

    public PushFactory(TestDatabase database) : this(database, new TestClock(Start))
    {
    }

    /// <summary>With a clock shared with other factories (several nodes of one site).</summary>
    protected PushFactory(TestDatabase database, TestClock clock) : base(database)
    {
        Clock = clock;
        Settings["Digest:SchedulingEnabled"] = "false";
        Settings["Campaigns:SchedulingEnabled"] = "false";
        Settings["Delivery:DispatcherEnabled"] = "false";
        Settings["Digest:FreshnessDays"] = "60";
        Settings["Digest:ItemsPerDigest"] = "5";
        Settings["Delivery:BackoffBaseSeconds"] = "60";
    }

    public TestClock Clock { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
    }

    /// <summary>Sets the clock to the given local wall-clock time in an IANA zone.</summary>
    public void SetLocalTime(string timeZoneId, DateTime local)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(timeZoneId);
        Clock.Now = new DateTimeOffset(DigestWindowCalculator.ToUtc(local, zone));
    }

    /// <summary>A reader with push preferences; everything else default (daily 08:00, inbox + e-mail).</summary>
    public async Task<ApplicationUser> CreateReaderAsync(string prefix, Action<ReaderPreferences>? configure = null)
    {
        var user = await CreateUserAsync($"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)] + "@test.local");
        await WithDbAsync(async db =>
        {
            var prefs = new ReaderPreferences { UserId = user.Id, UpdatedAt = Clock.Now.UtcDateTime, JoinedAt = user.CreatedAt };
            configure?.Invoke(prefs);
            db.ReaderPreferences.Add(prefs);
            await db.SaveChangesAsync();
        });
        return user;
    }

    public async Task<DigestRunResult> RunDigestAsync(DigestFrequency frequency = DigestFrequency.Daily)
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<DigestRunner>().RunAsync(frequency, CancellationToken.None);
    }

    public async Task<int> DispatchAsync()
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<DeliveryDispatcher>().DispatchDueAsync(CancellationToken.None);
    }

    /// <summary>Digest run + delivery, as the job and the dispatcher do it in production.</summary>
    public async Task RunAndDeliverAsync(DigestFrequency frequency = DigestFrequency.Daily)
    {
        await RunDigestAsync(frequency);
        await DispatchAsync();
    }

    public async Task FlushInteractionsAsync() =>
        await Services.GetRequiredService<InteractionRecorder>().FlushAsync(Services, CancellationToken.None);

    public Task<List<Digest>> DigestsOfAsync(string userId) =>
        WithDbAsync(db => db.Digests.AsNoTracking().Include(d => d.Items).Where(d => d.UserId == userId).OrderBy(d => d.Id).ToListAsync());

    public Task<List<Delivery>> DeliveriesOfAsync(string userId) =>
        WithDbAsync(db => db.Deliveries.AsNoTracking().Where(d => d.UserId == userId).OrderBy(d => d.Id).ToListAsync());

    public Task<List<InboxMessage>> InboxOfAsync(string userId) =>
        WithDbAsync(db => db.InboxMessages.AsNoTracking().Where(m => m.UserId == userId).OrderBy(m => m.Id).ToListAsync());

    /// <summary>What the reader's inbox page shows (messages and the broadcasts that reach them), newest first, and the unread count.</summary>
    public async Task<InboxPage> InboxPageOfAsync(string userId)
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<InboxService>().ListAsync(userId, 1, InboxService.MaxPageSize, archived: false, CancellationToken.None);
    }
}

public sealed class PushSqliteFactory() : PushFactory(TestDatabase.Sqlite);

public sealed class PushPostgreSqlFactory() : PushFactory(TestDatabase.PostgreSql);
