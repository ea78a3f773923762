using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NewsPush.Web.Infrastructure.Realtime;

namespace NewsPush.Tests.Web.Infrastructure;

/// <summary>
/// <see cref="ReaderNotifier"/> over a hub that works, fails or hangs on demand: nudges never wait for a send,
/// a reader already waiting is nudged once, and readers whose nudge failed are nudged when sending works again.
/// </summary>
public sealed class ReaderNotifierTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    /// <summary>Quick retries; a send times out only where a test says so.</summary>
    private static RealtimeOptions Fast(Action<RealtimeOptions>? change = null)
    {
        var options = new RealtimeOptions { SendTimeoutSeconds = 60, RetrySeconds = 0.05, SettleSeconds = 0.05 };
        change?.Invoke(options);
        return options;
    }

    [Fact]
    public async Task ReaderNudgedSeveralTimesWhileASendIsInProgressIsNudgedOnce()
    {
        var hub = new FakeHub { Mode = SendMode.Held };
        await using var running = NotifierRun.Start(hub, Fast());
        running.Notifier.InboxChanged("first");
        Assert.Equal("user:first", await hub.Started.Reader.ReadAsync().AsTask().WaitAsync(Wait));

        // The loop is stuck in a send that does not complete: these calls still return at once.
        running.Notifier.InboxChanged("a");
        running.Notifier.InboxChanged(["a", "b", "a"]);
        running.Notifier.InboxChanged("b");
        hub.Release();

        // Sends are sequential, so once "z" (queued after a and b went out) is sent, every earlier send was seen.
        Assert.Equal(["user:a", "user:b", "user:first"], (await hub.SentUntilAsync("user:first", "user:a", "user:b")).Order());
        hub.Mode = SendMode.Working;
        running.Notifier.InboxChanged("z");
        Assert.Equal(["user:a", "user:b", "user:first", "user:z"], (await hub.SentUntilAsync("user:z")).Order());
    }

    [Fact]
    public async Task ReadersWhoseNudgeFailedAreNudgedWhenSendingWorksAgainAndHealthIsDegradedMeanwhile()
    {
        var hub = new FakeHub { Mode = SendMode.Failing };
        await using var running = NotifierRun.Start(hub, Fast());
        var health = new ReaderNotifierHealthCheck(running.Notifier);
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync(new HealthCheckContext())).Status);

        running.Notifier.InboxChanged("a");
        running.Notifier.InboxChanged("b");
        await Eventually(() => running.Notifier.Status is { IsFailing: true, PendingReaders: 2 }, "two readers waiting after failed sends");
        running.Notifier.InboxChanged("c");
        await Eventually(() => running.Notifier.Status.PendingReaders == 3, "the reader nudged while failing waits too");
        var degraded = await health.CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Degraded, degraded.Status);
        Assert.Contains("failing", degraded.Description, StringComparison.Ordinal);
        Assert.Equal(0, hub.CompletedSends);

        hub.Mode = SendMode.Working;

        Assert.Equal(["user:a", "user:b", "user:c"], (await hub.SentUntilAsync("user:a", "user:b", "user:c")).Order());
        await Eventually(() => !running.Notifier.Status.IsFailing, "healthy again after the catch-up");
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync(new HealthCheckContext())).Status);
        Assert.Equal(0, running.Notifier.Status.PendingReaders);
    }

    [Fact]
    public async Task SendThatHangsIsCutOffByTheTimeoutAndTheReaderIsNudgedLater()
    {
        var hub = new FakeHub { Mode = SendMode.Hanging };
        await using var running = NotifierRun.Start(hub, Fast(o => o.SendTimeoutSeconds = 0.2));

        running.Notifier.InboxChanged("slow");
        await Eventually(() => running.Notifier.Status is { IsFailing: true, PendingReaders: 1 }, "the hung send counted as failed");
        hub.Mode = SendMode.Working;

        Assert.Equal(["user:slow"], await hub.SentUntilAsync("user:slow"));
        await Eventually(() => !running.Notifier.Status.IsFailing, "healthy again after the catch-up");
    }

    [Fact]
    public async Task MoreReadersWaitingThanItKeepsBecomeOneNudgeForEveryone()
    {
        var hub = new FakeHub { Mode = SendMode.Failing };
        await using var running = NotifierRun.Start(hub, Fast(o => o.MaxPendingReaders = 3));

        running.Notifier.InboxChanged(["r1", "r2", "r3", "r4", "r5"]);
        await Eventually(() => running.Notifier.Status is { IsFailing: true, EveryonePending: true, PendingReaders: 0 }, "one nudge for everyone waiting");
        hub.Mode = SendMode.Working;

        Assert.Equal(["all"], await hub.SentUntilAsync("all"));
        running.Notifier.InboxChanged("z");
        Assert.Equal(["all", "user:z"], await hub.SentUntilAsync("user:z"));
    }

    [Fact]
    public async Task FullQueueBecomesOneNudgeForEveryoneCoveringTheReadersQueued()
    {
        var hub = new FakeHub { Mode = SendMode.Working };
        var notifier = NotifierRun.Create(hub, Fast(o => o.QueueCapacity = 2));
        notifier.InboxChanged(["a", "b", "c"]);
        notifier.InboxChanged("d");

        await using var running = NotifierRun.Start(notifier);

        Assert.Equal(["all"], await hub.SentUntilAsync("all"));
        running.Notifier.InboxChanged("z");
        Assert.Equal(["all", "user:z"], await hub.SentUntilAsync("user:z"));
    }

    [Fact]
    public async Task BroadcastNudgeReachesEveryoneOnce()
    {
        var hub = new FakeHub { Mode = SendMode.Held };
        await using var running = NotifierRun.Start(hub, Fast());
        running.Notifier.InboxChanged("first");
        Assert.Equal("user:first", await hub.Started.Reader.ReadAsync().AsTask().WaitAsync(Wait));
        running.Notifier.InboxChangedForEveryone();
        running.Notifier.InboxChangedForEveryone();
        running.Notifier.InboxChanged("covered");
        hub.Mode = SendMode.Working;
        hub.Release();

        Assert.Equal(["user:first", "all"], await hub.SentUntilAsync("user:first", "all"));
        running.Notifier.InboxChanged("z");
        Assert.Equal(["user:first", "all", "user:z"], await hub.SentUntilAsync("user:z"));
    }

    private static async Task Eventually(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not within {Wait.TotalSeconds} s: {what}");
            await Task.Delay(10);
        }
    }

    /// <summary>A notifier's send loop running until disposed.</summary>
    private sealed class NotifierRun : IAsyncDisposable
    {
        private readonly CancellationTokenSource stop = new();
        private readonly Task loop;

        private NotifierRun(ReaderNotifier notifier)
        {
            Notifier = notifier;
            loop = Task.Run(() => notifier.RunAsync(stop.Token));
        }

        public ReaderNotifier Notifier { get; }

        public static ReaderNotifier Create(FakeHub hub, RealtimeOptions options) =>
            new(hub, Options.Create(options), TimeProvider.System, NullLogger<ReaderNotifier>.Instance);

        public static NotifierRun Start(FakeHub hub, RealtimeOptions options) => new(Create(hub, options));

        public static NotifierRun Start(ReaderNotifier notifier) => new(notifier);

        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            await loop.WaitAsync(Wait);
            stop.Dispose();
        }
    }
}

public enum SendMode { Working, Failing, Hanging, Held }

/// <summary>
/// A hub context whose sends work, throw, never complete, or wait for <see cref="Release"/>. Records each send it
/// starts and each that completes (User → "user:{id}", All → "all"; sends to groups, the notifier's probes, are not recorded).
/// </summary>
public sealed class FakeHub : IHubContext<NotificationHub>, IHubClients
{
    private readonly TaskCompletionSource held = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Channel<string> completed = Channel.CreateUnbounded<string>();
    private readonly List<string> sent = [];

    private volatile SendMode mode;

    /// <summary>Set by the test, read by the notifier's loop.</summary>
    public SendMode Mode { get => mode; set => mode = value; }

    public Channel<string> Started { get; } = Channel.CreateUnbounded<string>();

    private int completedSends;

    /// <summary>Sends to readers or everyone that have completed.</summary>
    public int CompletedSends => Volatile.Read(ref completedSends);

    public void Release() => held.TrySetResult();

    /// <summary>Waits until every one of <paramref name="targets"/> has been sent; returns everything sent so far.</summary>
    public async Task<IReadOnlyList<string>> SentUntilAsync(params string[] targets)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            while (!targets.All(sent.Contains))
            {
                sent.Add(await completed.Reader.ReadAsync(timeout.Token));
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"not sent within 15 s: {string.Join(", ", targets.Except(sent))} (sent: {string.Join(", ", sent)})");
        }
        return sent.ToList();
    }

    IHubClients IHubContext<NotificationHub>.Clients => this;

    IGroupManager IHubContext<NotificationHub>.Groups => throw new NotSupportedException();

    public IClientProxy All => new Proxy(this, "all");

    public IClientProxy User(string userId) => new Proxy(this, "user:" + userId);

    public IClientProxy Group(string groupName) => new Proxy(this, null);

    public IClientProxy AllExcept(IReadOnlyList<string> excludedConnectionIds) => throw new NotSupportedException();

    public IClientProxy Client(string connectionId) => throw new NotSupportedException();

    public IClientProxy Clients(IReadOnlyList<string> connectionIds) => throw new NotSupportedException();

    public IClientProxy GroupExcept(string groupName, IReadOnlyList<string> excludedConnectionIds) => throw new NotSupportedException();

    public IClientProxy Groups(IReadOnlyList<string> groupNames) => throw new NotSupportedException();

    public IClientProxy Users(IReadOnlyList<string> userIds) => throw new NotSupportedException();

    private async Task SendAsync(string? target)
    {
        if (target is not null)
        {
            Started.Writer.TryWrite(target);
        }
        switch (Mode)
        {
            case SendMode.Failing:
                throw new InvalidOperationException("the backplane is down");
            case SendMode.Hanging:
                await Task.Delay(Timeout.Infinite);
                break;
            case SendMode.Held:
                await held.Task;
                break;
        }
        if (target is not null)
        {
            Interlocked.Increment(ref completedSends);
            completed.Writer.TryWrite(target);
        }
    }

    private sealed class Proxy(FakeHub hub, string? target) : IClientProxy
    {
        public Task SendCoreAsync(string method, object?[] args, CancellationToken cancellationToken = default)
        {
            Assert.Equal(NotificationHub.InboxChanged, method);
            return hub.SendAsync(target);
        }
    }
}
