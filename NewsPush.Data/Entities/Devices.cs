namespace NewsPush.Data.Entities;

/// <summary>
/// A mobile app install registered for push (Android through FCM, iOS through APNs). It belongs to one reader at a
/// time: registering the same <see cref="DeviceId"/> or token from another account moves it there, and app logout
/// unbinds it (<see cref="UserId"/> null), after which nothing of that reader reaches it.
/// </summary>
public class Device
{
    public long Id { get; set; }
    /// <summary>The reader it is bound to; null once unbound (logout), until someone signs in on it again.</summary>
    public string? UserId { get; set; }
    /// <summary>The app's own stable id for the install.</summary>
    public string DeviceId { get; set; } = "";
    public DevicePlatform Platform { get; set; }
    /// <summary>The FCM registration token or the APNs device token (hex).</summary>
    public string Token { get; set; } = "";
    /// <summary>SHA-256 of the token (hex): one device per platform and token.</summary>
    public string TokenHash { get; set; } = "";
    /// <summary>When the app last sent a new token (the token's refresh time; APNs 410 counts only if later).</summary>
    public DateTime TokenUpdatedAt { get; set; }
    public string? AppVersion { get; set; }
    /// <summary>The device's language (BCP 47), as the app reports it.</summary>
    public string? Locale { get; set; }
    /// <summary>The device's IANA time zone, for its push hours; null: the reader's.</summary>
    public string? TimeZoneId { get; set; }
    /// <summary>The reader's switch for this device; off: nothing is pushed to it.</summary>
    public bool PushEnabled { get; set; } = true;
    public bool ReceivesDigests { get; set; } = true;
    public bool ReceivesBreaking { get; set; } = true;
    /// <summary>Pushes only between these local times (may wrap past midnight); both null: any time.</summary>
    public TimeOnly? PushHoursStart { get; set; }
    public TimeOnly? PushHoursEnd { get; set; }
    /// <summary>What the app icon shows: pushes since the app was last opened, never more than the reader's unread items.</summary>
    public int BadgeCount { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>The last time the app registered or reported being opened.</summary>
    public DateTime LastSeenAt { get; set; }
    public DateTime? LastOpenedAt { get; set; }
    /// <summary>The last time FCM or APNs accepted a push for it.</summary>
    public DateTime? LastSuccessAt { get; set; }
    /// <summary>Set when the push service said the token is gone; a new registration clears it.</summary>
    public DateTime? DeactivatedAt { get; set; }
    public string? DeactivatedReason { get; set; }
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

/// <summary>
/// A chat robot or webhook that receives pushes: a newsroom robot (DingTalk, Feishu/Lark, WeCom, Slack, generic)
/// that editors and admins manage, or a reader's own Slack or generic webhook. <see cref="Url"/> and
/// <see cref="Secret"/> are credentials, protected with Data Protection; only the hints are ever shown.
/// </summary>
public class WebhookEndpoint
{
    public long Id { get; set; }
    /// <summary>The reader who owns a reader webhook, or the staff member who added a newsroom robot.</summary>
    public string UserId { get; set; } = "";
    public WebhookOwner Owner { get; set; }
    public string Name { get; set; } = "";
    public WebhookKind Kind { get; set; }
    /// <summary>The URL, protected (it carries the robot's access token).</summary>
    public string Url { get; set; } = "";
    /// <summary>SHA-256 of the URL (hex): one robot per URL.</summary>
    public string UrlHash { get; set; } = "";
    /// <summary>What the pages show of the URL: the host and the last characters.</summary>
    public string UrlHint { get; set; } = "";
    /// <summary>The signing secret, protected; null when the robot signs nothing.</summary>
    public string? Secret { get; set; }
    public string? SecretHint { get; set; }
    /// <summary>A word the robot requires in every message (DingTalk and Feishu "keywords" security).</summary>
    public string? Keyword { get; set; }
    /// <summary>0: the provider's rule (DingTalk and WeCom 20, Feishu 100, Slack 60, generic 60).</summary>
    public int MaxPerMinute { get; set; }
    public bool ReceivesBreaking { get; set; }
    /// <summary>Comma-separated column ids whose breaking news it receives; empty: every column.</summary>
    public string BreakingColumns { get; set; } = "";
    public bool ReceivesAlerts { get; set; }
    /// <summary>A daily digest of one column at <see cref="DigestLocalTime"/> in <see cref="DigestTimeZoneId"/>; null: none.</summary>
    public int? DigestColumnId { get; set; }
    public TimeOnly? DigestLocalTime { get; set; }
    public string? DigestTimeZoneId { get; set; }
    public bool IsActive { get; set; } = true;
    /// <summary>Paused until then: a rate-limit block (resumes by itself) or, with <see cref="NeedsFix"/>, until someone fixes it.</summary>
    public DateTime? PausedUntil { get; set; }
    public bool NeedsFix { get; set; }
    public string? PauseReason { get; set; }
    public DateTime? LastDeliveryAt { get; set; }
    public string? LastError { get; set; }
    public DateTime? LastErrorAt { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>Something admins must know (a channel paused, a robot refused), sent to the robots that receive alerts.</summary>
public class SystemAlert
{
    public long Id { get; set; }
    public string Title { get; set; } = "";
    public string Text { get; set; } = "";
    /// <summary>A site-relative link to where it can be fixed, e.g. /admin/deliveries.</summary>
    public string? Url { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>One request sent to a robot (for its provider's rate limit, counted over the last minute).</summary>
public class WebhookRequest
{
    public long Id { get; set; }
    public long EndpointId { get; set; }
    public DateTime SentAt { get; set; }
    /// <summary>How many deliveries it carried (more than one: a merged summary).</summary>
    public int Items { get; set; }
}
