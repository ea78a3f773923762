using Microsoft.Extensions.Options;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Web.Devices.Apns;
using NewsPush.Web.Inbox;
using NewsPush.Web.Infrastructure.Email;

namespace NewsPush.Web.Devices;

/// <summary>
/// iOS app installs through APNs (HTTP/2, token auth): breaking news at priority 10, digests at 5; the collapse id is
/// the story's, so an update replaces the notification on screen; the badge is absolute.
/// </summary>
public sealed class ApnsChannel(
    ApnsClient client, IOptions<ApnsOptions> apns,
    NewsPushDbContext db, InboxService inbox, DeviceRegistry registry, IOptions<EmailOptions> site, IOptions<DeviceOptions> options, TimeProvider clock,
    ILogger<ApnsChannel> logger) : DeviceChannel(db, inbox, registry, site, options, clock, logger)
{
    public override DeliveryChannel Channel => DeliveryChannel.Apns;

    protected override DevicePlatform Platform => DevicePlatform.Ios;

    protected override string Service => "APNs";

    protected override int Parallelism => apns.Value.Parallelism;

    protected override string? NotConfiguredReason => apns.Value.IsConfigured ? null
        : "APNs is not set up: set Push:Apns:KeyId, TeamId, BundleId and PrivateKey (the .p8 key) to push to iPhones and iPads.";

    protected override async Task<DeviceAnswer> SendOneAsync(DevicePush push, CancellationToken ct)
    {
        var answer = await client.SendAsync(new ApnsNotification(push.Token, push.Title, push.Body, push.ImageUrl, push.Link, push.CollapseKey,
            push.Immediate, push.ExpiresAt, push.Badge, push.Kind, push.Data), ct);
        return new DeviceAnswer(answer.Outcome switch
        {
            ApnsOutcome.Sent => DeviceOutcome.Sent,
            ApnsOutcome.TokenGone => DeviceOutcome.TokenGone,
            ApnsOutcome.Rejected => DeviceOutcome.Rejected,
            ApnsOutcome.Retry => DeviceOutcome.Retry,
            _ => DeviceOutcome.AuthFailed,
        }, answer.Detail, answer.RetryAfter, answer.UnregisteredAt);
    }
}
