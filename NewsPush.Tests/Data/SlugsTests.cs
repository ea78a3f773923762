using NewsPush.Data;

namespace NewsPush.Tests.Data;

/// <summary>The slug rules the newsroom and the seeder share.</summary>
public sealed class SlugsTests
{
    [Theory]
    [InlineData("Hello, World!", "hello-world")]
    [InlineData("  --Ports  & Harbours 2026--  ", "ports-harbours-2026")]
    [InlineData("Café au lait", "cafe-au-lait")]
    [InlineData("北京的秋天", "北京的秋天")]
    [InlineData("北京：暴雨红色预警 2026", "北京-暴雨红色预警-2026")]
    [InlineData("東京の天気", "東京の天気")]
    [InlineData("!!!", "")]
    public void TextBecomesLowerCaseLatinOrCjkWithSingleDashes(string text, string slug) => Assert.Equal(slug, Slugs.FromText(text));

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

    [Theory]
    [InlineData("harbour-cranes", "/article/harbour-cranes")]
    [InlineData("北京的秋天", "/article/%E5%8C%97%E4%BA%AC%E7%9A%84%E7%A7%8B%E5%A4%A9")]
    public void ArticlePathsArePercentEncoded(string slug, string path) => Assert.Equal(path, Slugs.ArticlePath(slug));

    [Fact]
    public void TakenSlugsAreNumberedFromTwo() =>
        Assert.Equal(["story", "story-2", "story-3"], Enumerable.Range(1, 3).Select(n => Slugs.Numbered("story", n)));
}
