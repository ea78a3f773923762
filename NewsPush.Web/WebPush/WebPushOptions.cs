using System.ComponentModel.DataAnnotations;

namespace NewsPush.Web.WebPush;

/// <summary>
/// The "WebPush" section. The key pair is made at first start and kept in the database unless
/// <see cref="PublicKey"/> and <see cref="PrivateKey"/> are both set (then every node signs with those).
/// </summary>
public sealed class WebPushOptions
{
    public const string SectionName = "WebPush";

    /// <summary>The push services of the browsers people use (Chrome/Edge via FCM, Firefox, Windows, Safari).</summary>
    public static readonly IReadOnlyList<string> PublicPushServices =
        ["*.googleapis.com", "*.mozilla.com", "*.mozaws.net", "*.notify.windows.com", "*.push.apple.com"];

    /// <summary>The application server's P-256 public key, base64url of the 65-byte uncompressed point.</summary>
    public string? PublicKey { get; set; }

    /// <summary>The matching private key, base64url of the 32-byte scalar. A secret: environment or a vault, never git.</summary>
    public string? PrivateKey { get; set; }

    /// <summary>The contact push services see in the VAPID token: <c>mailto:</c> or an <c>https:</c> URL.</summary>
    [Required]
    public string Subject { get; set; } = "mailto:push@newspush.example";

    /// <summary>
    /// Hosts the server will post to (a leading <c>*.</c> matches any sub-domain). A subscription for any other host is
    /// refused when the browser posts it, so a reader cannot make the server call an address of their choosing.
    /// Null: <see cref="PublicPushServices"/>. Plain http is allowed only for loopback hosts listed here (tests).
    /// </summary>
    public string[]? AllowedEndpointHosts { get; set; }

    public IReadOnlyList<string> EffectiveAllowedHosts => AllowedEndpointHosts is { Length: > 0 } hosts ? hosts : PublicPushServices;

    /// <summary>How long a push service keeps a digest for a browser that is offline.</summary>
    [Range(0, 28 * 24)]
    public double DigestTtlHours { get; set; } = 12;

    [Range(0, 28 * 24)]
    public double BreakingTtlHours { get; set; } = 1;

    /// <summary>Concurrent requests to push services from one node.</summary>
    [Range(1, 1024)]
    public int Parallelism { get; set; } = 64;

    [Range(1, 300)]
    public double RequestTimeoutSeconds { get; set; } = 15;

    /// <summary>Refusals in a row (4xx other than 404/410, which remove at once, and 408/429, which retry) before a subscription is removed.</summary>
    [Range(1, 100)]
    public int MaxConsecutiveFailures { get; set; } = 3;

    /// <summary>A subscription the browser has not posted again for this long is removed.</summary>
    [Range(1, 3650)]
    public int ExpiryDays { get; set; } = 60;

    /// <summary>After this long unseen, the browser gets one "notifications stop soon" push.</summary>
    [Range(1, 3650)]
    public int ExpiryWarningDays { get; set; } = 55;

    /// <summary>Browsers one reader may have.</summary>
    [Range(1, 1000)]
    public int MaxSubscriptionsPerReader { get; set; } = 20;

    /// <summary>Cron (Quartz, UTC) of the sweep that warns and removes unused subscriptions.</summary>
    [Required]
    public string MaintenanceCron { get; set; } = "0 17 3 * * ?";
}
