using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NewsPush.Data.Entities;
using NewsPush.Tests.Infrastructure;
using NewsPush.Tests.Web.Push;
using NewsPush.Web.Push;
using NewsPush.Web.WebPush;

namespace NewsPush.Tests.Web.WebPush;

/// <summary>
/// The push test site (fake clock, dispatcher run by the test) allowed to post to a push service on loopback, the
/// <see cref="PushServicePeer"/>; plus a content source for breaking stories that a test fills, until breaking news
/// has its own.
/// </summary>
public class WebPushFactory : PushFactory
{
    public WebPushFactory() : this(TestDatabase.Sqlite)
    {
    }

    protected WebPushFactory(TestDatabase database) : base(database)
    {
        Settings["WebPush:AllowedEndpointHosts:0"] = "127.0.0.1";
    }

    public ConcurrentDictionary<long, DeliveryContent> Stories { get; } = new();

    /// <summary>True: <see cref="Stories"/> replace the real breaking-news content (campaigns) for the tests that queue them.</summary>
    protected virtual bool UsesTestStories => true;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        if (!UsesTestStories)
        {
            return;
        }
        builder.ConfigureTestServices(services =>
        {
            // The test's stories stand in for breaking-news campaigns.
            foreach (var real in services.Where(d => d.ServiceType == typeof(IDeliveryContentSource) && d.ImplementationType == typeof(BreakingContentSource)).ToList())
            {
                services.Remove(real);
            }
            services.AddScoped<IDeliveryContentSource>(_ => new StorySource(Stories));
        });
    }

    /// <summary>The site's VAPID public key, as the page reads it.</summary>
    public async Task<string> VapidPublicKeyAsync()
    {
        await using var scope = Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<VapidKeyStore>().GetAsync(CancellationToken.None)).PublicKey;
    }

    /// <summary>A reader whose only channel is one browser subscribed at the peer (through the service the API uses).</summary>
    public async Task<(ApplicationUser Reader, PeerSubscription Browser, long SubscriptionId)> ReaderWithBrowserAsync(PushServicePeer peer, string prefix,
        Action<ReaderPreferences>? configure = null)
    {
        var reader = await CreateReaderAsync(prefix, p =>
        {
            p.InboxEnabled = false;
            p.EmailEnabled = false;
            configure?.Invoke(p);
        });
        var browser = await peer.SubscribeAsync(reader.Id[..8] + Guid.NewGuid().ToString("N")[..8], await VapidPublicKeyAsync());
        var id = await SubscribeAsync(reader.Id, browser);
        return (reader, browser, id);
    }

    public async Task<long> SubscribeAsync(string userId, PeerSubscription browser, bool digests = true, bool breaking = true)
    {
        await using var scope = Services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<WebPushSubscriptions>().SubscribeAsync(userId, new SubscriptionRequest
        {
            Endpoint = browser.Endpoint.ToString(), Keys = new SubscriptionKeys { P256dh = browser.P256dh, Auth = browser.Auth }, Digests = digests, Breaking = breaking,
        }, "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", CancellationToken.None);
        Assert.True(result.Outcome != SubscribeOutcome.Invalid, string.Join(" ", result.Errors?.Values.SelectMany(v => v) ?? []));
        return result.Subscription!.Id;
    }

    /// <summary>Queues one breaking story for a reader's browser, as a breaking-news campaign will.</summary>
    public async Task<Delivery> QueueStoryAsync(string userId, long subscriptionId, DeliveryContent story)
    {
        Stories[story.Id] = story;
        var now = Clock.Now.UtcDateTime;
        var delivery = new Delivery
        {
            UserId = userId, Channel = DeliveryChannel.WebPush, EndpointId = subscriptionId, ContentKind = DeliveryContentKind.Breaking, ContentId = story.Id,
            Status = DeliveryStatus.Queued, TrackingToken = TrackingTokens.New(), CreatedAt = now, DeliverBy = now.AddHours(1),
        };
        await WithDbAsync(async db =>
        {
            db.Deliveries.Add(delivery);
            await db.SaveChangesAsync();
        });
        return delivery;
    }

    public Task<WebPushSubscription?> SubscriptionAsync(long id) =>
        WithDbAsync(db => db.WebPushSubscriptions.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id));

    public Task<Delivery> DeliveryAsync(long id) => WithDbAsync(db => db.Deliveries.AsNoTracking().SingleAsync(d => d.Id == id));

    private sealed class StorySource(ConcurrentDictionary<long, DeliveryContent> stories) : IDeliveryContentSource
    {
        public DeliveryContentKind Kind => DeliveryContentKind.Breaking;

        public Task<IReadOnlyDictionary<long, DeliveryContent>> LoadAsync(IReadOnlyCollection<long> ids, CancellationToken ct) =>
            Task.FromResult<IReadOnlyDictionary<long, DeliveryContent>>(ids.Where(stories.ContainsKey).Distinct().ToDictionary(id => id, id => stories[id]));
    }
}

public sealed class WebPushPostgreSqlFactory() : WebPushFactory(TestDatabase.PostgreSql);
