using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace NewsPush.Web.Infrastructure.Realtime;

/// <summary>How live-badge nudges are going, for the health check.</summary>
/// <param name="FailingSince">When the first of the current run of failed sends happened; null while sends work.</param>
/// <param name="PendingReaders">Readers waiting for a catch-up nudge.</param>
/// <param name="EveryonePending">A catch-up nudge for every connected reader is waiting.</param>
public sealed record ReaderNotifierStatus(DateTimeOffset? FailingSince, int PendingReaders, bool EveryonePending)
{
    public bool IsFailing => FailingSince is not null;
}

/// <summary>
/// Live-badge nudges ("inboxChanged" through <see cref="NotificationHub"/>), best effort and off the request path.
/// A caller tells it after its database commit and returns at once: the nudge is queued (a reader already waiting
/// is not queued twice) and <see cref="ReaderNotifierService"/> sends it, each send cut off after a short timeout.
/// When sending fails (Redis down under the backplane), the readers not nudged are remembered and, once the
/// backplane answers again, nudged then, so open badges catch up without a new action.
/// A nudge is a hint to re-read the count, never the count itself: sending one twice is harmless, so anything
/// that cannot be kept (a full queue, too many readers waiting) becomes one nudge for everyone.
/// </summary>
public sealed partial class ReaderNotifier
{
    /// <summary>A group nobody joins: sending to it tells whether the backplane answers, and reaches no one.</summary>
    internal const string ProbeGroup = "newspush-nudge-probe";

    private readonly IHubContext<NotificationHub> hub;
    private readonly TimeProvider clock;
    private readonly ILogger<ReaderNotifier> logger;
    private readonly RealtimeOptions options;

    // Written by callers, read by the send loop. Null in the queue only wakes the loop for everyoneQueued.
    private readonly Channel<string?> queue;
    private readonly ConcurrentDictionary<string, byte> queued = new(StringComparer.Ordinal);
    private int everyoneQueued;

    // The send loop's own: what is to be sent next (after a failure: what is owed a catch-up).
    private readonly HashSet<string> pending = new(StringComparer.Ordinal);
    private readonly List<string> sending = [];
    private bool everyonePending;

    // Read by the health check from other threads.
    private long failingSinceUtcTicks;
    private int pendingReaders;
    private int everyoneIsPending;

    public ReaderNotifier(IHubContext<NotificationHub> hub, IOptions<RealtimeOptions> options, TimeProvider clock, ILogger<ReaderNotifier> logger)
    {
        this.hub = hub;
        this.clock = clock;
        this.logger = logger;
        this.options = options.Value;
        queue = Channel.CreateBounded<string?>(new BoundedChannelOptions(this.options.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait, // so TryWrite says when it is full
            SingleReader = true,
        });
    }

    public ReaderNotifierStatus Status
    {
        get
        {
            var since = Interlocked.Read(ref failingSinceUtcTicks);
            return new ReaderNotifierStatus(
                since == 0 ? null : new DateTimeOffset(since, TimeSpan.Zero),
                Volatile.Read(ref pendingReaders),
                Volatile.Read(ref everyoneIsPending) == 1);
        }
    }

    /// <summary>Raised (synchronously, on the caller's thread) for every change: the reader's id, or null for everyone.</summary>
    public event Action<string?>? Changed;

    /// <summary>Nudges the reader's open pages to re-read their unread count. Never blocks, never throws for a send.</summary>
    public void InboxChanged(string userId)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        Changed?.Invoke(userId);
        if (!queued.TryAdd(userId, 0))
        {
            return; // already waiting, and it will be sent after this caller's commit
        }
        if (!queue.Writer.TryWrite(userId))
        {
            queued.TryRemove(userId, out _);
            if (RequestEveryone())
            {
                LogQueueFull(logger, options.QueueCapacity);
            }
        }
    }

    /// <summary>Nudges each of these readers (each once, however often listed).</summary>
    public void InboxChanged(IEnumerable<string> userIds)
    {
        foreach (var userId in userIds)
        {
            InboxChanged(userId);
        }
    }

    /// <summary>Nudges every connected reader (a broadcast changed everyone's count).</summary>
    public void InboxChangedForEveryone()
    {
        Changed?.Invoke(null);
        RequestEveryone();
    }

    /// <summary>Returns true when this call set the request (it was not already waiting).</summary>
    private bool RequestEveryone()
    {
        // The flag before the wake-up: a loop that drains the queue checks the flag after it, so neither is missed.
        // When the queue is full the wake-up is dropped, but then the loop has items to read and will see the flag.
        if (Interlocked.Exchange(ref everyoneQueued, 1) == 1)
        {
            return false;
        }
        queue.Writer.TryWrite(null);
        return true;
    }

    /// <summary>The send loop, run by <see cref="ReaderNotifierService"/> until <paramref name="ct"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        var retry = TimeSpan.FromSeconds(options.RetrySeconds);
        var settle = TimeSpan.FromSeconds(options.SettleSeconds);
        try
        {
            while (true)
            {
                if (Interlocked.Read(ref failingSinceUtcTicks) == 0)
                {
                    if (!await queue.Reader.WaitToReadAsync(ct))
                    {
                        return;
                    }
                    TakeQueued();
                    await SendPendingAsync(ct);
                    continue;
                }
                // Failing: new nudges only join the pending ones; one cheap probe per retry decides when to send them.
                await Task.Delay(retry, clock, ct);
                TakeQueued();
                if (await TrySendAsync(hub.Clients.Group(ProbeGroup), ct) is { } error)
                {
                    LogStillFailing(logger, error.GetType().Name, Volatile.Read(ref pendingReaders), everyonePending);
                    continue;
                }
                await Task.Delay(settle, clock, ct);
                TakeQueued();
                await SendPendingAsync(ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Shutting down: nudges not sent are hints nobody is owed.
        }
    }

    private void TakeQueued()
    {
        while (queue.Reader.TryRead(out var userId))
        {
            if (userId is not null)
            {
                // Removed before the send: a change committed from now on queues the reader again.
                queued.TryRemove(userId, out _);
                AddPending(userId);
            }
        }
        if (Interlocked.Exchange(ref everyoneQueued, 0) == 1)
        {
            SetEveryonePending();
        }
        Volatile.Write(ref pendingReaders, pending.Count);
    }

    private void AddPending(string userId)
    {
        if (everyonePending)
        {
            return; // the nudge for everyone reaches this reader too
        }
        if (pending.Count >= options.MaxPendingReaders)
        {
            SetEveryonePending();
            return;
        }
        pending.Add(userId);
    }

    private void SetEveryonePending()
    {
        everyonePending = true;
        pending.Clear();
        Volatile.Write(ref everyoneIsPending, 1);
    }

    /// <summary>Sends what is pending; the first failure stops it (the rest stays pending) and marks the notifier failing.</summary>
    private async Task SendPendingAsync(CancellationToken ct)
    {
        var (readers, everyone) = (pending.Count, everyonePending);
        if (everyonePending)
        {
            if (await TrySendAsync(hub.Clients.All, ct) is { } error)
            {
                Failed(error);
                return;
            }
            everyonePending = false;
            Volatile.Write(ref everyoneIsPending, 0);
            pending.Clear();
        }
        sending.Clear();
        sending.AddRange(pending);
        foreach (var userId in sending)
        {
            if (await TrySendAsync(hub.Clients.User(userId), ct) is { } error)
            {
                Volatile.Write(ref pendingReaders, pending.Count);
                Failed(error);
                return;
            }
            pending.Remove(userId);
        }
        sending.Clear();
        Volatile.Write(ref pendingReaders, 0);
        var since = Interlocked.Exchange(ref failingSinceUtcTicks, 0);
        if (since != 0)
        {
            LogRecovered(logger, (clock.GetUtcNow().UtcTicks - since) / (double)TimeSpan.TicksPerSecond, readers, everyone);
        }
    }

    private void Failed(Exception error)
    {
        if (Interlocked.CompareExchange(ref failingSinceUtcTicks, clock.GetUtcNow().UtcTicks, 0) == 0)
        {
            LogFailing(logger, error, Volatile.Read(ref pendingReaders), everyonePending, options.RetrySeconds);
        }
        else
        {
            LogStillFailing(logger, error.GetType().Name, Volatile.Read(ref pendingReaders), everyonePending);
        }
    }

    /// <summary>Null when the send completed within the timeout, otherwise why not.</summary>
    private async Task<Exception?> TrySendAsync(IClientProxy target, CancellationToken ct)
    {
        Task send;
        try
        {
            send = target.SendAsync(NotificationHub.InboxChanged, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return ex;
        }
        try
        {
            // The Redis publish takes no cancellation token: stop waiting for it rather than cancel it.
            await send.WaitAsync(TimeSpan.FromSeconds(options.SendTimeoutSeconds), clock, ct);
            return null;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            Observe(send);
            throw;
        }
        catch (TimeoutException ex)
        {
            Observe(send);
            return ex;
        }
        catch (Exception ex)
        {
            return ex;
        }
    }

    /// <summary>A send given up on may still fail later; its exception is observed here rather than left unobserved.</summary>
    private static void Observe(Task send) => send.ContinueWith(static t => _ = t.Exception, CancellationToken.None,
        TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Live inbox nudges are failing; {Readers} reader(s) (everyone: {Everyone}) will be nudged once sending works again, tried every {RetrySeconds} s")]
    private static partial void LogFailing(ILogger logger, Exception error, int readers, bool everyone, double retrySeconds);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Live inbox nudges still failing ({Error}); {Readers} reader(s) waiting (everyone: {Everyone})")]
    private static partial void LogStillFailing(ILogger logger, string error, int readers, bool everyone);

    [LoggerMessage(Level = LogLevel.Information, Message = "Live inbox nudges work again after {Seconds:0.0} s; caught up {Readers} reader(s) (everyone: {Everyone})")]
    private static partial void LogRecovered(ILogger logger, double seconds, int readers, bool everyone);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The live inbox nudge queue is full ({Capacity}); every connected reader will be nudged instead")]
    private static partial void LogQueueFull(ILogger logger, int capacity);
}

/// <summary>Runs <see cref="ReaderNotifier"/>'s send loop for the life of the host.</summary>
public sealed class ReaderNotifierService(ReaderNotifier notifier) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => notifier.RunAsync(stoppingToken);
}
