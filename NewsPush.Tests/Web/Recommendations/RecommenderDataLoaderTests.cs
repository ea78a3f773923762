using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Recommender;
using NewsPush.Recommender.Features;
using NewsPush.Recommender.Text;
using NewsPush.Tests.Infrastructure;
using NewsPush.Web.Recommendations;

namespace NewsPush.Tests.Web.Recommendations;

/// <summary>What the loader replays from the interaction log for the behaviour features, on each provider.</summary>
public abstract class RecommenderDataLoaderTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : NewsPushFactory
{
    [Fact]
    public async Task StatsCountCoClicksAndProfilesCarryClickPropensityGivenReadersWhoClickedTheSamePair()
    {
        var first = await factory.CreateUserAsync($"cc-a-{Guid.NewGuid():N}@test.local");
        var second = await factory.CreateUserAsync($"cc-b-{Guid.NewGuid():N}@test.local");
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NewsPushDbContext>();
        var loader = scope.ServiceProvider.GetRequiredService<RecommenderDataLoader>();
        var now = scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;
        var articles = await loader.LoadArticlesAsync(now.AddDays(-90), CancellationToken.None);
        var index = new ArticleIndex(articles, TextVectorizer.Fit(articles));
        // Two articles nobody else in this database clicks one after the other.
        var pair = articles.OrderBy(a => a.Id).Take(2).Select(a => a.Id).ToArray();
        Assert.True(index.TryGetIndex(pair[0], out var x));
        Assert.True(index.TryGetIndex(pair[1], out var y));
        var before = (await loader.LoadStatsAsync(index, CancellationToken.None)).CoClicks!.Score(y, [x]);

        foreach (var user in new[] { first, second })
        {
            for (var p = 0; p < 4; p++)
            {
                db.Interactions.Add(new Interaction { UserId = user.Id, ArticleId = articles[p + 2].Id, Type = InteractionType.Impression, Value = p, Source = "home", OccurredAt = now.AddHours(-3) });
            }
            db.Interactions.Add(new Interaction { UserId = user.Id, ArticleId = pair[0], Type = InteractionType.Click, Source = "home", OccurredAt = now.AddHours(-2) });
            db.Interactions.Add(new Interaction { UserId = user.Id, ArticleId = pair[1], Type = InteractionType.Click, Source = "home", OccurredAt = now.AddHours(-1) });
        }
        await db.SaveChangesAsync();

        var stats = await loader.LoadStatsAsync(index, CancellationToken.None);
        Assert.True(stats.CoClicks!.Score(y, [x]) > before, $"co-click score {stats.CoClicks.Score(y, [x])} should exceed {before}");
        Assert.InRange(stats.GlobalCtr, 0.0001f, 1f);
        Assert.NotNull(stats.ColumnLogClickAge);
        var profiles = await loader.LoadProfilesAsync([first.Id], CancellationToken.None);
        Assert.Equal(new NewsPush.Recommender.ReaderActivity(4, 2), profiles[first.Id].Activity);
    }

    [Fact]
    public async Task NotInterestedTrainsAsNotClickedEvenAfterAClickGivenAStoryTheReaderDismissed()
    {
        var reader = await factory.CreateUserAsync($"ni-{Guid.NewGuid():N}@test.local");
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NewsPushDbContext>();
        var loader = scope.ServiceProvider.GetRequiredService<RecommenderDataLoader>();
        var now = scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;
        var ids = await db.Articles.Where(a => a.Status == ArticleStatus.Published).OrderByDescending(a => a.Id).Select(a => a.Id).Take(3).ToListAsync(); // not the pair the co-click test uses
        var (clickedThenDismissed, clicked, dismissedUnseen) = (ids[0], ids[1], ids[2]);
        var shownAt = now.AddHours(-3);
        db.Interactions.Add(new Interaction { UserId = reader.Id, ArticleId = clickedThenDismissed, Type = InteractionType.Impression, Value = 0, Source = "for-you", OccurredAt = shownAt });
        db.Interactions.Add(new Interaction { UserId = reader.Id, ArticleId = clicked, Type = InteractionType.Impression, Value = 1, Source = "for-you", OccurredAt = shownAt });
        db.Interactions.Add(new Interaction { UserId = reader.Id, ArticleId = clickedThenDismissed, Type = InteractionType.Click, Source = "for-you", OccurredAt = shownAt.AddMinutes(1) });
        db.Interactions.Add(new Interaction { UserId = reader.Id, ArticleId = clicked, Type = InteractionType.Click, Source = "for-you", OccurredAt = shownAt.AddMinutes(2) });
        db.Interactions.Add(new Interaction { UserId = reader.Id, ArticleId = clickedThenDismissed, Type = InteractionType.NotInterested, Value = 1, Source = "for-you", OccurredAt = shownAt.AddMinutes(5) });
        db.Interactions.Add(new Interaction { UserId = reader.Id, ArticleId = dismissedUnseen, Type = InteractionType.NotInterested, Value = 1, Source = "for-you", OccurredAt = now.AddHours(-1) });
        await db.SaveChangesAsync();

        var dataset = await loader.LoadDatasetAsync(CancellationToken.None);

        var lists = dataset.Impressions.Where(i => i.ReaderId == reader.Id).OrderBy(i => i.Time).ToList();
        Assert.Equal(2, lists.Count);
        Assert.Equal([new(clickedThenDismissed, false), new(clicked, true)], lists[0].Items);
        Assert.Equal([new(dismissedUnseen, false)], lists[1].Items);
        // A dismissal is not a read: the later list's history holds only the real click.
        Assert.DoesNotContain(dismissedUnseen, lists[1].History);
    }
}

public sealed class SqliteRecommenderDataLoaderTests(SqliteFactory factory) : RecommenderDataLoaderTests<SqliteFactory>(factory);

public sealed class PostgreSqlRecommenderDataLoaderTests(PostgreSqlFactory factory) : RecommenderDataLoaderTests<PostgreSqlFactory>(factory);
