using System.ComponentModel.DataAnnotations;

namespace NewsPush.Web.Reader;

/// <summary>The "Beacon" section: what one <c>POST /beacon</c> may carry and how often a reader and an address may send one.</summary>
public sealed class BeaconOptions
{
    public const string SectionName = "Beacon";

    /// <summary>Largest body accepted (a beacon of 50 ids is about 400 bytes); larger ones are refused with 413 before they are parsed.</summary>
    [Range(256, 1_048_576)]
    public int MaxBodyBytes { get; set; } = 16 * 1024;

    /// <summary>Most article ids (impression events) one beacon may carry; site.js sends at most this many per beacon.</summary>
    [Range(1, 1000)]
    public int MaxEventsPerRequest { get; set; } = 50;

    /// <summary>Beacons one signed-in reader may send (a page sends two to five).</summary>
    [Required]
    public RateLimitRule PerUser { get; set; } = new() { PermitLimit = 120, WindowSeconds = 60 };

    /// <summary>Beacons from one IP address, all its readers together (an office or a mobile carrier shares one).</summary>
    [Required]
    public RateLimitRule PerAddress { get; set; } = new() { PermitLimit = 600, WindowSeconds = 60 };
}
