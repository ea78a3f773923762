namespace NewsPush.Data.Entities;

/// <summary>A mobile app install registered for push; unbound on logout.</summary>
public class Device
{
    public long Id { get; set; }
    public string UserId { get; set; } = "";
    /// <summary>The app's own stable id for the install.</summary>
    public string DeviceId { get; set; } = "";
    public DevicePlatform Platform { get; set; }
    public string Token { get; set; } = "";
    public bool PushEnabled { get; set; } = true;
    public int BadgeCount { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime LastSeenAt { get; set; }
}

/// <summary>A browser's Web Push subscription (RFC 8030 endpoint + RFC 8291 keys).</summary>
public class WebPushSubscription
{
    public long Id { get; set; }
    public string UserId { get; set; } = "";
    public string Endpoint { get; set; } = "";
    public string P256dh { get; set; } = "";
    public string Auth { get; set; } = "";
    public DateTime CreatedAt { get; set; }
}

/// <summary>A chat robot (Slack/DingTalk-style) that receives a reader's pushes.</summary>
public class WebhookEndpoint
{
    public long Id { get; set; }
    public string UserId { get; set; } = "";
    public string Name { get; set; } = "";
    public string Url { get; set; } = "";
    public WebhookKind Kind { get; set; }
    public string? Secret { get; set; }
    public int MaxPerMinute { get; set; } = 20;
    public bool IsActive { get; set; } = true;
    public DateTime CreatedAt { get; set; }
}
