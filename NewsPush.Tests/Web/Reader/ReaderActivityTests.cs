using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NewsPush.Data.Entities;
using NewsPush.Tests.Infrastructure;
using NewsPush.Web.Interactions;
using static NewsPush.Tests.Web.Reader.ReaderTestData;

namespace NewsPush.Tests.Web.Reader;

/// <summary>Ratings, bookmarks, follows, onboarding, beacons and feeds.</summary>
public sealed class ReaderActivityTests(SqliteFactory factory) : IClassFixture<SqliteFactory>
{
    private async Task FlushInteractionsAsync() => await factory.Services.GetRequiredService<InteractionRecorder>().FlushAsync(factory.Services, default);

    [Fact]
    public async Task ReaderRatesAndReratesAnArticle()
    {
        var user = await factory.CreateUserAsync(Unique("rate") + "@test.local");
        var (id, slug) = await PublishAsync(factory, "Rate me", "Body");
        using var client = await factory.CreateLoggedInClientAsync(user.Email!);

        await client.PostFormAsync($"/article/{slug}", new Dictionary<string, string> { ["stars"] = "4" }, $"/article/{slug}/rate");
        await client.PostFormAsync($"/article/{slug}", new Dictionary<string, string> { ["stars"] = "2" }, $"/article/{slug}/rate");
        var invalid = await client.PostFormAsync($"/article/{slug}", new Dictionary<string, string> { ["stars"] = "9" }, $"/article/{slug}/rate");
        await FlushInteractionsAsync();

        var (sum, count, ratings) = await factory.WithDbAsync(async db => (
            await db.Articles.Where(a => a.Id == id).Select(a => a.RatingSum).SingleAsync(),
            await db.Articles.Where(a => a.Id == id).Select(a => a.RatingCount).SingleAsync(),
            await db.Interactions.CountAsync(i => i.UserId == user.Id && i.ArticleId == id && i.Type == InteractionType.Rating)));
        Assert.Equal(2, sum);
        Assert.Equal(1, count);
        Assert.Equal(2, ratings);
        Assert.Equal(HttpStatusCode.Redirect, invalid.StatusCode);
        var page = await client.GetStringAsync($"/article/{slug}");
        Assert.Contains("Choose from 1 to 5 stars.", page);
        Assert.Contains("Rated 2.0/5 by 1", page);
    }

    [Fact]
    public async Task BookmarkTogglesAndIsListedOnlyForItsOwner()
    {
        var user = await factory.CreateUserAsync(Unique("bm") + "@test.local");
        var other = await factory.CreateUserAsync(Unique("bm2") + "@test.local");
        var (_, slug) = await PublishAsync(factory, "Keep me for later", "Body");
        using var client = await factory.CreateLoggedInClientAsync(user.Email!);
        using var otherClient = await factory.CreateLoggedInClientAsync(other.Email!);

        await client.PostFormAsync($"/article/{slug}", new Dictionary<string, string>(), $"/article/{slug}/bookmark");
        var listed = await client.GetStringAsync("/me/bookmarks");
        var othersList = await otherClient.GetStringAsync("/me/bookmarks");
        await client.PostFormAsync($"/article/{slug}", new Dictionary<string, string>(), $"/article/{slug}/bookmark");
        var afterRemove = await client.GetStringAsync("/me/bookmarks");

        Assert.Contains("Keep me for later", listed);
        Assert.DoesNotContain("Keep me for later", othersList);
        Assert.DoesNotContain("Keep me for later", afterRemove);
    }

    [Fact]
    public async Task ReaderFollowsAndUnfollowsColumnsAndTags()
    {
        var user = await factory.CreateUserAsync(Unique("fol") + "@test.local");
        var tag = Unique("ft");
        await PublishAsync(factory, "Tagged for follow", "Body", tags: [tag]);
        var (columnId, columnSlug, tagId) = await factory.WithDbAsync(async db => (
            await db.Columns.OrderBy(c => c.SortOrder).Select(c => c.Id).FirstAsync(),
            await db.Columns.OrderBy(c => c.SortOrder).Select(c => c.Slug).FirstAsync(),
            await db.Tags.Where(t => t.Slug == tag).Select(t => t.Id).SingleAsync()));
        using var client = await factory.CreateLoggedInClientAsync(user.Email!);

        await client.PostFormAsync($"/column/{columnSlug}", new Dictionary<string, string> { ["kind"] = "Column", ["targetId"] = columnId.ToString(), ["follow"] = "true", ["returnUrl"] = "/" }, "/follow");
        await client.PostFormAsync($"/tag/{tag}", new Dictionary<string, string> { ["kind"] = "Tag", ["targetId"] = tagId.ToString(), ["follow"] = "true" }, "/follow");
        var columnPage = await client.GetStringAsync($"/column/{columnSlug}");
        var follows = await client.GetStringAsync("/me/follows");
        await client.PostFormAsync("/me/follows", new Dictionary<string, string> { ["kind"] = "Tag", ["targetId"] = tagId.ToString(), ["follow"] = "false" }, "/follow");
        var unknown = await client.PostFormAsync("/me/follows", new Dictionary<string, string> { ["kind"] = "Tag", ["targetId"] = "999999", ["follow"] = "true" }, "/follow");
        await FlushInteractionsAsync();

        Assert.Contains("Unfollow", columnPage);
        Assert.Contains($"/tag/{tag}", follows);
        var rows = await factory.WithDbAsync(db => db.Follows.Where(f => f.UserId == user.Id).Select(f => new { f.Kind, f.TargetId, f.IsDeclaredInterest }).ToListAsync());
        Assert.Single(rows);
        Assert.Equal(FollowKind.Column, rows[0].Kind);
        Assert.False(rows[0].IsDeclaredInterest);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.True(await factory.WithDbAsync(db => db.Interactions.AnyAsync(i => i.UserId == user.Id && i.Type == InteractionType.Follow)));
    }

    [Fact]
    public async Task OnboardingStoresDeclaredInterestsAndRequiresAPick()
    {
        var user = await factory.CreateUserAsync(Unique("onb") + "@test.local");
        var (columnId, tagId) = await factory.WithDbAsync(async db => (await db.Columns.Select(c => c.Id).FirstAsync(), await db.Tags.Select(t => t.Id).FirstAsync()));
        using var client = await factory.CreateLoggedInClientAsync(user.Email!);

        var form = await client.GetStringAsync("/me/onboarding");
        var none = await client.PostFormAsync("/me/onboarding", new Dictionary<string, string>());
        var bogus = await client.PostFormAsync("/me/onboarding", new Dictionary<string, string> { ["ColumnIds"] = "abc" });
        var picked = await client.PostAsync("/me/onboarding", new FormUrlEncodedContent(
        [
            new("ColumnIds", columnId.ToString()), new("TagIds", tagId.ToString()), new("TagIds", "987654"),
            new("__RequestVerificationToken", HttpTestExtensions.AntiforgeryToken(form)),
        ]));

        Assert.Equal(HttpStatusCode.BadRequest, none.StatusCode);
        Assert.Contains("Pick at least one", await none.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, bogus.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, picked.StatusCode);
        var rows = await factory.WithDbAsync(db => db.Follows.Where(f => f.UserId == user.Id).ToListAsync());
        Assert.Equal(2, rows.Count);
        Assert.All(rows, f => Assert.True(f.IsDeclaredInterest));
        Assert.Contains(rows, f => f.Kind == FollowKind.Column && f.TargetId == columnId);
        Assert.Contains(rows, f => f.Kind == FollowKind.Tag && f.TargetId == tagId);
    }

    [Fact]
    public async Task BeaconRecordsImpressionsAndDwellAndRejectsNonsense()
    {
        var user = await factory.CreateUserAsync(Unique("bcn") + "@test.local");
        var (id, slug) = await PublishAsync(factory, "Dwell here", "Body");
        using var client = await factory.CreateLoggedInClientAsync(user.Email!);
        await client.WithAntiforgeryHeaderAsync($"/article/{slug}");

        var impressions = await client.PostAsJsonAsync("/beacon", new { type = "impression", source = "home", articleIds = new[] { id } });
        var dwell = await client.PostAsJsonAsync("/beacon", new { type = "dwell", articleId = id, seconds = 42.5 });
        var nonsense = await client.PostAsJsonAsync("/beacon", new { type = "explode" });
        var malformed = await client.PostAsync("/beacon", new StringContent("{not json", System.Text.Encoding.UTF8, "application/json"));
        using var anonymous = factory.CreateClient();
        var anon = await anonymous.PostAsJsonAsync("/beacon", new { type = "dwell", articleId = id, seconds = 5 });
        await FlushInteractionsAsync();
        await factory.Services.GetRequiredService<NewsPush.Web.Reader.ReadingHistory>().FlushAsync(factory.Services, default);

        Assert.Equal(HttpStatusCode.NoContent, impressions.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, dwell.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, nonsense.StatusCode);
        Assert.Equal("application/problem+json", nonsense.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, anon.StatusCode);
        var (types, dwellSeconds) = await factory.WithDbAsync(async db => (
            await db.Interactions.Where(i => i.UserId == user.Id && i.ArticleId == id).Select(i => i.Type).ToListAsync(),
            await db.ArticleReads.Where(r => r.UserId == user.Id && r.ArticleId == id).Select(r => r.DwellSeconds).SingleAsync()));
        Assert.Contains(InteractionType.Impression, types);
        Assert.Contains(InteractionType.Dwell, types);
        Assert.Equal(42.5, dwellSeconds);
    }

    [Fact]
    public async Task MePagesRequireLogin()
    {
        using var client = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        foreach (var url in new[] { "/me/bookmarks", "/me/history", "/me/follows", "/me/onboarding" })
        {
            var response = await client.GetAsync(url);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Contains("/account/login", response.Headers.Location!.ToString());
        }
    }

    [Fact]
    public async Task ColumnAndPersonalFeedsParseWithFeedparserAndTheTokenIsRevocable()
    {
        var user = await factory.CreateUserAsync(Unique("feed") + "@test.local");
        var column = await factory.WithDbAsync(db => db.Columns.OrderBy(c => c.SortOrder).Select(c => new { c.Id, c.Slug }).FirstAsync());
        await PublishAsync(factory, "Feed item with <angle> & ampersand 中文", "Body", column.Slug);
        using var client = await factory.CreateLoggedInClientAsync(user.Email!);
        await client.PostFormAsync($"/column/{column.Slug}", new Dictionary<string, string> { ["kind"] = "Column", ["targetId"] = column.Id.ToString(), ["follow"] = "true" }, "/follow");
        await client.PostFormAsync("/me/follows", new Dictionary<string, string>(), "/me/feed-token");
        var token = await factory.WithDbAsync(db => db.Users.Where(u => u.Id == user.Id).Select(u => u.FeedToken).SingleAsync());
        Assert.NotNull(token);
        using var anonymous = factory.CreateClient();

        foreach (var url in new[] { $"/feeds/column/{column.Slug}.rss", $"/feeds/column/{column.Slug}.atom", $"/feeds/me/{token}.atom" })
        {
            var response = await anonymous.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var xml = await response.Content.ReadAsStringAsync();
            var parsed = await FeedparserAsync(xml);
            Assert.True(parsed.StartsWith("ok ", StringComparison.Ordinal), $"{url}: {parsed}");
            Assert.Contains("Feed item with <angle> & ampersand 中文", parsed);
            Assert.Contains(url.EndsWith(".rss", StringComparison.Ordinal) ? "rss20" : "atom10", parsed);
        }

        await client.PostFormAsync("/me/follows", new Dictionary<string, string> { ["revoke"] = "true" }, "/me/feed-token");
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/feeds/me/{token}.atom")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/feeds/me/guess.atom")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/feeds/column/nope.rss")).StatusCode);
    }

    /// <summary>Runs Debian's python3-feedparser over the document; prints "ok version title…" or the error.</summary>
    private static async Task<string> FeedparserAsync(string xml)
    {
        var file = Path.Combine(Path.GetTempPath(), $"feed-{Guid.NewGuid():N}.xml");
        await File.WriteAllTextAsync(file, xml);
        try
        {
            const string script = "import sys, feedparser\n" +
                "d = feedparser.parse(sys.argv[1])\n" +
                "if d.bozo: print('bozo', d.bozo_exception); sys.exit(0)\n" +
                "print('ok', d.version, len(d.entries), '|'.join(e.title for e in d.entries))\n";
            var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add(script);
            psi.ArgumentList.Add(file);
            psi.Environment["PYTHONIOENCODING"] = "utf-8";
            using var p = Process.Start(psi)!;
            var output = await p.StandardOutput.ReadToEndAsync();
            var error = await p.StandardError.ReadToEndAsync();
            await p.WaitForExitAsync();
            return output.Trim() + error.Trim();
        }
        finally
        {
            File.Delete(file);
        }
    }
}
