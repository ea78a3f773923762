using System.Net;
using Microsoft.EntityFrameworkCore;
using NewsPush.Data.Entities;
using NewsPush.Tests.Infrastructure;

namespace NewsPush.Tests.Web.Webhooks;

/// <summary>"Send to chat robots" on a published story: the robots of its column get it once, through the engine, as the peer checks.</summary>
public sealed class RobotBreakingTests(RobotCampaignFactory factory, ChatRobotPeer peer) : IClassFixture<RobotCampaignFactory>, IClassFixture<ChatRobotPeer>
{
    private static string NewId(string prefix) => prefix + Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task AnEditorSendsAStoryToTheRobotsOfItsColumnOnceAndOnlyThose()
    {
        await peer.SetClockAsync(factory.Clock.Now);
        var article = await factory.WithDbAsync(db => db.Articles.AsNoTracking().Include(a => a.Column)
            .Where(a => a.Status == ArticleStatus.Published).OrderBy(a => a.Id).FirstAsync());
        var otherColumn = await factory.WithDbAsync(db => db.Columns.Where(c => c.Id != article.ColumnId).Select(c => c.Id).FirstAsync());
        var editors = await peer.AddRobotAsync("dingtalk", NewId("ed"), secret: "SEC" + Guid.NewGuid().ToString("N"));
        var everything = await peer.AddRobotAsync("slack", NewId("all"));
        var elsewhere = await peer.AddRobotAsync("wecom", NewId("else"));
        var editorsId = await factory.AddRobotAsync(editors, WebhookKind.DingTalk);
        await factory.AddRobotAsync(everything, WebhookKind.Slack);
        var elsewhereId = await factory.AddRobotAsync(elsewhere, WebhookKind.WeCom);
        await factory.WithDbAsync(async db =>
        {
            await db.WebhookEndpoints.Where(w => w.Id == editorsId).ExecuteUpdateAsync(s => s.SetProperty(w => w.BreakingColumns, article.ColumnId.ToString()));
            await db.WebhookEndpoints.Where(w => w.Id == elsewhereId).ExecuteUpdateAsync(s => s.SetProperty(w => w.BreakingColumns, otherColumn.ToString()));
        });

        using var editor = await factory.CreateLoggedInClientAsync(NewsPushFactory.EditorEmail);
        var page = await editor.GetStringAsync($"/editor/articles/{article.Id}");
        Assert.Contains($"action=\"/newsroom/robots/breaking/{article.Id}\"", page, StringComparison.Ordinal);
        var sent = await editor.PostFormAsync($"/editor/articles/{article.Id}", postUrl: $"/newsroom/robots/breaking/{article.Id}");
        Assert.Equal(HttpStatusCode.Redirect, sent.StatusCode);
        var flash = WebUtility.HtmlDecode(await editor.GetStringAsync(sent.Headers.Location!.OriginalString));
        Assert.Contains("Sent to 2 chat robots", flash, StringComparison.Ordinal);

        await factory.DispatchAsync();

        var card = Assert.Single(await peer.MessagesAsync(editors.Id));
        Assert.Equal("actionCard", card.MsgType);
        Assert.Contains(article.Title, card.Text, StringComparison.Ordinal);
        Assert.EndsWith($"u=%2Farticle%2F{article.Slug}", card.Body.GetProperty("actionCard").GetProperty("singleURL").GetString(), StringComparison.Ordinal);
        Assert.Contains(article.Title, Assert.Single(await peer.MessagesAsync(everything.Id)).Text, StringComparison.Ordinal);
        Assert.Empty(await peer.RequestsAsync(elsewhere.Id));

        // Pressed again within the hour: refused in words, nothing more queued or sent.
        var again = await editor.PostFormAsync($"/editor/articles/{article.Id}", postUrl: $"/newsroom/robots/breaking/{article.Id}");
        Assert.Contains("not sent twice within an hour", WebUtility.HtmlDecode(await editor.GetStringAsync(again.Headers.Location!.OriginalString)), StringComparison.Ordinal);
        await factory.DispatchAsync();
        Assert.Single(await peer.MessagesAsync(editors.Id));
        var campaign = await factory.WithDbAsync(db => db.PushCampaigns.AsNoTracking().SingleAsync(c => c.ArticleId == article.Id));
        Assert.Equal(CampaignStatus.Sent, campaign.Status);
        Assert.Equal(2, await factory.WithDbAsync(db => db.Deliveries.CountAsync(d => d.ContentKind == DeliveryContentKind.Breaking && d.ContentId == campaign.Id)));
    }

    [Fact]
    public async Task AStoryThatIsNotPublishedIsRefusedAndReadersCannotSendAnything()
    {
        var draft = await factory.WithDbAsync(db => db.Articles.AsNoTracking().Where(a => a.Status != ArticleStatus.Published).Select(a => a.Id).FirstOrDefaultAsync());
        using var editor = await factory.CreateLoggedInClientAsync(NewsPushFactory.EditorEmail);
        if (draft == 0)
        {
            var published = await factory.WithDbAsync(db => db.Articles.Where(a => a.Status == ArticleStatus.Published).OrderByDescending(a => a.Id).FirstAsync());
            await factory.WithDbAsync(db => db.Articles.Where(a => a.Id == published.Id).ExecuteUpdateAsync(s => s.SetProperty(a => a.Status, ArticleStatus.Draft)));
            draft = published.Id;
        }
        var refused = await editor.PostFormAsync($"/editor/articles/{draft}", postUrl: $"/newsroom/robots/breaking/{draft}");
        Assert.Contains("Only a published story can go out as breaking news.", WebUtility.HtmlDecode(await editor.GetStringAsync(refused.Headers.Location!.OriginalString)), StringComparison.Ordinal);

        var reader = await factory.CreateReaderAsync("nobreak");
        using var client = await factory.CreateLoggedInClientAsync(reader.Email!);
        var denied = await client.PostFormAsync("/preferences", postUrl: $"/newsroom/robots/breaking/{draft}");
        Assert.Contains("/account/access-denied", denied.Headers.Location!.OriginalString, StringComparison.OrdinalIgnoreCase);
    }
}
