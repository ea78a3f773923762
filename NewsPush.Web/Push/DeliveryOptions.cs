using System.ComponentModel.DataAnnotations;

namespace NewsPush.Web.Push;

/// <summary>The "Delivery" section: how the outbox is worked off.</summary>
public sealed class DeliveryOptions
{
    public const string SectionName = "Delivery";

    /// <summary>After this many failed attempts a delivery is Failed for good.</summary>
    [Range(1, 50)]
    public int MaxAttempts { get; set; } = 6;
    /// <summary>Backoff after attempt n is BackoffBaseSeconds × 2^(n−1).</summary>
    [Range(0.01, 86_400)]
    public double BackoffBaseSeconds { get; set; } = 30;
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 1000;
    /// <summary>A claimed delivery not finished within this time (a crash) is picked up again.</summary>
    [Range(1, 86_400)]
    public int LeaseSeconds { get; set; } = 300;
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
