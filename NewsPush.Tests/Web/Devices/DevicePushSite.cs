using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NewsPush.Data.Entities;
using NewsPush.Tests.Web.Devices.Apns;
using NewsPush.Tests.Web.Devices.Fcm;
using NewsPush.Web.Push;

namespace NewsPush.Tests.Web.Devices;

/// <summary>
/// A test site whose FCM and APNs settings point at the local peers (<see cref="FcmPeer"/>: token endpoint and send API
/// checking the service account's assertion and the message; <see cref="ApnsPeer"/>: HTTP/2, the ES256 provider token,
/// headers and aps payload). One fixture owns the peers and the site, so the site starts with their addresses.
/// </summary>
public abstract class DevicePushSite : IAsyncLifetime
{
    public FcmPeer Fcm { get; } = new();

    public ApnsPeer Apns { get; } = new();

    public DeviceFactory Site { get; private set; } = null!;

    public PeerServiceAccount Account { get; private set; } = null!;

    public ApnsPeerKey Key { get; private set; } = null!;

    protected abstract DeviceFactory CreateSite();

    public async Task InitializeAsync()
    {
        await Task.WhenAll(Fcm.InitializeAsync(), ((IAsyncLifetime)Apns).InitializeAsync());
        Account = await Fcm.CreateAccountAsync();
        Key = await Apns.CreateKeyAsync();
        Site = CreateSite();
        Site.Settings["Push:Fcm:Endpoint"] = Fcm.Endpoint;
        Site.Settings["Push:Fcm:ServiceAccountJson"] = Account.Json;
        Site.Settings["Push:Apns:Endpoint"] = Apns.ApnsUrl;
        Site.Settings["Push:Apns:KeyId"] = Key.KeyId;
        Site.Settings["Push:Apns:TeamId"] = Key.TeamId;
        Site.Settings["Push:Apns:BundleId"] = Key.BundleId;
        Site.Settings["Push:Apns:PrivateKey"] = Key.PrivateKeyPem;
        await Apns.SetClockAsync(Site.Clock.Now);
    }

    public async Task DisposeAsync()
    {
        await Site.DisposeAsync();
        await Fcm.DisposeAsync();
        await ((IAsyncLifetime)Apns).DisposeAsync();
    }

    /// <summary>Runs the dispatcher with the APNs peer's clock at the site's (its provider-token age check uses it).</summary>
    public async Task<int> DispatchAsync()
    {
        await Apns.SetClockAsync(Site.Clock.Now);
        return await Site.DispatchAsync();
    }

    /// <summary>An Android token FCM knows, registered through the API for the app's reader.</summary>
    public async Task<string> RegisterAndroidAsync(HttpClient app, string deviceId, string? timeZone = "Europe/London")
    {
        var token = (await Fcm.RegisterDevicesAsync(Account.ProjectId)).Single();
        var response = await app.PostAsJsonAsync("/api/devices", DeviceFactory.Android(deviceId, token, timeZone));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return token;
    }

    /// <summary>An iOS token APNs knows for our bundle, registered through the API.</summary>
    public async Task<string> RegisterIosAsync(HttpClient app, string deviceId, string? timeZone = "Europe/London")
    {
        var token = await Apns.RegisterDeviceAsync(Key.BundleId);
        var response = await app.PostAsJsonAsync("/api/devices", DeviceFactory.Ios(deviceId, token, timeZone));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return token;
    }

    /// <summary>
    /// A breaking-news push of the newest article to these readers, queued as a campaign does: planned by the audience
    /// planner (preferences, cap, quiet hours unless critical), one delivery per endpoint.
    /// </summary>
    public async Task<PushCampaign> QueueBreakingAsync(IReadOnlyCollection<string> userIds, bool critical = false, string? title = null)
    {
        var now = Site.Clock.Now.UtcDateTime;
        var campaign = await Site.WithDbAsync(async db =>
        {
            var article = await db.Articles.AsNoTracking().OrderByDescending(a => a.PublishedAt).FirstAsync();
            var c = new PushCampaign
            {
                ArticleId = article.Id, Title = title ?? article.Title, Message = article.Summary, IsCritical = critical, Status = CampaignStatus.Sending, CreatedAt = now,
            };
            db.PushCampaigns.Add(c);
            await db.SaveChangesAsync();
            return c;
        });
        await using var scope = Site.Services.CreateAsyncScope();
        var planner = scope.ServiceProvider.GetRequiredService<AudiencePlanner>();
        var plans = await planner.PlanAsync(userIds, now, respectQuietHours: !critical, CancellationToken.None, DeliveryContentKind.Breaking);
        await Site.WithDbAsync(async db =>
        {
            foreach (var plan in plans.Values)
            {
                foreach (var e in plan.Endpoints)
                {
                    db.Deliveries.Add(new Delivery
                    {
                        UserId = plan.UserId, Channel = e.Channel, EndpointId = e.EndpointId, ContentKind = DeliveryContentKind.Breaking, ContentId = campaign.Id,
                        Status = DeliveryStatus.Queued, NextAttemptAt = plan.NotBefore, TrackingToken = TrackingTokens.New(), CreatedAt = now, DeliverBy = now.AddHours(6),
                    });
                }
            }
            await db.SaveChangesAsync();
        });
        return campaign;
    }

    public Task<List<Delivery>> DeviceDeliveriesAsync(string userId) =>
        Site.WithDbAsync(db => db.Deliveries.AsNoTracking().Where(d => d.UserId == userId && (d.Channel == DeliveryChannel.Fcm || d.Channel == DeliveryChannel.Apns))
            .OrderBy(d => d.Id).ToListAsync());
}

public sealed class SqliteDevicePushSite : DevicePushSite
{
    protected override DeviceFactory CreateSite() => new();
}

public sealed class PostgreSqlDevicePushSite : DevicePushSite
{
    protected override DeviceFactory CreateSite() => new DevicePostgreSqlFactory();
}
