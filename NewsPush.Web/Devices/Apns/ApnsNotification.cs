namespace NewsPush.Web.Devices.Apns;

/// <summary>
/// One alert for one device. <paramref name="Badge"/> is absolute (APNs has no increment): the reader's unread count.
/// <paramref name="Data"/> goes at the payload's top level next to <c>aps</c>, <c>url</c> and <c>image</c> (keys with those names are skipped).
/// </summary>
public sealed record ApnsNotification(string DeviceToken, string Title, string Body, string? ImageUrl, string Link,
    string CollapseId, bool Immediate, DateTime ExpiresAt, int Badge, string? ThreadId, IReadOnlyDictionary<string, string> Data);

/// <summary>What the caller does with the device or the delivery.</summary>
public enum ApnsOutcome
{
    /// <summary>APNs accepted it (200).</summary>
    Sent,

    /// <summary>The device token is dead for this app: deactivate the device (for 410, only if it registered before <see cref="ApnsAnswer.UnregisteredAt"/>).</summary>
    TokenGone,

    /// <summary>This notification can never be sent as it is; the device stays.</summary>
    Rejected,

    /// <summary>Try again later (after <see cref="ApnsAnswer.RetryAfter"/> when given).</summary>
    Retry,

    /// <summary>Our key, ids or topic are wrong: every send will fail until an admin fixes the configuration.</summary>
    AuthFailed,
}

/// <summary>
/// APNs' answer: HTTP <paramref name="Status"/> (0 when there was none), its <paramref name="Reason"/> and a sentence for the admin.
/// </summary>
public readonly record struct ApnsAnswer(ApnsOutcome Outcome, int Status, string? Reason, string Detail, TimeSpan? RetryAfter = null,
    DateTime? UnregisteredAt = null, string? ApnsId = null);
