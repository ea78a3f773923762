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

/// <summary>
/// The outbox: one row per reader, content and channel endpoint. The content is referred to generally
/// (<see cref="ContentKind"/> + <see cref="ContentId"/>: a digest, a breaking-news push, a broadcast, an alert, a test).
/// </summary>
public class Delivery
{
    public long Id { get; set; }
    public string UserId { get; set; } = "";
    public DeliveryChannel Channel { get; set; }
    public DeliveryContentKind ContentKind { get; set; }
    public long ContentId { get; set; }
    /// <summary>
    /// Which of the reader's endpoints on the channel (a browser subscription, a device, a hook); 0 for the
    /// channels with one endpoint per reader (inbox, e-mail address).
    /// </summary>
    public long EndpointId { get; set; }
    public DeliveryStatus Status { get; set; }
    /// <summary>Attempts whose outcome was recorded.</summary>
    public int Attempts { get; set; }
    /// <summary>
    /// Times the row was claimed. More claims than attempts means a sender stopped (crashed, lost its lease) while
    /// holding it; such rows are retried one at a time, and fail after too many.
    /// </summary>
    public int Claims { get; set; }
    public DateTime? NextAttemptAt { get; set; }
    /// <summary>Past this instant a delivery that still meets only transient failures is Expired instead of retried.</summary>
    public DateTime? DeliverBy { get; set; }
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

/// <summary>
/// A channel's health, shared by every node: a circuit breaker. While paused, its deliveries wait (no attempts
/// spent); after <see cref="NextProbeAt"/> one node at a time sends one delivery as a probe.
/// </summary>
public class ChannelState
{
    public DeliveryChannel Channel { get; set; }
    public bool IsPaused { get; set; }
    public ChannelPauseKind PauseKind { get; set; }
    public DateTime? PausedAt { get; set; }
    public DateTime? NextProbeAt { get; set; }
    /// <summary>Consecutive failed probes: the wait before the next one doubles with each, up to a ceiling.</summary>
    public int FailedProbes { get; set; }
    /// <summary>Held by the node sending the probe until this instant.</summary>
    public DateTime? ProbeLeaseUntil { get; set; }
    public string? LastError { get; set; }
    public DateTime? LastErrorAt { get; set; }
    public DateTime? LastSuccessAt { get; set; }
    public DateTime UpdatedAt { get; set; }
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
    /// <summary>Minimum predicted interest (the model's score) for <see cref="PushSegment.PredictedInterested"/>; or <see cref="PredictedTopPercent"/>.</summary>
    public double? PredictedThreshold { get; set; }
    /// <summary>The highest-scored share (1–100 %) of the eligible readers for <see cref="PushSegment.PredictedInterested"/>; or <see cref="PredictedThreshold"/>.</summary>
    public double? PredictedTopPercent { get; set; }
    /// <summary>Only readers of this language (a primary BCP 47 subtag, "en", "zh") or of no known language; empty: every language.</summary>
    public string Language { get; set; } = "";
    public bool IsCritical { get; set; }
    public CampaignStatus Status { get; set; }
    public DateTime? ScheduledAt { get; set; }
    public int? AudienceSize { get; set; }
    public string? CreatedById { get; set; }
    public string? ApprovedById { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? SentAt { get; set; }
    /// <summary>Comma-separated column or tag ids of a follower segment (several may be chosen; <see cref="SegmentTargetId"/> is the first).</summary>
    public string TargetIds { get; set; } = "";
    /// <summary>Readers pushed breaking news within this many hours are left out; null: nobody is.</summary>
    public int? ExcludePushedWithinHours { get; set; }
    /// <summary>Only readers whose time zone is one of these (comma-separated IANA ids); empty: every zone.</summary>
    public string TimeZoneFilter { get; set; } = "";
    /// <summary>Why an admin sent a critical push without a second editor's approval.</summary>
    public string? CriticalReason { get; set; }
    public DateTime? SubmittedAt { get; set; }
    public DateTime? ApprovedAt { get; set; }
    /// <summary>What the reviewer asked to change when they sent it back to draft.</summary>
    public string? ReviewNote { get; set; }
    public DateTime? CancelledAt { get; set; }
    public string? CancelledById { get; set; }
    /// <summary>When every delivery of the push was queued (the fan-out finished).</summary>
    public DateTime? QueuedAt { get; set; }
    /// <summary>The last reader id the fan-out queued (ordinal order): a fan-out that stopped resumes after it.</summary>
    public string? FanoutCursor { get; set; }
    /// <summary>A recurring push: Quartz cron in <see cref="ScheduleTimeZoneId"/>; each run is a copy with <see cref="ParentId"/>.</summary>
    public string? Cron { get; set; }
    public string? ScheduleTimeZoneId { get; set; }
    public DateTime? NextRunAt { get; set; }
    public long? ParentId { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>
/// A reader in the audience of a push whose segment is a set, not a rule (<see cref="PushSegment.PredictedInterested"/>):
/// written with the push's inbox part when it starts sending, with the model's score that put them there.
/// </summary>
public class PushAudienceMember
{
    public long CampaignId { get; set; }
    public string UserId { get; set; } = "";
    public float Score { get; set; }
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
