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
    public long? CampaignId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? ExpiresAt { get; set; }
}

/// <summary>Created lazily the first time a reader reads or archives a broadcast.</summary>
public class BroadcastReceipt
{
    public long BroadcastId { get; set; }
    public Broadcast? Broadcast { get; set; }
    public string UserId { get; set; } = "";
    public DateTime? ReadAt { get; set; }
    public DateTime? ArchivedAt { get; set; }
}
