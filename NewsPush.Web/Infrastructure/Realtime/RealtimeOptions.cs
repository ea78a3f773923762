using System.ComponentModel.DataAnnotations;

namespace NewsPush.Web.Infrastructure.Realtime;

/// <summary>The "Realtime" section: how live-badge nudges (<see cref="ReaderNotifier"/>) are sent.</summary>
public sealed class RealtimeOptions
{
    public const string SectionName = "Realtime";

    /// <summary>A send that has not completed after this long counts as failed (a hung backplane).</summary>
    [Range(0.05, 60)]
    public double SendTimeoutSeconds { get; set; } = 2;

    /// <summary>While nudges are failing, how often the backplane is tried again.</summary>
    [Range(0.05, 3600)]
    public double RetrySeconds { get; set; } = 5;

    /// <summary>
    /// After the backplane answers again, the wait before the catch-up nudges go out: SignalR's Redis connection
    /// restores its subscriptions a moment after it can publish again, and a nudge published in between is lost.
    /// </summary>
    [Range(0, 60)]
    public double SettleSeconds { get; set; } = 1;

    /// <summary>Nudges waiting to be sent; when full, the next nudge becomes one for everyone.</summary>
    [Range(1, 1_000_000)]
    public int QueueCapacity { get; set; } = 10_000;

    /// <summary>Readers remembered for a catch-up nudge while sending fails; beyond this, everyone is nudged once it works again.</summary>
    [Range(1, 1_000_000)]
    public int MaxPendingReaders { get; set; } = 10_000;

    /// <summary>Hub connections one user may hold open on one node (a tab holds one); the next is closed.</summary>
    [Range(1, 1000)]
    public int MaxConnectionsPerUser { get; set; } = 10;

    /// <summary>
    /// How long the unread count drawn into each page's badge is kept per reader. Every inbox change drops it at once, on
    /// this node and (through Redis) on the others; this bounds what a lost message or a broadcast's expiry leaves
    /// (the badge's live update asks the database itself).
    /// </summary>
    [Range(0, 300)]
    public int BadgeCacheSeconds { get; set; } = 60;
}
