using System.ComponentModel.DataAnnotations;

namespace NewsPush.Web.Webhooks;

/// <summary>Settings of chat robots and webhooks (section <c>Webhooks</c>).</summary>
public sealed class WebhookOptions
{
    public const string SectionName = "Webhooks";

    /// <summary>
    /// Lets robots live on loopback and private networks, over plain http (tests and private deployments). Off: only
    /// https URLs whose every resolved address is public, checked when saved and again at each connection.
    /// </summary>
    public bool AllowPrivateNetworks { get; set; }

    [Range(1, 120)]
    public int RequestTimeoutSeconds { get; set; } = 15;

    /// <summary>How long a DingTalk robot stays blocked after "send too fast" or a 302 (DingTalk blocks for 10 minutes).</summary>
    [Range(1, 1440)]
    public int TooFastPauseMinutes { get; set; } = 10;

    /// <summary>How long a robot's delivery may wait (rate limits, pauses) before it expires.</summary>
    [Range(1, 720)]
    public int DeliverByHours { get; set; } = 48;

    /// <summary>At most this many stories in one merged summary; more wait for the next free request.</summary>
    [Range(2, 50)]
    public int MaxStoriesPerSummary { get; set; } = 20;

    /// <summary>Off: robots' column digests are queued only when <c>RobotDigests.QueueDueAsync</c> is called (tests).</summary>
    public bool DigestSchedulingEnabled { get; set; } = true;

    /// <summary>Robots per reader (reader webhooks).</summary>
    [Range(1, 50)]
    public int MaxPerReader { get; set; } = 5;
}
