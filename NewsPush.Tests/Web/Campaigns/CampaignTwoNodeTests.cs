using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NewsPush.Data.Entities;
using NewsPush.Tests.Web.Push;
using NewsPush.Web.Campaigns;
using NewsPush.Web.Inbox;

namespace NewsPush.Tests.Web.Campaigns;

/// <summary>
/// A breaking-news push on two live nodes sharing one PostgreSQL database: one node stops mid-send, both then run the
/// campaign job at the same moment, and every reader still gets the push once per channel.
/// </summary>
public sealed class CampaignTwoNodeTests
{
    [Fact]
    public async Task ANodeDyingMidSendAndBothNodesRunningTheJobStillReachEveryReaderOnce()
    {
        using var site = new TwoNodeSite(backplane: false);
        // A zone of their own, so the push's audience is exactly these readers; the fan-out writes 2,000 a batch.
        const string zone = "Pacific/Chatham";
        const int count = 2100;
        var readers = await TwoNodeTests.CreateReadersAsync(site.A, "tn-push", count, p => { p.EmailEnabled = true; p.TimeZoneId = zone; });
        var id = await site.A.WithDbAsync(async db =>
        {
            var article = await db.Articles.AsNoTracking().Where(a => a.Status == ArticleStatus.Published).OrderBy(a => a.Id).FirstAsync();
            var now = site.Clock.Now.UtcDateTime;
            var campaign = db.PushCampaigns.Add(new PushCampaign
            {
                ArticleId = article.Id, Title = "Two nodes, one push", Message = "Once each.", Segment = PushSegment.Everyone, TimeZoneFilter = zone,
                IsCritical = true, Status = CampaignStatus.Sending, ApprovedAt = now, CreatedAt = now, UpdatedAt = now,
            }).Entity;
            await db.SaveChangesAsync();
            return campaign.Id;
        });

        // Node A queues its first batch, then dies (what it committed stays; the rest was never begun).
        await using (var scope = site.A.Services.CreateAsyncScope())
        {
            Assert.Equal(2000, await scope.ServiceProvider.GetRequiredService<CampaignSender>().FanoutAsync(id, CancellationToken.None, maxBatches: 1));
        }
        // The job then runs on both nodes at once (a restarted A and B): they race for the rest.
        async Task<int> RunOn(ClusterNode node)
        {
            await using var scope = node.Services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<CampaignRunner>().RunAsync(CancellationToken.None);
        }
        var ran = await Task.WhenAll(Task.Run(() => RunOn(site.A)), Task.Run(() => RunOn(site.B)));

        var deliveries = await site.B.WithDbAsync(db => db.Deliveries.AsNoTracking()
            .Where(d => d.ContentKind == DeliveryContentKind.Breaking && d.ContentId == id).Select(d => new { d.UserId, d.Channel }).ToListAsync());
        Assert.Equal(count, deliveries.Count);
        Assert.Equal(readers.Order(StringComparer.Ordinal), deliveries.Select(d => d.UserId).Order(StringComparer.Ordinal));
        Assert.All(deliveries, d => Assert.Equal(DeliveryChannel.Email, d.Channel));
        Assert.Equal(count - 2000, ran.Sum());
        Assert.Equal(CampaignStatus.Sent, (await site.B.WithDbAsync(db => db.PushCampaigns.AsNoTracking().SingleAsync(c => c.Id == id))).Status);

        // The inbox part is one row, and each reader sees it once, whichever node serves them.
        Assert.Equal(1, await site.A.WithDbAsync(db => db.Broadcasts.CountAsync(b => b.CampaignId == id)));
        foreach (var (node, reader) in new[] { (site.A, readers[0]), (site.B, readers[^1]) })
        {
            await using var scope = node.Services.CreateAsyncScope();
            var page = await scope.ServiceProvider.GetRequiredService<InboxService>().ListAsync(reader, 1, 20, archived: false, CancellationToken.None);
            Assert.Equal(("Two nodes, one push", 1), (Assert.Single(page.Items).Title, page.Unread));
        }
    }
}
