namespace NewsPush.Data.Entities;

/// <summary>A personal in-site message (站内信) for one reader.</summary>
public class InboxMessage
{
    public long Id { get; set; }
    public string UserId { get; set; } = "";
    public InboxMessageKind Kind { get; set; }
    public string Title { get; set; } = "";
    public string Body { get; set; } = "";
    public string? Link { get; set; }
    public long? DigestId { get; set; }
    public long? CampaignId { get; set; }
    /// <summary>The delivery that wrote this message: unique, so a delivery claimed again writes no second one.</summary>
    public long? DeliveryId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? ReadAt { get; set; }
    public DateTime? ArchivedAt { get; set; }
}

/// <summary>A message for everyone, stored once. Per-reader state lives in <see cref="BroadcastReceipt"/>.</summary>
public class Broadcast
{
    public long Id { get; set; }
    public string Title { get; set; } = "";
    public string Body { get; set; } = "";
    public string? Link { get; set; }
    /// <summary>A breaking-news push's inbox part: the push it belongs to; null for an admin's broadcast to everyone.</summary>
    public long? CampaignId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? ExpiresAt { get; set; }

    // The audience of a push's inbox part, fixed when the push starts sending (an admin's broadcast has none: everyone).
    /// <summary>Everyone, followers of <see cref="AudienceTargets"/>, or the push's stored set (<see cref="PushAudienceMember"/>, predicted interest).</summary>
    public PushSegment AudienceSegment { get; set; }
    /// <summary>Column or tag ids between commas (",3,7,"); empty for everyone.</summary>
    public string AudienceTargets { get; set; } = "";
    /// <summary>IANA zones between commas (",Europe/Paris,Asia/Shanghai,"); empty for every zone.</summary>
    public string AudienceZones { get; set; } = "";
    /// <summary>The story's column: readers who chose topics get the push only when the column is one of them.</summary>
    public int? AudienceColumnId { get; set; }
    /// <summary>A primary BCP 47 subtag ("en"): readers of another language are left out, readers of no known language are not; empty: every language.</summary>
    public string AudienceLanguage { get; set; } = "";
    /// <summary>Readers pushed breaking news from this instant until the push started are left out; null: nobody is.</summary>
    public DateTime? ExcludePushedSince { get; set; }
    /// <summary>Readers in the audience with the inbox on when the push started (for the push's progress).</summary>
    public int? AudienceCount { get; set; }
}

/// <summary>Created lazily the first time a reader reads or archives a broadcast.</summary>
public class BroadcastReceipt
{
    public long BroadcastId { get; set; }
    public Broadcast? Broadcast { get; set; }
    public string UserId { get; set; } = "";
    public DateTime? ReadAt { get; set; }
    public DateTime? ArchivedAt { get; set; }
    /// <summary>When the reader first opened it (its page, not "mark as read"): a breaking push's inbox "opened".</summary>
    public DateTime? OpenedAt { get; set; }
    /// <summary>When the reader first followed its link from the inbox: a breaking push's inbox "clicked".</summary>
    public DateTime? ClickedAt { get; set; }
}
