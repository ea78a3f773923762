using NewsPush.Recommender;
using NewsPush.Recommender.Data;
using NewsPush.Recommender.Evaluation;
using NewsPush.Recommender.Features;
using NewsPush.Recommender.Ranking;
using NewsPush.Recommender.Serving;
using NewsPush.Recommender.Text;

namespace NewsPush.Tests.Recommender.Serving;

/// <summary>A model trained once on a small synthetic world; its features carry over to any catalog.</summary>
public sealed class TrainedScorerFixture
{
    public IPairScorer Scorer { get; } = Evaluator.Evaluate(
        new SyntheticDataGenerator(new SyntheticOptions { Readers = 250, Articles = 300, Days = 7 }).Generate().Dataset,
        new EvaluationOptions { Trees = new TreeSettings(Trees: 60, Leaves: 8) }).Model.Scorer;
}

public sealed class RecommendationEngineTests(TrainedScorerFixture fixture) : IClassFixture<TrainedScorerFixture>
{
    private static readonly DateTime Now = new(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc);

    private static readonly (int Column, string Name, string[] Words)[] Columns =
    [
        (1, "Sports", ["football", "goal", "match", "league", "striker", "penalty", "coach", "stadium"]),
        (2, "Tech", ["chip", "software", "cloud", "startup", "robot", "battery", "smartphone", "browser"]),
        (3, "Business", ["bank", "market", "stocks", "inflation", "rates", "trade", "merger", "earnings"]),
    ];

    private static List<ArticleInfo> Catalog()
    {
        var rng = new Random(5);
        var list = new List<ArticleInfo>();
        foreach (var (column, name, words) in Columns)
        {
            for (var i = 0; i < 12; i++)
            {
                string Text(int n) => string.Join(' ', Enumerable.Range(0, n).Select(_ => words[rng.Next(words.Length)]));
                list.Add(new ArticleInfo((column * 100) + i, $"{name} story {i}: {Text(5)}", Text(15), Text(40), column, name,
                    [$"{name.ToLowerInvariant()}-{i % 3}"], Now.AddHours(-(i * 7) - column)));
            }
        }
        return list;
    }

    private RecommendationEngine Engine(bool withModel = true)
    {
        var articles = Catalog();
        var index = new ArticleIndex(articles, TextVectorizer.Fit(articles));
        // Business is the popular column right now.
        var stats = new ArticleStats(
            articles.Select(a => a.ColumnId == 3 ? 12f : 5f).ToArray(),
            articles.Select(_ => 200f).ToArray());
        return new RecommendationEngine(index, stats, Now, articles.Select(a => a.Id).ToList(), withModel ? fixture.Scorer : null);
    }

    private static ReaderProfile SportsFan() => new("fan", [107, 108, 109, 110, 111], ReaderInterests.None);

    [Fact]
    public void NeverRecommendsWhatTheReaderRead()
    {
        var engine = Engine();
        var reader = SportsFan();
        var items = engine.Recommend(reader, 30);
        Assert.NotEmpty(items);
        Assert.DoesNotContain(items, i => reader.History.Contains(i.ArticleId));

        var bulk = new List<int>();
        engine.RecommendMany([reader, reader], 10, (_, ranked) =>
        {
            lock (bulk)
            {
                foreach (var r in ranked)
                {
                    bulk.Add(engine.Index.Articles[r.Article].Id);
                }
            }
        });
        Assert.Equal(20, bulk.Count);
        Assert.DoesNotContain(bulk, reader.History.Contains);
    }

    [Fact]
    public void SportsReaderGetsSportsFirstButNoPageOfOneColumn()
    {
        var items = Engine().Recommend(SportsFan(), 10);
        Assert.Equal(10, items.Count);
        var columns = items.Select(i => i.ArticleId / 100).ToList();
        Assert.Equal(1, columns[0]);
        Assert.True(columns.GroupBy(c => c).Max(g => g.Count()) <= 4, string.Join(",", columns));
        Assert.True(columns.Distinct().Count() >= 3);
    }

    [Fact]
    public void BecauseYouReadNamesTheSimilarRecentRead()
    {
        var items = Engine().Recommend(SportsFan(), 10);
        var reason = items.First(i => i.ArticleId / 100 == 1);
        Assert.Equal(ReasonKind.BecauseYouRead, reason.ReasonKind);
        Assert.StartsWith("because you read “Sports story", reason.Reason);
    }

    [Fact]
    public void ColdStartReaderWithDeclaredInterestGetsThatColumnAtOnce()
    {
        var engine = Engine();
        var newcomer = new ReaderProfile("new", [], new ReaderInterests([], [], [2], []));
        var items = engine.Recommend(newcomer, 10);
        Assert.Equal(2, items[0].ArticleId / 100);
        Assert.Equal("you are interested in Tech", items[0].Reason);
        var anonymous = engine.Recommend(ReaderProfile.Anonymous, 10);
        Assert.NotEqual(anonymous.Select(i => i.ArticleId), items.Select(i => i.ArticleId));
    }

    [Fact]
    public void FollowedColumnIsTheReason()
    {
        var follower = new ReaderProfile("f", [], new ReaderInterests([3], [], [], []));
        var items = Engine().Recommend(follower, 5);
        Assert.Contains(items, i => i.Reason == "you follow Business");
    }

    [Fact]
    public void ReaderWithNothingGetsPopularAndFresh()
    {
        var items = Engine().Recommend(ReaderProfile.Anonymous, 6);
        Assert.Equal(6, items.Count);
        // Business is popular; diversity keeps it to at most 40 % of the list.
        Assert.Equal(3, items[0].ArticleId / 100);
        Assert.All(items, i => Assert.Contains(i.ReasonKind, new[] { ReasonKind.PopularIn, ReasonKind.FreshIn }));
        Assert.Equal("popular in Business", items[0].Reason);
    }

    [Fact]
    public void WithoutAModelTheFirstStageStillPersonalizes()
    {
        var items = Engine(withModel: false).Recommend(SportsFan(), 5);
        Assert.Equal(1, items[0].ArticleId / 100);
    }
}
