using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Tests.Infrastructure;
using NewsPush.Web.Recommendations;

namespace NewsPush.Tests.Web.Recommendations;

/// <summary>The fallback recommender (no trained model) ranking a batch of readers, as the digest run calls it.</summary>
public abstract class PopularFreshRecommenderTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : NewsPushFactory
{
    [Fact]
    public async Task BatchRanksEachReaderByTheirOwnFollowsAndReads()
    {
        var follower = await factory.CreateUserAsync($"pf-follow-{Guid.NewGuid():N}@test.local");
        var other = await factory.CreateUserAsync($"pf-other-{Guid.NewGuid():N}@test.local");
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NewsPushDbContext>();
        var recommender = ActivatorUtilities.CreateInstance<PopularFreshRecommender>(scope.ServiceProvider);

        var before = await recommender.RecommendManyAsync([follower.Id, other.Id], 10, CancellationToken.None);
        var top = before[other.Id][0];
        // The follower has read the overall favourite and follows a column that is not the favourite's.
        var favourite = await db.Articles.AsNoTracking().Include(a => a.Column).SingleAsync(a => a.Id == top.ArticleId);
        var column = await db.Columns.AsNoTracking().Where(c => c.Id != favourite.ColumnId && !c.IsHidden)
            .Where(c => db.Articles.Any(a => a.ColumnId == c.Id && a.Status == ArticleStatus.Published && a.PublishedAt >= DateTime.UtcNow.AddDays(-14)))
            .FirstAsync();
        var now = DateTime.UtcNow;
        db.ArticleReads.Add(new ArticleRead { UserId = follower.Id, ArticleId = favourite.Id, FirstReadAt = now, LastReadAt = now, ReadCount = 1 });
        db.Follows.Add(new Follow { UserId = follower.Id, Kind = FollowKind.Column, TargetId = column.Id, CreatedAt = now });
        await db.SaveChangesAsync();

        // Every candidate, so that each reader's whole ranking can be compared.
        var after = await recommender.RecommendManyAsync([follower.Id, other.Id], 10_000, CancellationToken.None);

        var mine = after[follower.Id];
        var theirs = after[other.Id].ToDictionary(r => r.ArticleId);
        Assert.DoesNotContain(mine, r => r.ArticleId == favourite.Id);
        Assert.Equal(theirs.Count - 1, mine.Count);
        Assert.Equal(favourite.Id, after[other.Id][0].ArticleId);
        Assert.Equal($"popular in {favourite.Column!.Name}", after[other.Id][0].Reason);
        var followed = mine.Where(r => r.Reason == $"you follow {column.Name}").ToList();
        Assert.NotEmpty(followed);
        Assert.All(followed, r => Assert.Equal(theirs[r.ArticleId].Score * 2, r.Score, 9));
        Assert.All(mine.Except(followed), r => Assert.Equal(theirs[r.ArticleId], r));
        Assert.All(after.Values, list => Assert.Equal(list.OrderByDescending(r => r.Score).Select(r => r.ArticleId), list.Select(r => r.ArticleId)));
    }

    [Fact]
    public async Task CandidatesAreTheArticlesOfTheConfiguredCandidateDays()
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NewsPushDbContext>();
        var now = DateTime.UtcNow;
        var inWindow = await db.Articles.AsNoTracking().PubliclyVisible(now).Where(a => a.PublishedAt >= now.AddDays(-3)).Select(a => a.Id).ToListAsync();
        var older = await db.Articles.AsNoTracking().PubliclyVisible(now).Where(a => a.PublishedAt < now.AddDays(-3.1) && a.PublishedAt >= now.AddDays(-14)).Select(a => a.Id).ToListAsync();
        Assert.NotEmpty(inWindow);
        Assert.NotEmpty(older);
        var recommender = ActivatorUtilities.CreateInstance<PopularFreshRecommender>(scope.ServiceProvider,
            Options.Create(new RecommenderOptions { CandidateDays = 3 }));

        var ranked = (await recommender.RecommendAsync(null, 10_000, CancellationToken.None)).Select(r => r.ArticleId).ToList();

        Assert.NotEmpty(ranked);
        Assert.Subset(inWindow.ToHashSet(), ranked.ToHashSet());
        Assert.Empty(ranked.Intersect(older));
    }
}

public sealed class SqlitePopularFreshRecommenderTests(SqliteFactory factory) : PopularFreshRecommenderTests<SqliteFactory>(factory);

public sealed class PostgreSqlPopularFreshRecommenderTests(PostgreSqlFactory factory) : PopularFreshRecommenderTests<PostgreSqlFactory>(factory);
