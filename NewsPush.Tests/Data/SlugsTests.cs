using NewsPush.Data;

namespace NewsPush.Tests.Data;

/// <summary>The slug rules the newsroom and the seeder share.</summary>
public sealed class SlugsTests
{
    [Theory]
    [InlineData("Hello, World!", "hello-world")]
    [InlineData("  --Ports  & Harbours 2026--  ", "ports-harbours-2026")]
    [InlineData("Café au lait", "caf-au-lait")]
    [InlineData("北京的秋天", "")]
    public void TextBecomesLowerCaseLatinWithSingleDashes(string text, string slug) => Assert.Equal(slug, Slugs.FromText(text));

    [Fact]
    public void LongTextIsCutAtEightyCharactersWithoutATrailingDash()
    {
        var slug = Slugs.FromText(string.Join(' ', Enumerable.Repeat("abcdefghi", 12)));
        Assert.Equal(79, slug.Length);
        Assert.EndsWith("i", slug, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Machine Learning", "machine-learning")]
    [InlineData("机器 学习", "机器-学习")]
    public void TagsWithoutLatinLettersKeepTheirText(string name, string slug) => Assert.Equal(slug, Slugs.ForTag(name));

    [Fact]
    public void TakenSlugsAreNumberedFromTwo() =>
        Assert.Equal(["story", "story-2", "story-3"], Enumerable.Range(1, 3).Select(n => Slugs.Numbered("story", n)));
}
