using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NewsPush.Data.Entities;
using NewsPush.Tests.Infrastructure;
using NewsPush.Web.Interactions;
using NewsPush.Web.Reader;
using static NewsPush.Tests.Web.Reader.ReaderTestData;

namespace NewsPush.Tests.Web.Reader;

/// <summary>Front page, column, tag and article pages on a real database; run per provider.</summary>
public abstract class ReaderPagesTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : NewsPushFactory
{
    [Fact]
    public async Task FrontPageShowsLatestPopularAndForYouWithReasons()
    {
        using var client = factory.CreateClient();
        var html = await client.GetStringAsync("/");
        var latest = await factory.WithDbAsync(db => db.Articles.PubliclyVisible(DateTime.UtcNow).OrderByDescending(a => a.PublishedAt).Select(a => a.Title).FirstAsync());

        Assert.Contains(">Latest<", html);
        Assert.Contains(">Popular<", html);
        Assert.Contains(">For you<", html);
        Assert.Contains(latest, WebUtility.HtmlDecode(html));
        Assert.Contains("Because popular in", html);
    }

    [Fact]
    public async Task ForYouOfAReaderFollowingAColumnSaysSo()
    {
        var user = await factory.CreateUserAsync(Unique("fy") + "@test.local");
        var column = await factory.WithDbAsync(async db =>
        {
            var c = await db.Columns.OrderBy(c => c.SortOrder).Skip(2).FirstAsync();
            db.Follows.Add(new Follow { UserId = user.Id, Kind = FollowKind.Column, TargetId = c.Id, CreatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
            return (c.Name, c.Slug);
        });
        await PublishAsync(factory, "Fresh in the followed column", "Body", column.Slug);
        using var client = await factory.CreateLoggedInClientAsync(user.Email!);

        var html = WebUtility.HtmlDecode(await client.GetStringAsync("/"));

        Assert.Contains("Because you follow " + column.Name, html);
    }

    [Fact]
    public async Task ColumnPagePagesThroughItsArticlesAndRejectsPagesBeyondTheEnd()
    {
        var column = await factory.WithDbAsync(db => db.Columns.OrderBy(c => c.SortOrder).Select(c => new { c.Slug, c.Name, c.Id }).FirstAsync());
        for (var i = 0; i < 14; i++)
        {
            await PublishAsync(factory, $"Paging story {i}", "Body", column.Slug, publishedAt: DateTime.UtcNow.AddDays(-40).AddMinutes(i));
        }
        using var client = factory.CreateClient();

        var page1 = await client.GetStringAsync($"/column/{column.Slug}");
        var pageCount = int.Parse(System.Text.RegularExpressions.Regex.Match(page1, @"Page 1 of (\d+)").Groups[1].Value);
        var last = await client.GetStringAsync($"/column/{column.Slug}?page={pageCount}");
        var beyond = await client.GetAsync($"/column/{column.Slug}?page={pageCount + 1}");

        Assert.Contains(WebUtility.HtmlEncode(column.Name), page1);
        Assert.True(pageCount >= 2);
        Assert.Contains("Paging story 0", last);
        Assert.DoesNotContain("Paging story 0", page1);
        Assert.Contains("/feeds/column/" + column.Slug + ".rss", page1);
        Assert.Equal(HttpStatusCode.NotFound, beyond.StatusCode);
    }

    [Fact]
    public async Task UnknownColumnArticleAndTagGetTheFriendly404Page()
    {
        using var client = factory.CreateClient();
        foreach (var url in new[] { "/column/nope-nope", "/article/nope-nope", "/tag/nope-nope", "/no/such/page" })
        {
            var response = await client.GetAsync(url);
            var html = await response.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Contains("Page not found", html);
            Assert.Contains("Back to the front page", html);
        }
    }

    [Fact]
    public async Task ArticlePageRendersMarkdownSafelyWithTagsReadingTimeAndRelated()
    {
        var tag = Unique("tg");
        var body = "## Heading two\n\nSome **bold** words and a [link](https://example.com).\n\n<script>alert('x')</script>\n\n[bad](javascript:alert(1))\n\n" + string.Join(" ", Enumerable.Repeat("word", 700));
        var (_, slug) = await PublishAsync(factory, "Markdown article", body, tags: [tag]);
        var (_, relatedSlug) = await PublishAsync(factory, "Its related article", "Other body", tags: [tag]);
        using var client = factory.CreateClient();

        var html = await client.GetStringAsync($"/article/{slug}");

        Assert.Contains("<h2", html);
        Assert.Contains("<strong>bold</strong>", html);
        Assert.Contains("href=\"https://example.com\"", html);
        Assert.DoesNotContain("<script>alert", html);
        Assert.DoesNotContain("javascript:", html);
        Assert.Contains($"href=\"/tag/{tag}\"", html);
        Assert.Contains("3 min read", html);
        Assert.Contains($"/article/{relatedSlug}", html);
    }

    [Fact]
    public async Task TagPageListsItsArticles()
    {
        var tag = Unique("tp");
        var (_, slug) = await PublishAsync(factory, "Tagged story", "Body", tags: [tag]);
        using var client = factory.CreateClient();

        var html = await client.GetStringAsync($"/tag/{tag}");

        Assert.Contains($"/article/{slug}", html);
        Assert.Contains("Log in to follow", html);
    }

    [Fact]
    public async Task OpeningAnArticleRecordsHistoryClickAndViewCount()
    {
        var user = await factory.CreateUserAsync(Unique("open") + "@test.local");
        var (id, slug) = await PublishAsync(factory, "Counted article", "Body");
        using var client = await factory.CreateLoggedInClientAsync(user.Email!);

        await client.GetStringAsync($"/article/{slug}?src=home");
        await client.GetStringAsync($"/article/{slug}");
        // The history page shows the reads at once, though the article page only noted them in memory.
        var history = await client.GetStringAsync("/me/history");
        await factory.Services.GetRequiredService<ViewCounter>().FlushAsync(factory.Services, default);
        await factory.Services.GetRequiredService<InteractionRecorder>().FlushAsync(factory.Services, default);

        var (read, views, clicks) = await factory.WithDbAsync(async db => (
            await db.ArticleReads.SingleAsync(r => r.UserId == user.Id && r.ArticleId == id),
            await db.Articles.Where(a => a.Id == id).Select(a => a.ViewCount).SingleAsync(),
            await db.Interactions.Where(i => i.UserId == user.Id && i.ArticleId == id && i.Type == InteractionType.Click).Select(i => i.Source).ToListAsync()));
        Assert.Equal(2, read.ReadCount);
        Assert.Equal(2, views);
        Assert.Contains("home", clicks);
        Assert.Contains("Counted article", history);
        Assert.Contains("2 times", history);
    }

    [Fact]
    public async Task AnonymousArticlePagesComeFromCacheAreStillCountedAndRefreshOnNewComments()
    {
        var (id, slug) = await PublishAsync(factory, "Cached article", "Body");
        var user = await factory.CreateUserAsync(Unique("cache") + "@test.local");
        using var anonymous = factory.CreateClient();
        using var reader = await factory.CreateLoggedInClientAsync(user.Email!);

        var first = await anonymous.GetAsync($"/article/{slug}");
        var second = await anonymous.GetAsync($"/article/{slug}");
        await reader.PostFormAsync($"/article/{slug}", new Dictionary<string, string> { ["NewComment.Body"] = "Fresh comment" }, $"/article/{slug}/comments");
        var third = await anonymous.GetStringAsync($"/article/{slug}");
        await factory.Services.GetRequiredService<ViewCounter>().FlushAsync(factory.Services, default);

        Assert.Null(first.Headers.Age);
        Assert.NotNull(second.Headers.Age);
        Assert.Contains("Fresh comment", third);
        Assert.Equal(4, await factory.WithDbAsync(db => db.Articles.Where(a => a.Id == id).Select(a => a.ViewCount).SingleAsync()));
    }

    [Fact]
    public async Task UnpublishedArticlesAreNotShown()
    {
        var slug = await factory.WithDbAsync(async db =>
        {
            var a = new Article { ColumnId = (await db.Columns.FirstAsync()).Id, Slug = Unique("draft"), Title = "Secret draft", Status = ArticleStatus.Draft, CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow };
            db.Articles.Add(a);
            await db.SaveChangesAsync();
            return a.Slug;
        });
        using var client = factory.CreateClient();

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/article/{slug}")).StatusCode);
        Assert.DoesNotContain("Secret draft", await client.GetStringAsync("/search?q=secret+draft"));
    }

    [Fact]
    public async Task ArticleAndCommentTimesAreInTheReadersZoneAndInUtcForAnonymousVisitors()
    {
        var noon = new DateTime(2025, 6, 2, 12, 0, 0, DateTimeKind.Utc);
        var (articleId, slug) = await PublishAsync(factory, "Times in zones", "Body", publishedAt: noon);
        var reader = await factory.CreateUserAsync(Unique("zone") + "@test.local");
        await factory.WithDbAsync(async db =>
        {
            var prefs = await db.ReaderPreferences.FirstOrDefaultAsync(p => p.UserId == reader.Id);
            if (prefs is null)
            {
                db.ReaderPreferences.Add(prefs = ReaderPreferences.ForNewReader(reader.Id, "UTC", DateTime.UtcNow));
            }
            prefs.TimeZoneId = "Asia/Shanghai";
            db.Comments.Add(new Comment { ArticleId = articleId, AuthorId = reader.Id, Body = "Zoned", BodyHtml = "<p>Zoned</p>", CreatedAt = noon });
            await db.SaveChangesAsync();
        });
        using var signedIn = await factory.CreateLoggedInClientAsync(reader.Email!);
        using var anonymous = factory.CreateClient();

        var local = Text(await signedIn.GetStringAsync($"/article/{slug}"));
        var utc = Text(await anonymous.GetStringAsync($"/article/{slug}"));

        Assert.Equal(2, System.Text.RegularExpressions.Regex.Count(local, "2025-06-02 20:00 Asia/Shanghai"));
        Assert.DoesNotContain("12:00", local);
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Count(utc, "2025-06-02 12:00 UTC"));
    }

    [Fact]
    public async Task AChineseArticlePageCarriesItsCharactersAsTheyAreNotAsEntities()
    {
        var (_, slug) = await PublishAsync(factory, "联合国发布报告", "气候变化的影响。", summary: "摘要。", language: "zh");
        using var client = factory.CreateClient();

        var html = await client.GetStringAsync($"/article/{slug}");

        Assert.Contains("<h1>联合国发布报告</h1>", html);
        Assert.Contains("<title>联合国发布报告 · NewsPush</title>", html);
        Assert.DoesNotContain("&#x8054;", html);
    }

    [Fact]
    public async Task PagesCarrySecurityHeaders()
    {
        using var client = factory.CreateClient();
        var response = await client.GetAsync("/");

        Assert.Contains("script-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
    }
}

public sealed class SqliteReaderPagesTests(SqliteFactory factory) : ReaderPagesTests<SqliteFactory>(factory);

public sealed class PostgreSqlReaderPagesTests(PostgreSqlFactory factory) : ReaderPagesTests<PostgreSqlFactory>(factory);
