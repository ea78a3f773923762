using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using NewsPush.Tests.Infrastructure;
using NewsPush.Tests.Web.Push;
using static NewsPush.Tests.Web.Reader.ReaderTestData;

namespace NewsPush.Tests.Web.Infrastructure;

/// <summary>
/// Two web nodes on one PostgreSQL database, with Redis (shared) or without (each node on its own, the control): an
/// article corrected on one node is served corrected by the other at once, the rate limits and sign-in delays count
/// the requests of both nodes together, and a reader's own page state and kept feed changed on one node are fresh on the other.
/// </summary>
public sealed class ScaleOutTests
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AnArticleCorrectedOnNodeAIsServedCorrectedByNodeB(bool shared)
    {
        using var site = new TwoNodeSite(backplane: shared);
        var original = Unique("Original headline");
        var corrected = Unique("Corrected headline");
        var (id, slug) = await PublishAsync(site.A, original, "The body.", publishedAt: site.Clock.Now.UtcDateTime.AddMinutes(-1));
        using var anonymousA = site.A.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using var anonymousB = site.B.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        // Both nodes have served it (and cached it: rendered, and as the anonymous page).
        for (var i = 0; i < 2; i++)
        {
            Assert.Contains(original, await anonymousA.GetStringAsync("/article/" + slug));
            Assert.Contains(original, await anonymousB.GetStringAsync("/article/" + slug));
        }

        // An editor's correction, saved on node A (the save drops the reader caches, as the newsroom's edits do).
        await site.A.WithDbAsync(async db =>
        {
            var article = await db.Articles.SingleAsync(a => a.Id == id);
            article.Title = corrected;
            await db.SaveChangesAsync();
        });
        Assert.Contains(corrected, await anonymousA.GetStringAsync("/article/" + slug));

        if (shared)
        {
            Assert.True(await EventuallyAsync(async () => (await anonymousB.GetStringAsync("/article/" + slug)).Contains(corrected, StringComparison.Ordinal), Soon),
                "node B still served the old headline 10 s after node A saved the correction");
            Assert.Contains(corrected, await anonymousB.GetStringAsync("/"));
        }
        else
        {
            // The control: without Redis, node B serves what it cached (until its entries expire).
            Assert.Contains(original, await anonymousB.GetStringAsync("/article/" + slug));
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task CommentLimitsAndSignInDelaysCountBothNodesTogether(bool shared)
    {
        using var site = new TwoNodeSite(backplane: shared, node =>
        {
            node.Settings["RateLimits:Comment:PermitLimit"] = "3";
            node.Settings["RateLimits:Comment:WindowSeconds"] = "3600";
            node.Settings["Accounts:FreeFailedSignIns"] = "3";
        });
        var user = await site.A.CreateUserAsync(Unique("so") + "@test.local");
        var (_, slug) = await PublishAsync(site.A, Unique("Limited"), "Body", publishedAt: site.Clock.Now.UtcDateTime.AddMinutes(-1));
        using var onA = await site.A.CreateLoggedInClientAsync(user.Email!);
        using var onB = await site.B.CreateLoggedInClientAsync(user.Email!);
        Task<HttpResponseMessage> CommentAsync(HttpClient client, int i) =>
            client.PostFormAsync("/article/" + slug, new Dictionary<string, string> { ["NewComment.Body"] = "comment " + i }, $"/article/{slug}/comments");

        // Comments: 3 an hour for the reader — two on node A, one on node B, then a fourth on node B.
        var statuses = new List<HttpStatusCode>();
        statuses.Add((await CommentAsync(onA, 1)).StatusCode);
        statuses.Add((await CommentAsync(onA, 2)).StatusCode);
        statuses.Add((await CommentAsync(onB, 3)).StatusCode);
        var fourth = await CommentAsync(onB, 4);
        statuses.Add(fourth.StatusCode);
        Assert.Equal([HttpStatusCode.Redirect, HttpStatusCode.Redirect, HttpStatusCode.Redirect, shared ? HttpStatusCode.TooManyRequests : HttpStatusCode.Redirect], statuses);
        if (shared)
        {
            Assert.True(fourth.Headers.RetryAfter?.Delta > TimeSpan.FromMinutes(50), $"Retry-After: {fourth.Headers.RetryAfter}");
        }

        // Wrong passwords for one account: three free ones on node A, then node B makes the next try wait.
        var victim = await site.A.CreateUserAsync(Unique("sv") + "@test.local");
        using var guesserA = site.A.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using var guesserB = site.B.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        for (var i = 0; i < 3; i++)
        {
            await guesserA.PostFormAsync("/account/login", new Dictionary<string, string> { ["Email"] = victim.Email!, ["Password"] = "wrong password " + i });
        }
        await guesserB.PostFormAsync("/account/login", new Dictionary<string, string> { ["Email"] = victim.Email!, ["Password"] = "wrong password 4" });
        var next = await guesserB.PostFormAsync("/account/login", new Dictionary<string, string> { ["Email"] = victim.Email!, ["Password"] = "wrong password 5" });
        var page = await next.Content.ReadAsStringAsync();
        if (shared)
        {
            Assert.True(page.Contains("try again in", StringComparison.Ordinal), System.Text.RegularExpressions.Regex.Match(page, "validation-summary[\\s\\S]{0,400}").Value);
        }
        else
        {
            Assert.DoesNotContain("try again in", page, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ABookmarkMadeOnNodeAShowsOnNodeBsArticlePage(bool shared)
    {
        using var site = new TwoNodeSite(backplane: shared);
        var user = await site.A.CreateUserAsync(Unique("sb") + "@test.local");
        var (_, slug) = await PublishAsync(site.A, Unique("Bookmarked"), "Body", publishedAt: site.Clock.Now.UtcDateTime.AddMinutes(-1));
        using var onA = await site.A.CreateLoggedInClientAsync(user.Email!);
        using var onB = await site.B.CreateLoggedInClientAsync(user.Email!);
        // Node B has the reader's state cached (no bookmark yet).
        Assert.DoesNotContain("Remove bookmark", await onB.GetStringAsync("/article/" + slug));

        var saved = await onA.PostFormAsync("/article/" + slug, postUrl: $"/article/{slug}/bookmark");
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        Assert.Contains("Remove bookmark", await onA.GetStringAsync("/article/" + slug));
        if (shared)
        {
            Assert.True(await EventuallyAsync(async () => (await onB.GetStringAsync("/article/" + slug)).Contains("Remove bookmark", StringComparison.Ordinal), Soon),
                "node B's article page did not show the bookmark made on node A within 10 s");
        }
        else
        {
            Assert.DoesNotContain("Remove bookmark", await onB.GetStringAsync("/article/" + slug));
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AFollowOnNodeAShowsInTheForYouFeedNodeBHadKept(bool shared)
    {
        using var site = new TwoNodeSite(backplane: shared);
        var user = await site.A.CreateUserAsync(Unique("sf") + "@test.local");
        var column = await site.A.WithDbAsync(db => db.Columns.Where(c => !c.IsHidden).OrderBy(c => c.SortOrder).Skip(3).Select(c => new { c.Id, c.Name, c.Slug }).FirstAsync());
        await PublishAsync(site.A, Unique("Fresh in the column"), "Body", column.Slug, publishedAt: site.Clock.Now.UtcDateTime.AddMinutes(-1));
        using var onA = await site.A.CreateLoggedInClientAsync(user.Email!);
        using var onB = await site.B.CreateLoggedInClientAsync(user.Email!);
        var follows = "you follow " + column.Name;
        // Node B has ranked the reader's feed and keeps it (Recommender:PageCacheSeconds).
        Assert.DoesNotContain(follows, WebUtility.HtmlDecode(await onB.GetStringAsync("/for-you")));

        await onA.PostFormAsync($"/column/{column.Slug}", new Dictionary<string, string> { ["kind"] = "Column", ["targetId"] = column.Id.ToString(), ["follow"] = "true" }, "/follow");

        Assert.Contains(follows, WebUtility.HtmlDecode(await onA.GetStringAsync("/for-you")));
        if (shared)
        {
            Assert.True(await EventuallyAsync(async () => WebUtility.HtmlDecode(await onB.GetStringAsync("/for-you")).Contains(follows, StringComparison.Ordinal), Soon),
                "node B's /for-you did not show the follow made on node A within 10 s");
        }
        else
        {
            Assert.DoesNotContain(follows, WebUtility.HtmlDecode(await onB.GetStringAsync("/for-you")));
        }
    }

    private static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            if (await condition())
            {
                return true;
            }
            if (DateTime.UtcNow >= deadline)
            {
                return false;
            }
            await Task.Delay(50);
        }
    }
}
