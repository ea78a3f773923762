using System.Net;
using Microsoft.EntityFrameworkCore;
using NewsPush.Data.Entities;
using NewsPush.Tests.Infrastructure;
using static NewsPush.Tests.Web.Reader.ReaderTestData;

namespace NewsPush.Tests.Web.Recommendations;

/// <summary>
/// "Not interested" on a For-you item: the story leaves that reader's feed at once (and no one else's), is kept as an
/// interaction the model trains on, and can be undone from the message.
/// </summary>
public abstract class NotInterestedTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : ForYouFactory
{
    [Fact]
    public async Task AStorySetAsideLeavesOnlyThatReadersFeedUntilUndone()
    {
        var boring = await PublishAsync(factory, Unique("Parking rules story"), "Body");
        var kept = await PublishAsync(factory, Unique("Harbour story"), "Body");
        var boringTitle = await factory.WithDbAsync(async db => (await db.Articles.FindAsync(boring.Id))!.Title);
        var keptTitle = await factory.WithDbAsync(async db => (await db.Articles.FindAsync(kept.Id))!.Title);
        factory.Recommender.Listed = [boring.Id, kept.Id];
        var reader = await factory.CreateUserAsync(Unique("ni") + "@test.local");
        var other = await factory.CreateUserAsync(Unique("ni-other") + "@test.local");
        using var client = await factory.CreateLoggedInClientAsync(reader.Email!);
        using var otherClient = await factory.CreateLoggedInClientAsync(other.Email!);
        Assert.Contains(boringTitle, WebUtility.HtmlDecode(await client.GetStringAsync("/for-you")));

        var dismissed = await client.PostFormAsync("/for-you", new Dictionary<string, string> { ["articleId"] = boring.Id.ToString() }, "/for-you/not-interested");
        Assert.Equal(HttpStatusCode.Redirect, dismissed.StatusCode);
        var feed = WebUtility.HtmlDecode(await client.GetStringAsync("/for-you"));
        Assert.Contains($"“{boringTitle}” is out of your feed", feed);
        Assert.DoesNotContain($"/article/{boring.Slug}", feed);
        Assert.Contains(keptTitle, feed);
        Assert.Contains(boringTitle, WebUtility.HtmlDecode(await otherClient.GetStringAsync("/for-you")));
        Assert.Equal(1, await factory.WithDbAsync(db => db.Interactions.CountAsync(i => i.UserId == reader.Id && i.ArticleId == boring.Id && i.Type == InteractionType.NotInterested)));

        // Twice is still once; the message does not come back on the next visit.
        await client.PostFormAsync("/for-you", new Dictionary<string, string> { ["articleId"] = boring.Id.ToString() }, "/for-you/not-interested");
        Assert.Equal(1, await factory.WithDbAsync(db => db.Interactions.CountAsync(i => i.UserId == reader.Id && i.ArticleId == boring.Id && i.Type == InteractionType.NotInterested)));
        await client.GetStringAsync("/for-you");
        Assert.DoesNotContain("is out of your feed", await client.GetStringAsync("/for-you"));

        var undone = await client.PostFormAsync("/for-you", new Dictionary<string, string> { ["articleId"] = boring.Id.ToString() }, "/for-you/not-interested/undo");
        Assert.Equal(HttpStatusCode.Redirect, undone.StatusCode);
        Assert.Contains($"/article/{boring.Slug}", await client.GetStringAsync("/for-you"));
        Assert.Equal(0, await factory.WithDbAsync(db => db.Interactions.CountAsync(i => i.UserId == reader.Id && i.Type == InteractionType.NotInterested)));
    }

    [Fact]
    public async Task OnlyASignedInReaderWithTheFormsTokenCanSetAStoryAside()
    {
        var story = await PublishAsync(factory, Unique("Token story"), "Body");
        factory.Recommender.Listed = [story.Id];
        using var anonymous = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var page = await anonymous.GetStringAsync("/for-you");
        Assert.DoesNotContain("Not interested", page);
        var reader = await factory.CreateUserAsync(Unique("ni-token") + "@test.local");
        using var client = await factory.CreateLoggedInClientAsync(reader.Email!);
        var forged = await client.PostAsync("/for-you/not-interested", new FormUrlEncodedContent(new Dictionary<string, string> { ["articleId"] = story.Id.ToString() }));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(0, await factory.WithDbAsync(db => db.Interactions.CountAsync(i => i.UserId == reader.Id && i.Type == InteractionType.NotInterested)));
    }
}

public sealed class SqliteNotInterestedTests(SqliteForYouFactory factory) : NotInterestedTests<SqliteForYouFactory>(factory);

public sealed class PostgreSqlNotInterestedTests(PostgreSqlForYouFactory factory) : NotInterestedTests<PostgreSqlForYouFactory>(factory);
