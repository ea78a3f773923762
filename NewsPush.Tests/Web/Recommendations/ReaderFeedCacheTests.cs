using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NewsPush.Tests.Infrastructure;
using NewsPush.Web.Reader;
using static NewsPush.Tests.Web.Reader.ReaderTestData;

namespace NewsPush.Tests.Web.Recommendations;

/// <summary>
/// A signed-in reader's feeds are kept between pages (Recommender:PageCacheSeconds, 60 s by default, on in these
/// tests), and what the reader does shows on the next page all the same: a story read leaves the feeds once the
/// reading history is written, a follow changes the reasons, an editor's correction shows at once.
/// </summary>
public abstract partial class ReaderFeedCacheTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : NewsPushFactory
{
    [GeneratedRegex("""<a class="fw-semibold" href="/article/([^"]+)">""")]
    private static partial Regex FeedLink();

    private static List<string> FeedSlugs(string html) => FeedLink().Matches(html).Select(m => m.Groups[1].Value).ToList();

    /// <summary>The front page's "For you" box (the same stories may also be under Latest and Popular).</summary>
    private static string HomeForYou(string html)
    {
        var start = html.IndexOf("aria-labelledby=\"for-you\"", StringComparison.Ordinal);
        Assert.True(start >= 0, "the front page has its For you box");
        return WebUtility.HtmlDecode(html[start..html.IndexOf("</section>", start, StringComparison.Ordinal)]);
    }

    [Fact]
    public async Task AStoryReadLeavesBothFeedsOnceTheHistoryIsWrittenAndAFollowShowsOnTheNextPage()
    {
        var reader = await factory.CreateUserAsync(Unique("feed") + "@test.local");
        using var client = await factory.CreateLoggedInClientAsync(reader.Email!);
        var before = FeedSlugs(await client.GetStringAsync("/for-you"));
        Assert.NotEmpty(before);
        var read = before[0];
        Assert.Contains($"/article/{read}", HomeForYou(await client.GetStringAsync("/")));

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/article/{read}")).StatusCode);
        // The writer's next tick (every second): the read is in the database, and the kept lists are dropped.
        await factory.Services.GetRequiredService<ReadingHistory>().FlushAsync(factory.Services, default);

        Assert.DoesNotContain(read, FeedSlugs(await client.GetStringAsync("/for-you")));
        Assert.DoesNotContain($"/article/{read}", HomeForYou(await client.GetStringAsync("/")));

        var column = await factory.WithDbAsync(db => db.Columns.Where(c => !c.IsHidden).OrderBy(c => c.SortOrder).Skip(1).Select(c => new { c.Id, c.Name, c.Slug }).FirstAsync());
        await PublishAsync(factory, Unique("Fresh for a new follower"), "Body", column.Slug);
        Assert.DoesNotContain("you follow " + column.Name, WebUtility.HtmlDecode(await client.GetStringAsync("/for-you")));

        await client.PostFormAsync($"/column/{column.Slug}", new Dictionary<string, string> { ["kind"] = "Column", ["targetId"] = column.Id.ToString(), ["follow"] = "true" }, "/follow");

        Assert.Contains("you follow " + column.Name, WebUtility.HtmlDecode(await client.GetStringAsync("/for-you")));
        Assert.Contains("Because you follow " + column.Name, HomeForYou(await client.GetStringAsync("/")));
    }

    [Fact]
    public async Task AnEditorsCorrectionShowsInAFeedThatWasKept()
    {
        var reader = await factory.CreateUserAsync(Unique("feed") + "@test.local");
        using var client = await factory.CreateLoggedInClientAsync(reader.Email!);
        var slug = FeedSlugs(await client.GetStringAsync("/for-you")).First();
        var corrected = Unique("Corrected headline");

        await factory.WithDbAsync(async db =>
        {
            var article = await db.Articles.SingleAsync(a => a.Slug == slug);
            article.Title = corrected;
            await db.SaveChangesAsync();
        });
        // What the newsroom does after saving an article (the editor's ArticlesController).
        await factory.Services.GetRequiredService<ReaderCache>().InvalidateAsync(default);

        Assert.Contains(corrected, WebUtility.HtmlDecode(await client.GetStringAsync("/for-you")));
    }
}

public sealed class SqliteReaderFeedCacheTests(SqliteFactory factory) : ReaderFeedCacheTests<SqliteFactory>(factory);

public sealed class PostgreSqlReaderFeedCacheTests(PostgreSqlFactory factory) : ReaderFeedCacheTests<PostgreSqlFactory>(factory);
