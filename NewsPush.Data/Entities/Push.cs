namespace NewsPush.Data.Entities;

/// <summary>One reader's digest for one window, e.g. "daily:2026-11-25".</summary>
public class Digest
{
    public long Id { get; set; }
    public string UserId { get; set; } = "";
    public string WindowKey { get; set; } = "";
    /// <summary>UTC instant the reader's local delivery time falls on.</summary>
    public DateTime ScheduledFor { get; set; }
    public DigestStatus Status { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? OpenedAt { get; set; }
    /// <summary>Set when an unopened digest was merged into a newer one.</summary>
    public long? MergedIntoId { get; set; }
    public List<DigestItem> Items { get; set; } = [];
}

public class DigestItem
{
    public long DigestId { get; set; }
    public Digest? Digest { get; set; }
    public int ArticleId { get; set; }
    public Article? Article { get; set; }
    public int Position { get; set; }
    public double Score { get; set; }
    public string Reason { get; set; } = "";
}

/// <summary>The outbox: one row per reader, source (digest or campaign) and channel.</summary>
public class Delivery
{
    public long Id { get; set; }
    public string UserId { get; set; } = "";
    public DeliveryChannel Channel { get; set; }
    public long? DigestId { get; set; }
    public Digest? Digest { get; set; }
    public long? CampaignId { get; set; }
    public PushCampaign? Campaign { get; set; }
    public DeliveryStatus Status { get; set; }
    public int Attempts { get; set; }
    public DateTime? NextAttemptAt { get; set; }
    /// <summary>The claim of the dispatcher that holds the row while <see cref="Status"/> is Sending (random, per claim).</summary>
    public string? LeaseId { get; set; }
    public string? LastError { get; set; }
    /// <summary>Opaque id used in open-pixel and click-redirect URLs.</summary>
    public string TrackingToken { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    public DateTime? SentAt { get; set; }
    public DateTime? OpenedAt { get; set; }
    public DateTime? ClickedAt { get; set; }
}

/// <summary>An editor's breaking-news push of one article to a segment.</summary>
public class PushCampaign
{
    public long Id { get; set; }
    public int ArticleId { get; set; }
    public Article? Article { get; set; }
    public string Title { get; set; } = "";
    public string Message { get; set; } = "";
    public PushSegment Segment { get; set; }
    /// <summary>Column or tag id for follower segments.</summary>
    public int? SegmentTargetId { get; set; }
    /// <summary>Minimum predicted interest for <see cref="PushSegment.PredictedInterested"/>.</summary>
    public double? PredictedThreshold { get; set; }
    public bool IsCritical { get; set; }
    public CampaignStatus Status { get; set; }
    public DateTime? ScheduledAt { get; set; }
    public int? AudienceSize { get; set; }
    public string? CreatedById { get; set; }
    public string? ApprovedById { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? SentAt { get; set; }
}

/// <summary>A digest schedule admins edit (cron, Quartz syntax, evaluated in UTC).</summary>
public class DigestSchedule
{
    public int Id { get; set; }
    public string Name { get; set; } = "";
    public DigestFrequency Frequency { get; set; }
    public string CronExpression { get; set; } = "";
    public bool IsEnabled { get; set; } = true;
    public DateTime UpdatedAt { get; set; }
}
