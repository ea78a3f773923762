using NewsPush.Recommender.Data;

namespace NewsPush.Tests.Recommender.Data;

/// <summary>The generator's variants of docs/recommender.md: partial metadata, and nested drifting interests with known probabilities.</summary>
public sealed class SyntheticVariantsTests
{
    [Fact]
    public void SparseMetadataDescribesAFifthOfTheArticlesWhileImpressionsNameThemAll()
    {
        var world = new SyntheticDataGenerator(SyntheticOptions.SparseMetadata with { Readers = 200, Articles = 500, Days = 7 }).Generate();

        Assert.InRange(world.Dataset.Articles.Count, 70, 130);
        Assert.Equal(500, world.AllArticles.Count);
        var described = world.Dataset.Articles.Select(a => a.Id).ToHashSet();
        var shown = world.Dataset.Impressions.SelectMany(i => i.Items).Select(i => i.ArticleId).ToList();
        Assert.InRange(shown.Count(id => !described.Contains(id)) / (double)shown.Count, 0.7, 0.9);
    }

    [Fact]
    public void VariantsLeaveTheDefaultWorldAsItWas()
    {
        var tiny = new SyntheticOptions { Readers = 100, Articles = 200, Days = 7 };
        var plain = new SyntheticDataGenerator(tiny).Generate().Dataset;
        var sparse = new SyntheticDataGenerator(tiny with { MetadataShare = 0.2 }).Generate().Dataset;

        Assert.Equal(plain.Impressions.SelectMany(i => i.Items), sparse.Impressions.SelectMany(i => i.Items));
        Assert.Subset(plain.Articles.Select(a => (a.Id, a.Title, a.Body)).ToHashSet(), sparse.Articles.Select(a => (a.Id, a.Title, a.Body)).ToHashSet());
    }

    [Fact]
    public void NestedWorldTagsEachArticleWithItsSubcategoryAndRecordsTheProbabilityOfEveryShownItem()
    {
        var world = new SyntheticDataGenerator(SyntheticOptions.NestedDrift with { Readers = 300, Articles = 400, Days = 7 }).Generate();
        var again = new SyntheticDataGenerator(SyntheticOptions.NestedDrift with { Readers = 300, Articles = 400, Days = 7 }).Generate();

        Assert.All(world.Dataset.Articles, a => Assert.Single(a.Tags));
        Assert.All(world.Dataset.Articles, a => Assert.StartsWith(a.ColumnName.ToLowerInvariant() + "-", a.Tags[0]));
        Assert.InRange(world.Dataset.Articles.SelectMany(a => a.Tags).Distinct().Count(), 30, 40);
        foreach (var impression in world.Dataset.Impressions)
        {
            var p = world.TrueProbabilities[impression.ImpressionId];
            Assert.Equal(impression.Items.Count, p.Length);
            Assert.All(p, x => Assert.InRange(x, 0, 1));
        }
        // Clicks were drawn with those probabilities: their mean matches the click rate.
        var items = world.Dataset.Impressions.SelectMany(i => i.Items.Select((item, k) => (item.Clicked, P: world.TrueProbability(i, k)))).ToList();
        Assert.Equal(items.Average(x => x.P), items.Average(x => x.Clicked ? 1.0 : 0.0), 0.01);
        Assert.Equal(world.Dataset.Impressions.SelectMany(i => i.Items), again.Dataset.Impressions.SelectMany(i => i.Items));
    }
}
