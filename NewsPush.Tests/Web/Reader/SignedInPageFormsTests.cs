using System.Net;
using System.Text.RegularExpressions;
using NewsPush.Tests.Infrastructure;
using static NewsPush.Tests.Web.Reader.ReaderTestData;

namespace NewsPush.Tests.Web.Reader;

/// <summary>
/// The signed-in reader's busiest pages write their forms and asset links without tag helpers (ADR-025): every form
/// that posts still carries the antiforgery token, and every script and style sheet still has its content hash.
/// </summary>
public sealed partial class SignedInPageFormsTests(SqliteFactory factory) : IClassFixture<SqliteFactory>
{
    [GeneratedRegex("""<form\b[^>]*>.*?</form>""", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex Forms();

    [GeneratedRegex("""<(?:script|link)\b[^>]*(?:src|href)="(/(?:js|css|lib)/[^"]+)"[^>]*>""")]
    private static partial Regex Assets();

    [Fact]
    public async Task EveryFormThatPostsOnTheSignedInPagesCarriesTheTokenAndEveryAssetItsVersion()
    {
        var reader = await factory.CreateUserAsync(Unique("forms") + "@test.local");
        var (_, slug) = await PublishAsync(factory, Unique("Forms story"), "Body");
        using var client = await factory.CreateLoggedInClientAsync(reader.Email!);
        // Their own comment: its reply and delete forms are drawn too.
        await client.PostFormAsync($"/article/{slug}", new Dictionary<string, string> { ["NewComment.Body"] = "A first thought" }, $"/article/{slug}/comments");

        foreach (var url in new[] { $"/article/{slug}", "/for-you", "/", "/search?q=story" })
        {
            var response = await client.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var html = await response.Content.ReadAsStringAsync();
            var forms = Forms().Matches(html).Select(m => m.Value).ToList();
            var posting = forms.Where(f => f[..f.IndexOf('>')].Contains("method=\"post\"", StringComparison.OrdinalIgnoreCase)).ToList();
            Assert.NotEmpty(posting); // at least "Log out"
            Assert.All(posting, f => Assert.Contains("name=\"__RequestVerificationToken\"", f, StringComparison.Ordinal));
            Assert.DoesNotContain("asp-", html, StringComparison.Ordinal);
            Assert.DoesNotContain("<!form", html, StringComparison.Ordinal);
            var assets = Assets().Matches(html).Select(m => m.Groups[1].Value).ToList();
            Assert.Contains("/js/site.js", assets.Select(a => a.Split('?')[0]));
            Assert.All(assets, a => Assert.Matches(@"\?v=[A-Za-z0-9_-]{20,}$", a));
            if (url.StartsWith("/article/", StringComparison.Ordinal))
            {
                // rate, bookmark, follow, comment, the comment's reply and delete, log out
                Assert.True(posting.Count >= 7, $"{posting.Count} forms that post on the article page");
            }
        }
    }
}
