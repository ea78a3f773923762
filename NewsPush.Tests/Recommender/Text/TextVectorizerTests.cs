using NewsPush.Recommender;
using NewsPush.Recommender.Text;

namespace NewsPush.Tests.Recommender.Text;

public sealed class TextVectorizerTests
{
    private static ArticleInfo Article(int id, string title, string summary = "") =>
        new(id, title, summary, "", 1, "News", [], DateTime.UnixEpoch);

    [Fact]
    public void ChineseTextIsSplitIntoCharacterBigrams() =>
        Assert.Equal(["人工", "工智", "智能", "ai", "芯片"], TextVectorizer.Tokenize("人工智能 AI，芯片").ToArray());

    [Fact]
    public void LatinTextIsLowerCasedWordsOfTwoOrMoreCharacters() =>
        Assert.Equal(["rust", "beats", "go", "in", "2026"], TextVectorizer.Tokenize("Rust beats Go in 2026 — a").ToArray());

    [Fact]
    public void ArticlesOnTheSameSubjectAreMoreSimilarInEnglishAndChinese()
    {
        var articles = new[]
        {
            Article(1, "Football final ends in penalties", "The football final went to penalties after extra time"),
            Article(2, "Penalties decide the football cup final", "Extra time and penalties in the cup final"),
            Article(3, "Central bank raises interest rates", "Inflation pushes the bank to raise rates"),
            Article(4, "人工智能芯片出口增长", "人工智能芯片的需求继续增长"),
            Article(5, "芯片出口与人工智能", "人工智能带动芯片出口"),
            Article(6, "足球联赛今晚开赛", "球迷期待足球联赛"),
        };
        var v = TextVectorizer.Fit(articles);
        float Sim(int a, int b) => v.Vectorize(articles[a]).Zip(v.Vectorize(articles[b]), (x, y) => x * y).Sum();
        Assert.True(Sim(0, 1) > Sim(0, 2) + 0.1f);
        Assert.True(Sim(3, 4) > Sim(3, 5) + 0.1f);
    }

    [Fact]
    public void VectorsAreUnitLengthAndStableAcrossInstances()
    {
        var article = Article(1, "Election results announced", "Turnout was high");
        var a = TextVectorizer.Fit([article]).Vectorize(article);
        var b = TextVectorizer.Fit([article]).Vectorize(article);
        Assert.Equal(a, b);
        Assert.Equal(1.0, Math.Sqrt(a.Sum(x => x * x)), 4);
    }
}
