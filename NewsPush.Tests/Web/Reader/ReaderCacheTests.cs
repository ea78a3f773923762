using Microsoft.EntityFrameworkCore;
using NewsPush.Tests.Infrastructure;
using static NewsPush.Tests.Web.Reader.ReaderTestData;

namespace NewsPush.Tests.Web.Reader;

/// <summary>A rating drops only what it changes: its article's figures and anonymous page, not every reader cache.</summary>
public abstract class ReaderCacheTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : AbuseFactory
{
    [Fact]
    public async Task RatingShowsOnItsArticleAtOnceAndLeavesOtherCachedPagesAlone()
    {
        var (ratedId, rated) = await factory.PublishAsync("Rated story");
        var (otherId, other) = await factory.PublishAsync("Other story as cached");
        using var anonymous = factory.CreateClient();
        Assert.Contains("Other story as cached", await anonymous.GetStringAsync($"/article/{other}"));
        Assert.DoesNotContain("Rated 4.0/5", await anonymous.GetStringAsync($"/article/{rated}"));
        // Behind the caches' back (ExecuteUpdate bypasses the save interceptor): only a flush of everything would show it.
        await factory.WithDbAsync(db => db.Articles.Where(a => a.Id == otherId).ExecuteUpdateAsync(s => s.SetProperty(a => a.Title, "Other story as stored")));

        var user = await factory.CreateUserAsync(Unique("rcache") + "@test.local");
        using var reader = await factory.CreateLoggedInClientAsync(user.Email!);
        var rate = await reader.PostFormAsync($"/article/{rated}", new Dictionary<string, string> { ["stars"] = "4" }, $"/article/{rated}/rate");

        Assert.Equal(System.Net.HttpStatusCode.Redirect, rate.StatusCode);
        Assert.Contains("Rated 4.0/5 by 1", await anonymous.GetStringAsync($"/article/{rated}"));
        Assert.Contains("Other story as cached", await anonymous.GetStringAsync($"/article/{other}"));
        Assert.Equal(ratedId, await factory.WithDbAsync(db => db.Articles.Where(a => a.Slug == rated && a.RatingCount == 1).Select(a => a.Id).SingleAsync()));
    }
}

public sealed class SqliteReaderCacheTests(AbuseSqliteFactory factory) : ReaderCacheTests<AbuseSqliteFactory>(factory);

public sealed class PostgreSqlReaderCacheTests(AbusePostgreSqlFactory factory) : ReaderCacheTests<AbusePostgreSqlFactory>(factory);
