using NewsPush.Data.Entities;

namespace NewsPush.Web.Push;

/// <summary>
/// A channel: one sender class plus one registration line (<c>services.AddChannel&lt;T&gt;()</c>). It declares the
/// kinds of content it carries, renders each, sends, and reports every delivery's own outcome to the
/// <see cref="DeliveryReport"/> as soon as it knows it. It checks <see cref="DeliveryReport.MaySend"/> before each
/// external send: false once the dispatcher's lease is lost or the channel was reported down.
/// </summary>
public interface IChannelSender
{
    DeliveryChannel Channel { get; }

    IReadOnlySet<DeliveryContentKind> Carries { get; }

    /// <summary>
    /// Deliveries handed over at a time. The dispatcher records the outcomes after each group, so a crash between
    /// a channel accepting a message and the record repeats at most one group.
    /// </summary>
    int GroupSize => int.MaxValue;

    /// <summary>
    /// Sends a group. Deliveries left without an outcome are put back in the queue unharmed when the channel was
    /// reported down, and retried otherwise. Must not throw for one bad delivery.
    /// </summary>
    Task SendAsync(IReadOnlyList<OutboundDelivery> group, DeliveryReport report, CancellationToken ct);
}

/// <summary>Deferred: not tried, to be tried at <see cref="DeliveryOutcome.NotBefore"/> without spending an attempt (a rate limit's window).</summary>
public enum DeliveryResult { Sent, Retry, Failed, Suppressed, Deferred }

/// <summary>What happened to one delivery; <see cref="Error"/> is kept on the Delivery row.</summary>
public readonly record struct DeliveryOutcome(long DeliveryId, DeliveryResult Result, string? Error = null, TimeSpan? RetryAfter = null, DateTime? NotBefore = null);

/// <summary>A fault of the whole channel rather than of one delivery.</summary>
public sealed record ChannelFault(ChannelPauseKind Kind, string Reason);

/// <summary>
/// Where a channel reports outcomes while it sends a group (thread-safe: channels may send in parallel). The first
/// outcome for a delivery wins.
/// </summary>
public sealed class DeliveryReport(Func<bool> leaseHeld)
{
    private readonly Lock gate = new();
    private readonly Dictionary<long, DeliveryOutcome> outcomes = [];
    private ChannelFault? fault;

    /// <summary>False once the channel is reported down or misconfigured, or the dispatcher no longer holds its lease.</summary>
    public bool MaySend
    {
        get
        {
            lock (gate)
            {
                if (fault is not null)
                {
                    return false;
                }
            }
            return leaseHeld();
        }
    }

    public ChannelFault? Fault
    {
        get
        {
            lock (gate)
            {
                return fault;
            }
        }
    }

    public void Sent(long deliveryId) => Add(new DeliveryOutcome(deliveryId, DeliveryResult.Sent));

    /// <summary>A transient failure of this delivery only (e.g. 451 for one recipient): retried with backoff until its deadline.</summary>
    public void Retry(long deliveryId, string error, TimeSpan? retryAfter = null) => Add(new DeliveryOutcome(deliveryId, DeliveryResult.Retry, error, retryAfter));

    /// <summary>A permanent failure of this delivery only (e.g. 550 5.1.1 unknown mailbox).</summary>
    public void Failed(long deliveryId, string error) => Add(new DeliveryOutcome(deliveryId, DeliveryResult.Failed, error));

    public void Suppressed(long deliveryId, string reason) => Add(new DeliveryOutcome(deliveryId, DeliveryResult.Suppressed, reason));

    /// <summary>
    /// Not sent now, by the channel's choice (the endpoint's rate limit is used up, or it is paused): back in the queue
    /// until <paramref name="notBefore"/>, without spending an attempt; still bound by the delivery's deadline.
    /// </summary>
    public void Defer(long deliveryId, DateTime notBefore, string reason) =>
        Add(new DeliveryOutcome(deliveryId, DeliveryResult.Deferred, reason, NotBefore: notBefore));

    /// <summary>The service is unreachable or refuses everyone for now: the channel pauses and retries by itself.</summary>
    public void ChannelDown(string reason) => SetFault(new ChannelFault(ChannelPauseKind.Outage, reason));

    /// <summary>The service refuses us (credentials, sender, signature): the channel pauses and admins are told.</summary>
    public void ChannelMisconfigured(string reason) => SetFault(new ChannelFault(ChannelPauseKind.Configuration, reason));

    public bool TryGet(long deliveryId, out DeliveryOutcome outcome)
    {
        lock (gate)
        {
            return outcomes.TryGetValue(deliveryId, out outcome);
        }
    }

    /// <summary>The outcomes reported so far and not yet taken, removed from the report.</summary>
    internal List<DeliveryOutcome> Take(IEnumerable<long> ids)
    {
        lock (gate)
        {
            var taken = new List<DeliveryOutcome>();
            foreach (var id in ids)
            {
                if (outcomes.Remove(id, out var o))
                {
                    taken.Add(o);
                }
            }
            return taken;
        }
    }

    private void Add(DeliveryOutcome outcome)
    {
        lock (gate)
        {
            outcomes.TryAdd(outcome.DeliveryId, outcome);
        }
    }

    private void SetFault(ChannelFault f)
    {
        lock (gate)
        {
            // A configuration fault outranks an outage: it needs a person.
            if (fault is null || (fault.Kind == ChannelPauseKind.Outage && f.Kind == ChannelPauseKind.Configuration))
            {
                fault = f;
            }
        }
    }
}
