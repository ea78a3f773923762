using NewsPush.Recommender.Data;

namespace NewsPush.Tests.Recommender.Data;

public sealed class SyntheticDataGeneratorTests
{
    private static readonly SyntheticOptions Tiny = new() { Readers = 200, Articles = 300, Days = 7 };

    [Fact]
    public void SameSeedGivesTheSameWorld()
    {
        var a = new SyntheticDataGenerator(Tiny).Generate().Dataset;
        var b = new SyntheticDataGenerator(Tiny).Generate().Dataset;
        Assert.Equal(a.Articles.Select(x => x.Title), b.Articles.Select(x => x.Title));
        Assert.Equal(a.Impressions.SelectMany(i => i.Items), b.Impressions.SelectMany(i => i.Items));
    }

    [Fact]
    public void DifferentSeedGivesADifferentWorld()
    {
        var a = new SyntheticDataGenerator(Tiny).Generate().Dataset;
        var b = new SyntheticDataGenerator(Tiny with { Seed = 99 }).Generate().Dataset;
        Assert.NotEqual(a.Articles.Select(x => x.Title), b.Articles.Select(x => x.Title));
    }

    [Fact]
    public void ClicksFollowInterestsAndPositionBias()
    {
        var world = new SyntheticDataGenerator(Tiny with { Readers = 600 }).Generate();
        var items = world.Dataset.Impressions.SelectMany(i => i.Items.Select((item, p) => (i.ReaderId, item, p))).ToList();
        var ctr = items.Average(x => x.item.Clicked ? 1.0 : 0.0);
        Assert.InRange(ctr, 0.02, 0.3);
        // Position bias: the top slots are clicked more than the bottom ones.
        var top = items.Where(x => x.p < 3).Average(x => x.item.Clicked ? 1.0 : 0.0);
        var bottom = items.Where(x => x.p >= 10).Average(x => x.item.Clicked ? 1.0 : 0.0);
        Assert.True(top > bottom * 1.3, $"top {top} bottom {bottom}");
        // Latent interest: clicks land on the reader's strong topics far more often than on weak ones.
        double Interest((string ReaderId, NewsPush.Recommender.ImpressionItem item, int p) x) =>
            world.ReaderInterest[x.ReaderId][world.ArticleTopic[x.item.ArticleId - 1]];
        Assert.True(items.Where(x => x.item.Clicked).Average(Interest) > 2 * items.Average(Interest));
    }

    [Fact]
    public void HistoryOfAnImpressionHoldsOnlyEarlierClicks()
    {
        var world = new SyntheticDataGenerator(Tiny).Generate();
        foreach (var reader in world.Dataset.Impressions.GroupBy(i => i.ReaderId).Take(50))
        {
            var ordered = reader.OrderBy(i => i.Time).ToList();
            for (var k = 1; k < ordered.Count; k++)
            {
                var clickedBefore = ordered[k - 1].Items.Where(i => i.Clicked).Select(i => i.ArticleId);
                Assert.True(clickedBefore.All(ordered[k].History.Contains));
                Assert.True(ordered[k].History.Count >= ordered[k - 1].History.Count);
            }
        }
    }
}
