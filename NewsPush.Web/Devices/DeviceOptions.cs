using System.ComponentModel.DataAnnotations;

namespace NewsPush.Web.Devices;

/// <summary>The "Push:Devices" section: how long pushes to app installs live (FCM's maximum is 4 weeks).</summary>
public sealed class DeviceOptions
{
    public const string SectionName = "Push:Devices";

    /// <summary>A breaking-news push not delivered within this is dropped by FCM/APNs (and not sent late by us).</summary>
    [Range(0.1, 672)]
    public double BreakingTtlHours { get; set; } = 6;

    [Range(0.1, 672)]
    public double DigestTtlHours { get; set; } = 24;
}
