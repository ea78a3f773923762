using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NewsPush.Data.Entities;
using NewsPush.Tests.Infrastructure;
using NewsPush.Web.Recommendations;
using static NewsPush.Tests.Web.Reader.ReaderTestData;

namespace NewsPush.Tests.Web.Reader;

/// <summary>
/// <c>POST /beacon</c> cannot be used to flood: anonymous bodies are never read, cookie calls need the antiforgery
/// header, bodies and event counts are capped, a reader's interactions are capped per day, and training reads a
/// bounded number of each reader's interactions.
/// </summary>
public abstract class BeaconTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : AbuseFactory
{
    private async Task<(ApplicationUser User, LoggedInClient Client, int ArticleId)> ReaderWithArticleAsync(string prefix)
    {
        var user = await factory.CreateUserAsync(Unique(prefix) + "@test.local");
        var (id, _) = await factory.PublishAsync("Beacon target " + prefix);
        var client = await factory.CreateLoggedInClientAsync(user.Email!);
        // A page that records nothing itself (opening an article would record a click).
        await client.WithAntiforgeryHeaderAsync("/preferences");
        return (user, client, id);
    }

    private Task<int> StoredAsync(string userId) => factory.WithDbAsync(db => db.Interactions.CountAsync(i => i.UserId == userId && i.Type == InteractionType.Impression));

    [Fact]
    public async Task RefusesACookieBeaconWithoutTheAntiforgeryHeader()
    {
        var (user, client, id) = await ReaderWithArticleAsync("bcsrf");
        using var withoutHeader = await factory.CreateLoggedInClientAsync(user.Email!);

        var refused = await withoutHeader.PostAsJsonAsync("/beacon", new { type = "impression", source = "home", articleIds = new[] { id } });
        var accepted = await client.PostAsJsonAsync("/beacon", new { type = "impression", source = "column", articleIds = new[] { id } });
        await factory.FlushInteractionsAsync();

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("antiforgery token", await refused.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NoContent, accepted.StatusCode);
        Assert.Equal(["column"], await factory.WithDbAsync(db => db.Interactions.Where(i => i.UserId == user.Id).Select(i => i.Source).ToListAsync()));
        client.Dispose();
    }

    [Fact]
    public async Task IgnoresAnAnonymousBeaconWithoutReadingItsBody()
    {
        using var anonymous = factory.CreateClient();
        // Not JSON at all: had the body been parsed before the sign-in check, this would be a 400.
        var junk = await anonymous.PostAsync("/beacon", new StringContent("[" + new string('1', 200_000), Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.NoContent, junk.StatusCode);
    }

    [Fact]
    public async Task RefusesABeaconLargerThan16KiBWithOrWithoutALength()
    {
        var (user, client, id) = await ReaderWithArticleAsync("bsize");
        var big = "{\"type\":\"impression\",\"source\":\"home\",\"articleIds\":[" + id + "],\"pad\":\"" + new string('x', 20_000) + "\"}";

        var withLength = await client.PostAsync("/beacon", new StringContent(big, Encoding.UTF8, "application/json"));
        var chunked = new StreamContent(new NoLengthStream(Encoding.UTF8.GetBytes(big)));
        chunked.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        var withoutLength = await client.PostAsync("/beacon", chunked);
        await factory.FlushInteractionsAsync();

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, withLength.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, withoutLength.StatusCode);
        Assert.Contains("at most 16,384 bytes", await withoutLength.Content.ReadAsStringAsync());
        Assert.Equal(0, await StoredAsync(user.Id));
        client.Dispose();
    }

    [Fact]
    public async Task RefusesABeaconWithMoreThanFiftyEvents()
    {
        var (user, client, id) = await ReaderWithArticleAsync("bcount");

        var tooMany = await client.PostAsJsonAsync("/beacon", new { type = "impression", source = "home", articleIds = Enumerable.Range(id, 51).ToArray() });
        var fifty = await client.PostAsJsonAsync("/beacon", new { type = "impression", source = "home", articleIds = Enumerable.Range(id, 50).ToArray() });
        await factory.FlushInteractionsAsync();

        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.Contains("at most 50 article ids", await tooMany.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NoContent, fifty.StatusCode);
        Assert.Equal(30, await StoredAsync(user.Id)); // the day's cap (30 here) cut the 50 down
        client.Dispose();
    }

    [Fact]
    public async Task StoresAtMostTheDailyCapOfAReadersInteractionsAndMoreTheNextDay()
    {
        var (user, client, id) = await ReaderWithArticleAsync("bcap");
        var (other, otherClient, _) = await ReaderWithArticleAsync("bcap2");

        async Task SendAsync(LoggedInClient c, int from)
        {
            var r = await c.PostAsJsonAsync("/beacon", new { type = "impression", source = "home", articleIds = Enumerable.Range(from, 20).ToArray() });
            Assert.Equal(HttpStatusCode.NoContent, r.StatusCode);
            await factory.FlushInteractionsAsync();
        }

        await SendAsync(client, id);
        await SendAsync(client, id + 100);
        await SendAsync(client, id + 200);
        var firstDay = await StoredAsync(user.Id);
        await SendAsync(otherClient, id);
        factory.Clock.Advance(TimeSpan.FromDays(1));
        await SendAsync(client, id + 300);

        Assert.Equal(30, firstDay);
        Assert.Equal(20, await StoredAsync(other.Id));
        Assert.Equal(50, await StoredAsync(user.Id));
        client.Dispose();
        otherClient.Dispose();
    }

    [Fact]
    public async Task TrainingLoadsAtMostTheNewestInteractionsOfEachReader()
    {
        var flooder = await factory.CreateUserAsync(Unique("flood") + "@test.local");
        var reader = await factory.CreateUserAsync(Unique("calm") + "@test.local");
        var (articleId, _) = await factory.PublishAsync("Training target");
        var now = factory.Clock.Now.UtcDateTime;
        await factory.WithDbAsync(async db =>
        {
            // Written straight to the table, as a flood from before the daily cap (or from many nodes at once) would be.
            db.Interactions.AddRange(Enumerable.Range(0, 60).Select(i => new Interaction
            {
                UserId = flooder.Id, ArticleId = articleId, Type = InteractionType.Impression, Source = "home", OccurredAt = now.AddMinutes(-i),
            }));
            db.Interactions.AddRange(Enumerable.Range(0, 4).Select(i => new Interaction
            {
                UserId = reader.Id, ArticleId = articleId, Type = InteractionType.Impression, Source = "home", OccurredAt = now.AddMinutes(-i),
            }));
            await db.SaveChangesAsync();
        });

        await using var scope = factory.Services.CreateAsyncScope();
        var dataset = await scope.ServiceProvider.GetRequiredService<RecommenderDataLoader>().LoadDatasetAsync(default);

        var flooderItems = dataset.Impressions.Where(i => i.ReaderId == flooder.Id).SelectMany(i => i.Items).Count();
        Assert.Equal(10, flooderItems);
        Assert.Equal(now.AddMinutes(-9), dataset.Impressions.Where(i => i.ReaderId == flooder.Id).Min(i => i.Time));
        Assert.Equal(4, dataset.Impressions.Where(i => i.ReaderId == reader.Id).SelectMany(i => i.Items).Count());
    }

    /// <summary>A body the client must send chunked (no Content-Length).</summary>
    private sealed class NoLengthStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}

public sealed class SqliteBeaconTests(AbuseSqliteFactory factory) : BeaconTests<AbuseSqliteFactory>(factory);

public sealed class PostgreSqlBeaconTests(AbusePostgreSqlFactory factory) : BeaconTests<AbusePostgreSqlFactory>(factory);

/// <summary>The beacon's windows: per reader, and per address for all its readers together.</summary>
public sealed class BeaconRateLimitTests(BeaconLimitFactory factory) : IClassFixture<BeaconLimitFactory>
{
    [Fact]
    public async Task AnswersTooManyRequestsPerReaderAndPerAddress()
    {
        var (id, slug) = await factory.PublishAsync("Limited");
        async Task<LoggedInClient> ReaderAsync()
        {
            var user = await factory.CreateUserAsync(Unique("blim") + "@test.local");
            return await (await factory.CreateLoggedInClientAsync(user.Email!)).WithAntiforgeryHeaderAsync($"/article/{slug}");
        }
        using var first = await ReaderAsync();
        using var second = await ReaderAsync();
        async Task<HttpStatusCode> SendAsync(HttpClient c) =>
            (await c.PostAsJsonAsync("/beacon", new { type = "dwell", articleId = id, seconds = 3 })).StatusCode;

        // All test clients share one (unknown) address: five beacons an hour for all, three per reader.
        var firstReader = new[] { await SendAsync(first), await SendAsync(first), await SendAsync(first), await SendAsync(first) };
        var secondReader = new[] { await SendAsync(second), await SendAsync(second) };
        var refused = await first.PostAsJsonAsync("/beacon", new { type = "dwell", articleId = id, seconds = 3 });

        Assert.Equal([HttpStatusCode.NoContent, HttpStatusCode.NoContent, HttpStatusCode.NoContent, HttpStatusCode.TooManyRequests], firstReader);
        Assert.Equal([HttpStatusCode.NoContent, HttpStatusCode.TooManyRequests], secondReader);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(int.Parse(refused.Headers.GetValues("Retry-After").Single()) > 3000);
    }
}
