namespace NewsPush.Data.Entities;

/// <summary>What happened to a delivery, as the analytics count it. Queued is the outbox row itself (no event row).</summary>
public enum DeliveryEventType { Queued = 0, Sent = 1, Failed = 2, Delivered = 3, Opened = 4, Clicked = 5 }

/// <summary>
/// An append-only log of what each delivery's channel reported after it was queued: sent, failed, delivered (a browser
/// showed it), opened (pixel, inbox, app), clicked (tracked links, with the article). <see cref="IsFirst"/> marks the
/// first event of its type for the delivery, so unique counts are sums like the totals.
/// </summary>
public class DeliveryEvent
{
    public long Id { get; set; }
    public long DeliveryId { get; set; }
    public DeliveryChannel Channel { get; set; }
    public DeliveryContentKind ContentKind { get; set; }
    public long ContentId { get; set; }
    public DeliveryEventType Type { get; set; }
    public bool IsFirst { get; set; }
    /// <summary>The article clicked; 0 for other events.</summary>
    public int ArticleId { get; set; }
    public DateTime OccurredAt { get; set; }
}

public enum RollupGrain { Hour = 0, Day = 1 }

/// <summary>Deliveries' events counted per hour or day (UTC), content (a push, a digest run's digests), channel, metric and article.</summary>
public class DeliveryRollup
{
    public long Id { get; set; }
    public RollupGrain Grain { get; set; }
    public DateTime BucketStart { get; set; }
    public DeliveryContentKind ContentKind { get; set; }
    /// <summary>The push's id for breaking news; for digests the digest run (the UTC day its digests were composed, counted from 1970-01-01).</summary>
    public long ContentId { get; set; }
    public DeliveryChannel Channel { get; set; }
    public DeliveryEventType Metric { get; set; }
    /// <summary>The article clicked (clicks only); 0 otherwise.</summary>
    public int ArticleId { get; set; }
    public long Total { get; set; }
    public long Unique { get; set; }
}

/// <summary>Reader interactions counted per hour or day (UTC), column, source list ("foryou", "latest", …), model version and type.</summary>
public class InteractionRollup
{
    public long Id { get; set; }
    public RollupGrain Grain { get; set; }
    public DateTime BucketStart { get; set; }
    public int ColumnId { get; set; }
    public string Source { get; set; } = "";
    /// <summary>The model version active when it happened; 0 before any was activated.</summary>
    public int ModelVersionId { get; set; }
    public InteractionType Type { get; set; }
    public long Count { get; set; }
    public double ValueSum { get; set; }
}

/// <summary>That a reader read (clicked or dwelt on) a column's articles on a day: the set behind a column's readers and "also read".</summary>
public class ColumnReaderDay
{
    public int ColumnId { get; set; }
    public DateTime Day { get; set; }
    public string UserId { get; set; } = "";
}

/// <summary>How far the roll-up job has read an append-only table (its highest id counted).</summary>
public class AnalyticsWatermark
{
    public string Name { get; set; } = "";
    public long LastId { get; set; }
    public DateTime UpdatedAt { get; set; }
}
