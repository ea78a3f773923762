using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NewsPush.Tests.Infrastructure;
using NewsPush.Web.Reader.Search;
using static NewsPush.Tests.Web.Reader.ReaderTestData;

namespace NewsPush.Tests.Web.Reader;

/// <summary>Ranked full-text search on each database's own engine (FTS5, tsvector).</summary>
public abstract class SearchTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : NewsPushFactory
{
    private async Task<string> SearchAsync(string query)
    {
        using var client = factory.CreateClient();
        return await client.GetStringAsync("/search?" + query);
    }

    [Fact]
    public async Task FindsAnEnglishWordAndRanksTitleMatchesFirst()
    {
        var word = "zorblax" + Guid.NewGuid().ToString("N")[..6];
        var (_, bodyOnly) = await PublishAsync(factory, "A story that mentions it once", $"Far below, the word {word} appears in passing among many other words.");
        var (_, inTitle) = await PublishAsync(factory, $"Everything about {word}", $"{word} again, because {word} is the subject.");

        var html = await SearchAsync("q=" + word);

        Assert.Contains("2 results", html);
        Assert.True(html.IndexOf($"/article/{inTitle}", StringComparison.Ordinal) < html.IndexOf($"/article/{bodyOnly}", StringComparison.Ordinal), "title match ranks first");
        Assert.Contains($"<mark>{word}</mark>", html);
    }

    [Fact]
    public async Task FindsWordsByPrefixAndIgnoresCase()
    {
        var stem = "quintar" + Guid.NewGuid().ToString("N")[..5];
        var (_, slug) = await PublishAsync(factory, "Prefix story", $"The {stem}ization of everything.");

        var html = await SearchAsync("q=" + stem.ToUpperInvariant());

        Assert.Contains($"/article/{slug}", html);
    }

    [Fact]
    public async Task FindsChineseWordsOfTwoAndMoreCharacters()
    {
        var (_, slug) = await PublishAsync(factory, "量子通信网络今日开通", "北京与上海之间的量子保密通信干线已经投入使用，覆盖多个城市。", language: "zh");

        var twoChars = await SearchAsync("q=" + Uri.EscapeDataString("量子"));
        var phrase = await SearchAsync("q=" + Uri.EscapeDataString("保密通信"));
        var absent = await SearchAsync("q=" + Uri.EscapeDataString("量通"));

        Assert.Contains($"/article/{slug}", twoChars);
        Assert.Contains("<mark>量子</mark>", twoChars);
        Assert.Contains($"/article/{slug}", phrase);
        Assert.DoesNotContain($"/article/{slug}", absent);
    }

    [Fact]
    public async Task FiltersByColumnAndDate()
    {
        var word = "filtrix" + Guid.NewGuid().ToString("N")[..6];
        var columns = await factory.WithDbAsync(db => db.Columns.OrderBy(c => c.SortOrder).Select(c => c.Slug).Take(2).ToListAsync());
        var (_, inFirst) = await PublishAsync(factory, $"{word} first", "x", columns[0], publishedAt: new DateTime(2026, 1, 10, 12, 0, 0, DateTimeKind.Utc));
        var (_, inSecond) = await PublishAsync(factory, $"{word} second", "x", columns[1], publishedAt: new DateTime(2026, 3, 10, 12, 0, 0, DateTimeKind.Utc));

        var byColumn = await SearchAsync($"q={word}&column={columns[1]}");
        var byDate = await SearchAsync($"q={word}&from=2026-01-01&to=2026-01-31");

        Assert.Contains($"/article/{inSecond}", byColumn);
        Assert.DoesNotContain($"/article/{inFirst}", byColumn);
        Assert.Contains($"/article/{inFirst}", byDate);
        Assert.DoesNotContain($"/article/{inSecond}", byDate);
    }

    [Fact]
    public async Task PagesThroughManyResults()
    {
        var word = "pagix" + Guid.NewGuid().ToString("N")[..6];
        for (var i = 0; i < ArticleSearchService.PageSize + 3; i++)
        {
            await PublishAsync(factory, $"{word} number {i}", "x");
        }

        var first = await SearchAsync("q=" + word);
        var second = await SearchAsync($"q={word}&page=2");

        Assert.Contains($"{ArticleSearchService.PageSize + 3} results", first);
        Assert.Contains("Page 1 of 2", first);
        Assert.Contains("Page 2 of 2", second);
        Assert.Equal(3, System.Text.RegularExpressions.Regex.Count(second, "src=search"));
    }

    [Fact]
    public async Task EditedTitlesAndDeletedArticlesAreReindexed()
    {
        var before = "oldword" + Guid.NewGuid().ToString("N")[..6];
        var after = "newword" + Guid.NewGuid().ToString("N")[..6];
        var (id, slug) = await PublishAsync(factory, before, "x");
        // Searched (and its results kept for the next readers) before the edit: the edit must not leave them stale.
        Assert.Contains($"/article/{slug}", await SearchAsync("q=" + before));
        Assert.Contains($"/article/{slug}", await SearchAsync("q=" + before));

        await factory.WithDbAsync(async db =>
        {
            var a = await db.Articles.SingleAsync(a => a.Id == id);
            a.Title = after;
            await db.SaveChangesAsync();
        });
        var oldHits = await SearchAsync("q=" + before);
        var newHits = await SearchAsync("q=" + after);
        Assert.Contains($"/article/{slug}", await SearchAsync("q=" + after));
        await factory.WithDbAsync(async db =>
        {
            db.Articles.Remove(await db.Articles.SingleAsync(a => a.Id == id));
            await db.SaveChangesAsync();
        });
        var goneHits = await SearchAsync("q=" + after);

        Assert.DoesNotContain($"/article/{slug}", oldHits);
        Assert.Contains($"/article/{slug}", newHits);
        Assert.DoesNotContain($"/article/{slug}", goneHits);
    }

    [Fact]
    public async Task BackfillIndexesArticlesWrittenWithoutEf()
    {
        var word = "rawword" + Guid.NewGuid().ToString("N")[..6];
        var (id, slug) = await PublishAsync(factory, "Raw update target", "x");
        await factory.WithDbAsync(async db =>
        {
            await db.Articles.Where(a => a.Id == id).ExecuteUpdateAsync(s => s.SetProperty(a => a.Title, word));
            var provider = ArticleSearchService.For(db, factory.Services.GetServices<IFullTextProvider>());
            await provider.DeleteAsync(db, id, default);
        });

        var indexed = await SearchIndexBackfill.RunOnceAsync(factory.Services, default);

        Assert.True(indexed >= 1);
        Assert.Contains($"/article/{slug}", await SearchAsync("q=" + word));
    }

    [Theory]
    [InlineData("q=")]
    [InlineData("")]
    [InlineData("q=%22%22%22%29%28*%3A%26%7C%21")]
    [InlineData("q=AND+OR+NOT")]
    [InlineData("q=%27%3B+DROP+TABLE+Articles%3B--")]
    [InlineData("q=NEAR%28a+b%29+%5E+-x+%7B%7D")]
    public async Task OddAndEmptyQueriesGetAHelpfulPage(string query)
    {
        using var client = factory.CreateClient();
        var response = await client.GetAsync("/search?" + query);
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("<form method=\"get\" action=\"/search\"", html);
        Assert.True(html.Contains("Type a few words", StringComparison.Ordinal) || html.Contains("find nothing", StringComparison.Ordinal)
            || html.Contains("No articles match", StringComparison.Ordinal) || html.Contains("result", StringComparison.Ordinal), html);
    }

    [Theory]
    [InlineData("q=x&from=not-a-date", "Dates look like")]
    [InlineData("q=x&from=2026-02-01&to=2026-01-01", "start date is after the end date")]
    [InlineData("q=x&page=0", "That page does not exist")]
    public async Task InvalidFiltersGetAValidationMessageNotAnError(string query, string message)
    {
        using var client = factory.CreateClient();
        var response = await client.GetAsync("/search?" + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(message, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task NoMatchSaysSoAndSuggestsWhatToTry()
    {
        var html = await SearchAsync("q=nosuchwordanywhere" + Guid.NewGuid().ToString("N")[..6]);

        Assert.Contains("No articles match", html);
    }
}

public sealed class SqliteSearchTests(SqliteFactory factory) : SearchTests<SqliteFactory>(factory);

public sealed class PostgreSqlSearchTests(PostgreSqlFactory factory) : SearchTests<PostgreSqlFactory>(factory);
