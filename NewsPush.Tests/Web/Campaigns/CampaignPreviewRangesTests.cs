using NewsPush.Web.Campaigns;

namespace NewsPush.Tests.Web.Campaigns;

public sealed class CampaignPreviewRangesTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(16)]
    public void TheCountRangesHoldEveryIdExactlyOnce(int n)
    {
        var ranges = CampaignPreview.CountRanges(n);
        Assert.Equal(n, ranges.Count);
        var rng = new Random(3);
        var ids = Enumerable.Range(0, 2000).Select(_ => new Guid(Enumerable.Range(0, 16).Select(_ => (byte)rng.Next(256)).ToArray()).ToString())
            .Concat(["", "0", "f", "ffff", "8", "7zzz", "A", "Z", "r12", "-", "~"]).ToList();
        foreach (var id in ids)
        {
            Assert.Equal(1, ranges.Count(r => (r.From is null || string.CompareOrdinal(id, r.From) >= 0) && (r.Until is null || string.CompareOrdinal(id, r.Until) < 0)));
        }
        // GUIDs fall into ranges of about equal size.
        var guids = ids.Take(2000).ToList();
        Assert.All(ranges, r => Assert.InRange(guids.Count(id => (r.From is null || string.CompareOrdinal(id, r.From) >= 0) && (r.Until is null || string.CompareOrdinal(id, r.Until) < 0)),
            2000 / n * 0.8, 2000 / n * 1.2 + 1));
    }
}
