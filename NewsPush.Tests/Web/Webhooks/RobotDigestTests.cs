using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NewsPush.Data.Entities;
using NewsPush.Web.Webhooks;

namespace NewsPush.Tests.Web.Webhooks;

/// <summary>A robot's daily column digest at its own local time, once a day, nothing on a day without stories.</summary>
public sealed class RobotDigestTests(RobotFactory factory, ChatRobotPeer peer) : IClassFixture<RobotFactory>, IClassFixture<ChatRobotPeer>
{
    private async Task<int> QueueDueAsync()
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<RobotDigests>().QueueDueAsync(CancellationToken.None);
    }

    [Fact]
    public async Task TheWeComGroupGetsTheTechnologyDigestAtNineShanghaiTimeOnceADay()
    {
        var column = await factory.WithDbAsync(db => db.Columns.AsNoTracking().OrderBy(c => c.Id).Skip(2).FirstAsync());
        var wecom = await peer.AddRobotAsync("wecom", "digest" + Guid.NewGuid().ToString("N")[..8]);
        var id = await factory.AddRobotAsync(wecom, WebhookKind.WeCom);
        await factory.WithDbAsync(db => db.WebhookEndpoints.Where(w => w.Id == id).ExecuteUpdateAsync(s => s
            .SetProperty(w => w.DigestColumnId, column.Id).SetProperty(w => w.DigestLocalTime, new TimeOnly(9, 0)).SetProperty(w => w.DigestTimeZoneId, "Asia/Shanghai")));

        // 08:55 in Shanghai on 25 November: two fresh stories in the column, one in another, one two days old.
        factory.SetLocalTime("Asia/Shanghai", new DateTime(2026, 11, 25, 8, 55, 0));
        var now = factory.Clock.Now.UtcDateTime;
        var other = await factory.WithDbAsync(db => db.Columns.Where(c => c.Id != column.Id).Select(c => c.Id).FirstAsync());
        await factory.WithDbAsync(async db =>
        {
            db.Articles.AddRange(
                Story(column.Id, "Chip plant opens in Suzhou", now.AddHours(-2)),
                Story(column.Id, "Quantum lab sets a record", now.AddHours(-20)),
                Story(other, "Not this column", now.AddHours(-1)),
                Story(column.Id, "Too old for today", now.AddDays(-2)));
            await db.SaveChangesAsync();
        });
        Assert.Equal(0, await QueueDueAsync());

        factory.Clock.Advance(TimeSpan.FromMinutes(6));
        await peer.SetClockAsync(factory.Clock.Now);
        Assert.Equal(1, await QueueDueAsync());
        Assert.Equal(0, await QueueDueAsync());
        await factory.DispatchAsync();

        var digest = Assert.Single(await peer.MessagesAsync(wecom.Id));
        Assert.Equal("markdown", digest.MsgType);
        Assert.Contains($"{column.Name}: the day's stories, 25 Nov 2026", digest.Text, StringComparison.Ordinal);
        Assert.Contains("Chip plant opens in Suzhou", digest.Text, StringComparison.Ordinal);
        Assert.Contains("Quantum lab sets a record", digest.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Not this column", digest.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Too old for today", digest.Text, StringComparison.Ordinal);
        Assert.True(digest.Text.IndexOf("Chip plant", StringComparison.Ordinal) < digest.Text.IndexOf("Quantum lab", StringComparison.Ordinal), "newest first");

        // The next morning nothing new was published: no message, the delivery says why.
        factory.Clock.Advance(TimeSpan.FromDays(1));
        await peer.SetClockAsync(factory.Clock.Now);
        Assert.Equal(1, await QueueDueAsync());
        await factory.DispatchAsync();
        Assert.Single(await peer.MessagesAsync(wecom.Id));
        var quiet = (await factory.RobotDeliveriesAsync(id)).Single(d => d.ContentKind == DeliveryContentKind.ColumnDigest && d.Status != DeliveryStatus.Sent);
        Assert.Equal(DeliveryStatus.Suppressed, quiet.Status);
        Assert.Contains("No new stories", quiet.LastError, StringComparison.Ordinal);
    }

    private static Article Story(int columnId, string title, DateTime publishedAt) => new()
    {
        ColumnId = columnId, Title = title, Slug = "digest-" + Guid.NewGuid().ToString("N")[..12], Summary = title + ".", BodyMarkdown = title,
        Status = ArticleStatus.Published, PublishedAt = publishedAt, CreatedAt = publishedAt, UpdatedAt = publishedAt,
    };
}
