namespace NewsPush.Web.Devices.Fcm;

/// <summary>
/// One push to one Android (or FCM-registered) device. <paramref name="CollapseKey"/> is also the notification tag, so a
/// newer push with the same key replaces the older one on the device; <paramref name="Link"/> goes to data["url"]
/// (it wins over a "url" in <paramref name="Data"/>). <paramref name="TimeToLive"/> is clamped to 0…4 weeks.
/// </summary>
public sealed record FcmNotification(string Token, string Title, string Body, string? ImageUrl, string Link,
    string CollapseKey, bool HighPriority, TimeSpan TimeToLive, int Badge, IReadOnlyDictionary<string, string> Data);

/// <summary>What the caller should do with the device after a send.</summary>
public enum FcmOutcome
{
    /// <summary>FCM accepted the message.</summary>
    Sent,

    /// <summary>The token is dead (app uninstalled, token expired or of another project): delete the device.</summary>
    TokenGone,

    /// <summary>FCM refused this message (not the token): do not retry it as it is.</summary>
    Rejected,

    /// <summary>FCM or the network failed for now: retry later, after <see cref="FcmAnswer.RetryAfter"/> when given.</summary>
    Retry,

    /// <summary>Our credentials or the Firebase project's configuration are wrong: alarm an admin, do not retry in a loop.</summary>
    AuthFailed,
}

/// <summary>
/// FCM's answer to one send. <see cref="Status"/> is the HTTP status (0 when no answer came); <see cref="ErrorCode"/> FCM's
/// errorCode (or the Google error status); <see cref="Detail"/> a sentence for the newsroom's admin pages, never a secret.
/// </summary>
public readonly record struct FcmAnswer(FcmOutcome Outcome, int Status, string? ErrorCode, string Detail, TimeSpan? RetryAfter = null, string? MessageName = null);
