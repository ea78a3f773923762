using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using NewsPush.Data.Entities;
using NewsPush.Tests.Infrastructure;
using NewsPush.Web.Newsroom;
using NewsPush.Web.Recommendations;
using static NewsPush.Tests.Web.Reader.ReaderTestData;

namespace NewsPush.Tests.Web.Recommendations;

/// <summary>
/// The /for-you page shows only what readers may see, whatever the recommender lists: a model serves from a
/// snapshot rebuilt every few minutes (Recommender:SnapshotMinutes), so it can still list an article an editor
/// has since taken back.
/// </summary>
public abstract class ForYouTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : ForYouFactory
{
    [Fact]
    public async Task ForYouShowsOnlyPubliclyVisibleArticlesGivenAStaleRecommendation()
    {
        var visible = await PublishAsync(factory, Unique("Visible story"), "Body");
        var withdrawn = await PublishAsync(factory, Unique("Withdrawn story"), "Body");
        var future = await PublishAsync(factory, Unique("Future story"), "Body", publishedAt: DateTime.UtcNow.AddHours(2));
        var inHidden = await PublishAsync(factory, Unique("Hidden column story"), "Body");
        var draftTitle = Unique("Unfinished rewrite");
        var hiddenTitle = await factory.WithDbAsync(async db =>
        {
            // The editor archives the article, restores it as a draft and starts rewriting it.
            var article = await db.Articles.FindAsync(withdrawn.Id);
            var now = DateTime.UtcNow;
            Assert.Null(ArticleWorkflow.Apply(article!, WorkflowAction.Archive, now));
            Assert.Null(ArticleWorkflow.Apply(article!, WorkflowAction.Restore, now));
            article!.Title = draftTitle;
            var hidden = new Column { Name = Unique("Hidden"), Slug = Unique("hidden"), IsHidden = true, CreatedAt = now };
            db.Columns.Add(hidden);
            var other = await db.Articles.FindAsync(inHidden.Id);
            other!.Column = hidden;
            await db.SaveChangesAsync();
            return other.Title;
        });
        var futureTitle = await factory.WithDbAsync(async db => (await db.Articles.FindAsync(future.Id))!.Title);
        var visibleTitle = await factory.WithDbAsync(async db => (await db.Articles.FindAsync(visible.Id))!.Title);
        factory.Recommender.Listed = [withdrawn.Id, future.Id, inHidden.Id, visible.Id];
        var reader = await factory.CreateUserAsync(Unique("fy") + "@test.local");
        using var client = await factory.CreateLoggedInClientAsync(reader.Email!);

        var response = await client.GetAsync("/for-you");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.Contains(visibleTitle, html, StringComparison.Ordinal);
        Assert.DoesNotContain(draftTitle, html, StringComparison.Ordinal);
        Assert.DoesNotContain(futureTitle, html, StringComparison.Ordinal);
        Assert.DoesNotContain(hiddenTitle, html, StringComparison.Ordinal);
        Assert.DoesNotContain($"/article/{withdrawn.Slug}", html, StringComparison.Ordinal);
    }
}

/// <summary>The site with a recommender that lists exactly what the test says.</summary>
public class ForYouFactory(TestDatabase database) : NewsPushFactory(database)
{
    public ListedRecommender Recommender { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<IArticleRecommender>(Recommender));
    }
}

public sealed class ListedRecommender : IArticleRecommender
{
    public IReadOnlyList<int> Listed { get; set; } = [];

    private List<Recommendation> List(int count) => Listed.Take(count).Select((id, i) => new Recommendation(id, Listed.Count - i, "listed by the test")).ToList();

    public Task<IReadOnlyList<Recommendation>> RecommendAsync(string? userId, int count, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<Recommendation>>(List(count));

    public Task<IReadOnlyDictionary<string, IReadOnlyList<Recommendation>>> RecommendManyAsync(IReadOnlyCollection<string> userIds, int count, CancellationToken ct) =>
        Task.FromResult<IReadOnlyDictionary<string, IReadOnlyList<Recommendation>>>(userIds.ToDictionary(u => u, _ => (IReadOnlyList<Recommendation>)List(count)));
}

public sealed class SqliteForYouFactory() : ForYouFactory(TestDatabase.Sqlite);

public sealed class PostgreSqlForYouFactory() : ForYouFactory(TestDatabase.PostgreSql);

public sealed class SqliteForYouTests(SqliteForYouFactory factory) : ForYouTests<SqliteForYouFactory>(factory);

public sealed class PostgreSqlForYouTests(PostgreSqlForYouFactory factory) : ForYouTests<PostgreSqlForYouFactory>(factory);
