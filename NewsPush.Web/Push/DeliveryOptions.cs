using System.ComponentModel.DataAnnotations;

namespace NewsPush.Web.Push;

/// <summary>The "Delivery" section: how the outbox is worked off.</summary>
public sealed class DeliveryOptions
{
    public const string SectionName = "Delivery";

    /// <summary>Backoff after attempt n is BackoffBaseSeconds × 2^(n−1), at most <see cref="BackoffMaxSeconds"/>.</summary>
    [Range(0.01, 86_400)]
    public double BackoffBaseSeconds { get; set; } = 30;
    [Range(1, 86_400)]
    public double BackoffMaxSeconds { get; set; } = 3600;
    /// <summary>
    /// A delivery meeting only transient failures is retried until this long after it was queued, then Expired
    /// (digests; contents that set their own deadline keep it).
    /// </summary>
    [Range(0.01, 24 * 30)]
    public double DeadlineHours { get; set; } = 48;
    /// <summary>A delivery whose sender stopped this many times while holding it (a crash, a lost lease) is Failed with that reason.</summary>
    [Range(1, 20)]
    public int MaxUnfinishedClaims { get; set; } = 3;
    /// <summary>A paused channel is probed after this long, doubling after each failed probe up to <see cref="ProbeMaxSeconds"/>.</summary>
    [Range(0.01, 86_400)]
    public double ProbeBaseSeconds { get; set; } = 30;
    [Range(0.01, 86_400)]
    public double ProbeMaxSeconds { get; set; } = 3600;
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 1000;
    /// <summary>
    /// A claim's lease. The holder renews it every quarter of this while it sends and stops sending when it has not
    /// renewed for half of it, so node clocks may differ by up to half of it without two nodes sending one row.
    /// A claim not renewed (a crash) is picked up again after this long.
    /// </summary>
    [Range(0.2, 86_400)]
    public double LeaseSeconds { get; set; } = 300;
    [Range(0.05, 3600)]
    public double PollIntervalSeconds { get; set; } = 5;
    /// <summary>Concurrent SMTP sends (each on its own pooled connection).</summary>
    [Range(1, 64)]
    public int EmailParallelism { get; set; } = 4;
    /// <summary>
    /// E-mails sent between two records of their outcomes: an SMTP server can accept a message and the process die
    /// before "Sent" is written, and then at most this many are sent again (with the same Message-Id).
    /// </summary>
    [Range(1, 10_000)]
    public int EmailGroupSize { get; set; } = 64;
    /// <summary>Run the background dispatcher (tests drive it by hand).</summary>
    public bool DispatcherEnabled { get; set; } = true;
}
