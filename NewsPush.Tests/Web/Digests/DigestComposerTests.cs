using NewsPush.Data.Entities;
using NewsPush.Web.Digests;
using NewsPush.Web.Recommendations;

namespace NewsPush.Tests.Web.Digests;

public sealed class DigestComposerTests
{
    // Articles 1–6 in column 10, 7–9 in column 20, 10 in column 30; 99 is not fresh.
    private static readonly Dictionary<int, DigestCandidate> Fresh = Enumerable.Range(1, 10)
        .ToDictionary(i => i, i => new DigestCandidate(i, i <= 6 ? 10 : i <= 9 ? 20 : 30));

    private static List<Recommendation> Ranking(params int[] ids) => ids.Select((id, i) => new Recommendation(id, 100 - i, $"reason {id}")).ToList();

    [Fact]
    public void TakesTheTopFreshUnsentItemsWithTheirReasons()
    {
        var items = new DigestComposer(3, 3).Compose(Ranking(99, 1, 2, 3, 4), Fresh, new HashSet<int> { 2 }, null, []);
        Assert.Equal([1, 3, 4], items.Select(i => i.ArticleId));
        Assert.Equal([1, 2, 3], items.Select(i => i.Position));
        Assert.Equal("reason 1", items[0].Reason);
    }

    [Fact]
    public void CapsItemsPerColumnWhileOthersAreAvailable()
    {
        var items = new DigestComposer(4, 2).Compose(Ranking(1, 2, 3, 4, 7, 10), Fresh, new HashSet<int>(), null, []);
        Assert.Equal([1, 2, 7, 10], items.Select(i => i.ArticleId));
    }

    [Fact]
    public void FillsUpFromOneColumnWhenNothingElseIsRanked()
    {
        var items = new DigestComposer(4, 2).Compose(Ranking(1, 2, 3, 4), Fresh, new HashSet<int>(), null, []);
        Assert.Equal(4, items.Count);
    }

    [Fact]
    public void KeepsToTheReadersTopics()
    {
        var items = new DigestComposer(5, 5).Compose(Ranking(1, 7, 2, 8, 10), Fresh, new HashSet<int>(), new HashSet<int> { 20 }, []);
        Assert.Equal([7, 8], items.Select(i => i.ArticleId));
    }

    [Fact]
    public void CarriesUnopenedItemsAfterTheNewOnesWithoutDuplicates()
    {
        var carried = new List<DigestItem> { new() { ArticleId = 5, Position = 1, Reason = "old" }, new() { ArticleId = 1, Position = 2, Reason = "old" } };
        var items = new DigestComposer(2, 3).Compose(Ranking(1, 7), Fresh, new HashSet<int>(), null, carried);
        Assert.Equal([1, 7, 5], items.Select(i => i.ArticleId));
        Assert.Equal("old", items[2].Reason);
    }
}
