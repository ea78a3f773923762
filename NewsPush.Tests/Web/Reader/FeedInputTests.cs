using System.Net;
using System.Xml.Linq;
using Microsoft.EntityFrameworkCore;
using NewsPush.Data.Entities;
using NewsPush.Tests.Infrastructure;
using NewsPush.Web.Reader;
using static NewsPush.Tests.Web.Reader.ReaderTestData;

namespace NewsPush.Tests.Web.Reader;

/// <summary>Characters XML cannot carry, in a column's name, an article's title or a reader's name, are left out of the feeds.</summary>
public abstract class FeedInputTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : AbuseFactory
{
    [Fact]
    public async Task FeedsStayWellFormedWhenNamesHoldCharactersXmlCannotCarry()
    {
        var slug = Unique("xml");
        var user = await factory.CreateUserAsync(Unique("xmlr") + "@test.local");
        var token = FeedService.NewToken();
        await factory.WithDbAsync(async db =>
        {
            var column = new Column { Name = "Bell\u0007 column", Slug = slug, Description = "Escape\u001B[31m red", SortOrder = 900, CreatedAt = factory.Clock.Now.UtcDateTime };
            db.Columns.Add(column);
            await db.SaveChangesAsync();
            db.Follows.Add(new Follow { UserId = user.Id, Kind = FollowKind.Column, TargetId = column.Id, CreatedAt = factory.Clock.Now.UtcDateTime });
            await db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.FeedToken, token).SetProperty(u => u.DisplayName, "Name\u0001 \uFFFE"));
            await db.SaveChangesAsync();
        });
        await ReaderTestData.PublishAsync(factory, "Pasted\u000B title\u0008 😀 中文", "Body", slug, summary: "Form\u000C feed", publishedAt: factory.Clock.Now.UtcDateTime.AddHours(-1));
        using var anonymous = factory.CreateClient();

        foreach (var url in new[] { $"/feeds/column/{slug}.rss", $"/feeds/column/{slug}.atom", $"/feeds/me/{token}.atom" })
        {
            var response = await anonymous.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var xml = XDocument.Parse(await response.Content.ReadAsStringAsync()); // strict: throws on a character XML 1.0 forbids
            var text = string.Concat(xml.Descendants().Where(e => !e.HasElements).Select(e => e.Value + "|"))
                + string.Concat(xml.Descendants().Attributes().Select(a => a.Value + "|"));
            Assert.Contains("Pasted title 😀 中文", text, StringComparison.Ordinal);
            Assert.Contains("Form feed", text, StringComparison.Ordinal);
            Assert.Contains("Bell column", text, StringComparison.Ordinal);
            if (url.Contains("/me/", StringComparison.Ordinal))
            {
                Assert.Contains("NewsPush for Name ", text, StringComparison.Ordinal);
            }
            else
            {
                Assert.Contains("Escape[31m red", text, StringComparison.Ordinal);
            }
        }
    }
}

public sealed class SqliteFeedInputTests(AbuseSqliteFactory factory) : FeedInputTests<AbuseSqliteFactory>(factory);

public sealed class PostgreSqlFeedInputTests(AbusePostgreSqlFactory factory) : FeedInputTests<AbusePostgreSqlFactory>(factory);

public sealed class XmlSafeTests
{
    public static TheoryData<string?, string> Cases() => new()
    {
        { "plain", "plain" },
        { "tab\tnew\nline\r", "tab\tnew\nline\r" },
        { "nul\0 bell\u0007 esc\u001B", "nul bell esc" },
        { "pair 😀 kept", "pair 😀 kept" },
        { "\uFFFE\uFFFF", "" },
        { null, "" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void CharactersXmlCannotCarryAreLeftOut(string? value, string expected) => Assert.Equal(expected, FeedService.XmlSafe(value));

    // A fact, not theory data: xunit serializes theory data as UTF-8, where a lone surrogate becomes U+FFFD.
    [Fact]
    public void LoneSurrogatesAreLeftOutAndPairsKept() =>
        Assert.Equal("lone  high, lone  low, pair \uD83D\uDE00", FeedService.XmlSafe("lone \uD800 high, lone \uDC00 low, pair \uD83D\uDE00"));
}
