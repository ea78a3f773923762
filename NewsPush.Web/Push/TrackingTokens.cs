using System.Security.Cryptography;

namespace NewsPush.Web.Push;

/// <summary>The opaque per-delivery id in open-pixel and click URLs (<see cref="NewsPush.Data.Entities.Delivery.TrackingToken"/>).</summary>
public static class TrackingTokens
{
    public static string New() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
}
