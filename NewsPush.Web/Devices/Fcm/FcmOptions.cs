using System.ComponentModel.DataAnnotations;

namespace NewsPush.Web.Devices.Fcm;

/// <summary>
/// The "Push:Fcm" section: where FCM HTTP v1 is and the service account that may send for the Firebase project.
/// The service-account JSON holds a private key: user-secrets, the environment or a vault, never git, never logged.
/// </summary>
public sealed class FcmOptions
{
    public const string SectionName = "Push:Fcm";

    /// <summary>The base URL of FCM HTTP v1 (tests point it at a local peer).</summary>
    [Required]
    public string Endpoint { get; set; } = "https://fcm.googleapis.com";

    /// <summary>The service-account JSON itself (Firebase console → Project settings → Service accounts).</summary>
    public string? ServiceAccountJson { get; set; }

    /// <summary>Or the path of that JSON file; <see cref="ServiceAccountJson"/> wins when both are set.</summary>
    public string? ServiceAccountFile { get; set; }

    /// <summary>The Firebase project to send for; default: the JSON's <c>project_id</c>.</summary>
    public string? ProjectId { get; set; }

    /// <summary>Concurrent requests to FCM from one node (also the connection cap).</summary>
    [Range(1, 512)]
    public int Parallelism { get; set; } = 64;

    [Range(1, 120)]
    public double RequestTimeoutSeconds { get; set; } = 30;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(ServiceAccountJson) || !string.IsNullOrWhiteSpace(ServiceAccountFile);
}
