using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using NewsPush.Data.Entities;
using NewsPush.Tests.Infrastructure;
using NewsPush.Tests.Web.Campaigns;
using NewsPush.Web.Campaigns;
using static NewsPush.Tests.Web.Reader.ReaderTestData;

namespace NewsPush.Tests.Web;

/// <summary>
/// Every page a visitor, reader, editor or admin can open, at 1280 and 390 px: nothing scrolls sideways
/// (<c>scrollWidth ≤ innerWidth</c>) and axe-core finds no serious or critical issue. One test per role lists every
/// page that fails and why, so a regression names its page. Screenshots go to TestResults/screenshots.
/// </summary>
public sealed class SiteWideBrowserTests(BrowserHost<SqliteFactory> host) : IClassFixture<BrowserHost<SqliteFactory>>
{
    private static readonly int[] Widths = [1280, 390];

    private sealed record Site(string ArticleSlug, int ArticleId, string ColumnSlug, string TagSlug, string AuthorId, long PushId, long CommentId);

    private static readonly SemaphoreSlim SeedLock = new(1, 1);
    private Site? site;

    private async Task<Site> SiteAsync()
    {
        await SeedLock.WaitAsync();
        try
        {
            if (site is not null)
            {
                return site;
            }
            var author = await host.Factory.CreateUserAsync(Unique("sitewide-author") + "@test.local", Roles.Editor);
            var tag = Unique("tag");
            var (articleId, slug) = await PublishAsync(host.Factory, "Harbour cranes return to the old docks", "The cranes are back.\n\nA second paragraph with **bold** words.", tags: [tag]);
            var commenter = await host.Factory.CreateUserAsync(Unique("sitewide-commenter") + "@test.local");
            var (columnSlug, commentId) = await host.Factory.WithDbAsync(async db =>
            {
                var article = await db.Articles.Include(a => a.Column).FirstAsync(a => a.Id == articleId);
                article.AuthorId = author.Id;
                var comment = new Comment { ArticleId = articleId, AuthorId = commenter.Id, Body = "Good to see them.", BodyHtml = "<p>Good to see them.</p>", CreatedAt = DateTime.UtcNow };
                db.Comments.Add(comment);
                await db.SaveChangesAsync();
                return (article.Column!.Slug, comment.Id);
            });
            long pushId;
            using (var scope = host.Factory.Services.CreateScope())
            {
                var flow = scope.ServiceProvider.GetRequiredService<CampaignWorkflow>();
                var (campaign, error) = await flow.CreateDraftAsync(articleId, CampaignFactory.Principal(author, Roles.Editor), CancellationToken.None);
                pushId = campaign?.Id ?? throw new InvalidOperationException(error);
            }
            return site = new Site(slug, articleId, columnSlug, tag, author.Id, pushId, commentId);
        }
        finally
        {
            SeedLock.Release();
        }
    }

    private static string[] AnonymousPages(Site s) =>
    [
        "/", $"/article/{s.ArticleSlug}", $"/column/{s.ColumnSlug}", $"/tag/{s.TagSlug}", $"/authors/{s.AuthorId}",
        "/search?q=cranes", "/search?q=nothing-matches-this", "/account/login", "/account/register", "/account/forgot-password",
        "/account/resend-confirmation", "/does-not-exist",
    ];

    private static string[] ReaderPages(Site s) =>
    [
        "/", $"/article/{s.ArticleSlug}", "/for-you", "/inbox", "/preferences",
        "/me/follows", "/me/bookmarks", "/me/history", "/me/onboarding", "/account/change-password", $"/comments/{s.CommentId}/report",
    ];

    private static string[] EditorPages(Site s) =>
    [
        "/editor/articles", "/editor/articles/new", $"/editor/articles/{s.ArticleId}", "/editor/pushes", $"/editor/pushes?article=Harbour",
        $"/editor/pushes/{s.PushId}", "/editor/columns", "/editor/moderation", "/newsroom/robots", "/newsroom/robots/new",
        "/editor/analytics", $"/editor/analytics/pushes/{s.PushId}",
    ];

    private static string[] AdminPages(Site s) =>
    [
        "/admin", "/admin/users", "/admin/deliveries", "/admin/broadcasts", "/admin/audit", "/admin/jobs", "/admin/models", "/admin/analytics", "/admin/analytics/recommender",
        "/editor/articles", $"/editor/pushes/{s.PushId}",
    ];

    [Theory]
    [InlineData("anonymous")]
    [InlineData(Roles.Reader)]
    [InlineData(Roles.Editor)]
    [InlineData(Roles.Admin)]
    public async Task EveryPageFitsItsWindowAndPassesAxeAt1280And390(string role)
    {
        var s = await SiteAsync();
        string[] pages;
        PageHandle tab;
        if (role == "anonymous")
        {
            pages = AnonymousPages(s);
            tab = await host.NewPageAsync(bypassCsp: true);
        }
        else
        {
            var email = Unique("sitewide-" + role.ToLowerInvariant()) + "@test.local";
            await host.Factory.CreateUserAsync(email, role);
            pages = role switch { Roles.Editor => EditorPages(s), Roles.Admin => AdminPages(s), _ => ReaderPages(s) };
            tab = await host.LoggedInPageAsync(email, bypassCsp: true);
        }
        var failures = new List<string>();
        await using (tab)
        {
            foreach (var path in pages)
            {
                foreach (var width in Widths)
                {
                    await tab.Page.SetViewportSizeAsync(width, 900);
                    var response = await tab.Page.GotoAsync(path);
                    var status = response?.Status ?? 0;
                    if (status >= 500 || (status >= 400 && path != "/does-not-exist"))
                    {
                        failures.Add($"{path} answers {status}");
                        break;
                    }
                    var overflow = await tab.Page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
                    if (overflow > 0)
                    {
                        var widest = await tab.Page.EvaluateAsync<string>("""
                            () => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                                .slice(-3).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : '')).join(', ')
                            """);
                        failures.Add($"{path} at {width} px scrolls sideways by {overflow} px ({widest})");
                    }
                    var violations = await Axe.RunAsync(tab.Page);
                    foreach (var v in violations.Where(v => v.Impact is "serious" or "critical"))
                    {
                        failures.Add($"{path} at {width} px: {v}");
                    }
                    await Screenshots.SaveAsync(tab.Page, $"site-{role.ToLowerInvariant()}{Name(path)}-{width}");
                }
            }
        }
        Assert.True(failures.Count == 0, $"{role}: {failures.Count} problem(s)\n" + string.Join("\n", failures));
    }

    private static string Name(string path)
    {
        var name = new string(path.Select(c => char.IsLetterOrDigit(c) ? c : '-').ToArray()).Trim('-');
        return name.Length == 0 ? "-home" : "-" + (name.Length > 40 ? name[..40] : name);
    }
}
