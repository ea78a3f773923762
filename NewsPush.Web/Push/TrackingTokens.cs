using System.Globalization;
using System.Security.Cryptography;

namespace NewsPush.Web.Push;

/// <summary>The opaque per-delivery id in open-pixel and click URLs (<see cref="NewsPush.Data.Entities.Delivery.TrackingToken"/>).</summary>
public static class TrackingTokens
{
    public static string New() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>
    /// The same 128 random bits after the creation second (10 hex digits): tokens written together sort together, so a
    /// bulk write adds to a few pages at the end of the unique index instead of one random page per row (a million
    /// digests wrote a page of that index per delivery to the WAL and again at each checkpoint).
    /// </summary>
    public static string New(DateTime createdAt) =>
        new DateTimeOffset(DateTime.SpecifyKind(createdAt, DateTimeKind.Utc)).ToUnixTimeSeconds().ToString("x10", CultureInfo.InvariantCulture) + New();
}
