using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NewsPush.Data.Entities;
using NewsPush.Tests.Infrastructure;
using NewsPush.Tests.Web.WebPush;
using NewsPush.Web.Push;
using NewsPush.Web.Webhooks;

namespace NewsPush.Tests.Web.Webhooks;

/// <summary>
/// The push test site (fake clock, dispatcher run by the test, a breaking-story source the test fills) allowed to
/// reach robots on loopback (<c>Webhooks:AllowPrivateNetworks</c>), which is where the <see cref="ChatRobotPeer"/> is.
/// </summary>
public class RobotFactory : WebPushFactory
{
    public RobotFactory() : this(TestDatabase.Sqlite)
    {
    }

    protected RobotFactory(TestDatabase database) : base(database)
    {
        Settings["Webhooks:AllowPrivateNetworks"] = "true";
        Settings["Webhooks:DigestSchedulingEnabled"] = "false";
    }

    /// <summary>The seeded editor, as the robot pages see them.</summary>
    public async Task<ClaimsPrincipal> EditorAsync()
    {
        var id = await WithDbAsync(db => db.Users.Where(u => u.Email == EditorEmail).Select(u => u.Id).SingleAsync());
        return new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, id), new Claim(ClaimTypes.Name, EditorEmail), new Claim(ClaimTypes.Role, Roles.Editor)], "test"));
    }

    /// <summary>Adds the peer's robot through the same service the page uses; fails the test on a validation error.</summary>
    public async Task<long> AddRobotAsync(PeerRobot robot, WebhookKind kind, string? keyword = null, int maxPerMinute = 0, string? secret = null, bool alerts = false)
    {
        await using var scope = Services.CreateAsyncScope();
        var admin = scope.ServiceProvider.GetRequiredService<RobotAdmin>();
        var (outcome, id, errors) = await admin.SaveAsync(null, new RobotForm
        {
            Name = $"{kind} {robot.Id}", Kind = kind, Url = robot.Url.AbsoluteUri, Secret = secret ?? robot.Secret, Keyword = keyword, MaxPerMinute = maxPerMinute, ReceivesAlerts = alerts,
        }, await EditorAsync(), CancellationToken.None);
        Assert.True(outcome == RobotSaveOutcome.Saved, string.Join(" ", errors.Select(e => $"{e.Key}: {e.Value}")));
        return id;
    }

    /// <summary>Queues one breaking story for a robot, as a breaking-news push will.</summary>
    public async Task<Delivery> QueueForRobotAsync(long robotId, DeliveryContent story)
    {
        Stories[story.Id] = story;
        var now = Clock.Now.UtcDateTime;
        var userId = await WithDbAsync(db => db.WebhookEndpoints.Where(w => w.Id == robotId).Select(w => w.UserId).SingleAsync());
        var delivery = new Delivery
        {
            UserId = userId, Channel = DeliveryChannel.Webhook, EndpointId = robotId, ContentKind = DeliveryContentKind.Breaking, ContentId = story.Id,
            Status = DeliveryStatus.Queued, TrackingToken = TrackingTokens.New(), CreatedAt = now, DeliverBy = now.AddHours(48),
        };
        await WithDbAsync(async db =>
        {
            db.Deliveries.Add(delivery);
            await db.SaveChangesAsync();
        });
        return delivery;
    }

    public Task<WebhookEndpoint> RobotAsync(long id) => WithDbAsync(db => db.WebhookEndpoints.AsNoTracking().SingleAsync(w => w.Id == id));

    public Task<List<Delivery>> RobotDeliveriesAsync(long id) =>
        WithDbAsync(db => db.Deliveries.AsNoTracking().Where(d => d.Channel == DeliveryChannel.Webhook && d.EndpointId == id).OrderBy(d => d.Id).ToListAsync());

    private static long nextStory = 900_000;

    /// <summary>A breaking story with a unique id and title.</summary>
    public static DeliveryContent Story(string title, int articleId = 1, string slug = "a-story") =>
        new(DeliveryContentKind.Breaking, Interlocked.Increment(ref nextStory), title, "What happened, in one line.", null,
            [new ContentStory(articleId, title, "What happened, in one line.", "World", slug, "breaking")]);
}

public sealed class RobotPostgreSqlFactory() : RobotFactory(TestDatabase.PostgreSql);

/// <summary>The robot test site with the real breaking-news content: campaigns made by the newsroom's "Send to chat robots".</summary>
public sealed class RobotCampaignFactory : RobotFactory
{
    protected override bool UsesTestStories => false;
}
