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

/// <summary>
/// A browser's Web Push subscription (RFC 8030 endpoint + RFC 8291 keys), one per endpoint. The browser posts it
/// again when the reader visits (<see cref="LastSeenAt"/>); one not seen for 60 days expires.
/// </summary>
public class WebPushSubscription
{
    public long Id { get; set; }
    public string UserId { get; set; } = "";
    public string Endpoint { get; set; } = "";
    public string P256dh { get; set; } = "";
    public string Auth { get; set; } = "";
    /// <summary>A label for the reader's list, from the browser's User-Agent ("Chrome on Linux").</summary>
    public string Browser { get; set; } = "";
    /// <summary>What this browser receives: digests, breaking news (tests and warnings always).</summary>
    public bool ReceivesDigests { get; set; } = true;
    public bool ReceivesBreaking { get; set; } = true;
    public DateTime CreatedAt { get; set; }
    /// <summary>The last time the browser posted the subscription (the reader used it).</summary>
    public DateTime LastSeenAt { get; set; }
    /// <summary>The last time a push service accepted a message for it.</summary>
    public DateTime? LastSuccessAt { get; set; }
    /// <summary>Push service refusals (4xx other than 404/410/408/429) in a row; at 3 the subscription is removed.</summary>
    public int ConsecutiveFailures { get; set; }
    /// <summary>When the "stops soon" warning was queued for the current idle period.</summary>
    public DateTime? ExpiryWarnedAt { get; set; }
}

/// <summary>
/// A key the site made for itself and keeps in the database so every node uses the same one (the VAPID key pair).
/// <see cref="ProtectedValue"/> is protected with ASP.NET Core Data Protection.
/// </summary>
public class SiteKey
{
    public string Name { get; set; } = "";
    public string PublicValue { get; set; } = "";
    public string ProtectedValue { get; set; } = "";
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
