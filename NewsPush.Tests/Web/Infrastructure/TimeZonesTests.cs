using NewsPush.Web.Infrastructure;

namespace NewsPush.Tests.Web.Infrastructure;

public sealed class TimeZonesTests
{
    [Theory]
    [InlineData("Europe/Paris", "Europe/Paris")]
    [InlineData(" Asia/Tokyo ", "Asia/Tokyo")]
    [InlineData("UTC", "UTC")]
    [InlineData("Etc/UTC", "UTC")]
    [InlineData("Etc/GMT", "UTC")]
    [InlineData("Asia/Calcutta", "Asia/Kolkata")]
    [InlineData("Asia/Saigon", "Asia/Ho_Chi_Minh")]
    [InlineData("", "UTC")]
    [InlineData(null, "UTC")]
    [InlineData("Europe", "UTC")]
    [InlineData("../../etc/passwd", "UTC")]
    [InlineData("Mars/Olympus_Mons", "UTC")]
    public void TheBrowsersZoneBecomesOneReadersMayChoose(string? reported, string stored)
    {
        Assert.Equal(stored, TimeZones.FromBrowser(reported));
        Assert.Contains(stored, TimeZones.All);
    }
}
