using System.ComponentModel.DataAnnotations;

namespace NewsPush.Web.Devices.Apns;

/// <summary>
/// The "Push:Apns" section: Apple's provider API with token auth (a .p8 signing key). The key is a secret: user-secrets or
/// the environment (<c>Push__Apns__PrivateKey</c>), or a file only the app can read (<see cref="PrivateKeyFile"/>); never git, never logged.
/// </summary>
public sealed class ApnsOptions
{
    public const string SectionName = "Push:Apns";

    /// <summary>Apple's production host; tests point it at a local peer (<c>http://127.0.0.1:&lt;port&gt;</c>, HTTP/2 without TLS).</summary>
    [Required]
    public string Endpoint { get; set; } = "https://api.push.apple.com";

    /// <summary>The 10-character id of the signing key (the JWT's <c>kid</c>).</summary>
    public string? KeyId { get; set; }

    /// <summary>The 10-character Apple developer team id (the JWT's <c>iss</c>).</summary>
    public string? TeamId { get; set; }

    /// <summary>The app's bundle id, sent as <c>apns-topic</c>.</summary>
    public string? BundleId { get; set; }

    /// <summary>The .p8 file's PEM text (<c>-----BEGIN PRIVATE KEY-----</c>…).</summary>
    public string? PrivateKey { get; set; }

    /// <summary>Or the path of the .p8 file; <see cref="PrivateKey"/> wins when both are set.</summary>
    public string? PrivateKeyFile { get; set; }

    /// <summary>
    /// Age at which the provider token is replaced. Apple: refresh no more than once every 20 minutes and no less than once
    /// an hour (a token older than an hour is refused).
    /// </summary>
    [Range(20, 60)]
    public int TokenRefreshMinutes { get; set; } = 40;

    /// <summary>Notifications in flight at once from one node (HTTP/2 streams over a few connections).</summary>
    [Range(1, 1000)]
    public int Parallelism { get; set; } = 200;

    [Range(1, 120)]
    public double RequestTimeoutSeconds { get; set; } = 30;

    public bool IsConfigured =>
        !string.IsNullOrWhiteSpace(KeyId) && !string.IsNullOrWhiteSpace(TeamId) && !string.IsNullOrWhiteSpace(BundleId)
        && (!string.IsNullOrWhiteSpace(PrivateKey) || !string.IsNullOrWhiteSpace(PrivateKeyFile));
}
