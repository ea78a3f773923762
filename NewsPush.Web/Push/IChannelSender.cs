using NewsPush.Data.Entities;

namespace NewsPush.Web.Push;

public enum DeliveryResult { Sent, Retry, Failed, Suppressed }

/// <summary>What happened to one delivery; <see cref="Error"/> is kept on the Delivery row.</summary>
public readonly record struct DeliveryOutcome(long DeliveryId, DeliveryResult Result, string? Error = null);

/// <summary>Delivers claimed outbox rows over one channel. Must not throw for one bad delivery.</summary>
public interface IChannelSender
{
    DeliveryChannel Channel { get; }

    /// <summary>
    /// Deliveries handed over at a time. The dispatcher records the outcomes after each group, so a crash between
    /// a channel accepting a message and the record repeats at most one group.
    /// </summary>
    int GroupSize => int.MaxValue;

    Task<IReadOnlyList<DeliveryOutcome>> SendAsync(IReadOnlyList<Delivery> batch, CancellationToken ct);
}
