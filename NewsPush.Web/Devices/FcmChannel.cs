using Microsoft.Extensions.Options;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Web.Devices.Fcm;
using NewsPush.Web.Inbox;
using NewsPush.Web.Infrastructure.Email;

namespace NewsPush.Web.Devices;

/// <summary>
/// Android app installs through FCM HTTP v1: breaking news at Android priority high, digests normal; the collapse key
/// and notification tag are the story's, so an update replaces the notification; the badge is the notification count.
/// </summary>
public sealed class FcmChannel(
    FcmClient client, IOptions<FcmOptions> fcm,
    NewsPushDbContext db, InboxService inbox, DeviceRegistry registry, IOptions<EmailOptions> site, IOptions<DeviceOptions> options, TimeProvider clock,
    ILogger<FcmChannel> logger) : DeviceChannel(db, inbox, registry, site, options, clock, logger)
{
    public override DeliveryChannel Channel => DeliveryChannel.Fcm;

    protected override DevicePlatform Platform => DevicePlatform.Android;

    protected override string Service => "FCM";

    protected override int Parallelism => fcm.Value.Parallelism;

    protected override string? NotConfiguredReason => fcm.Value.IsConfigured ? null
        : "FCM is not set up: set Push:Fcm:ServiceAccountJson (or ServiceAccountFile) to the Firebase project's service account to push to Android.";

    protected override async Task<DeviceAnswer> SendOneAsync(DevicePush push, CancellationToken ct)
    {
        var answer = await client.SendAsync(new FcmNotification(push.Token, push.Title, push.Body, push.ImageUrl, push.Link, push.CollapseKey,
            push.Immediate, push.TimeToLive, push.Badge, push.Data), ct);
        return new DeviceAnswer(answer.Outcome switch
        {
            FcmOutcome.Sent => DeviceOutcome.Sent,
            FcmOutcome.TokenGone => DeviceOutcome.TokenGone,
            FcmOutcome.Rejected => DeviceOutcome.Rejected,
            FcmOutcome.Retry => DeviceOutcome.Retry,
            _ => DeviceOutcome.AuthFailed,
        }, answer.Detail, answer.RetryAfter);
    }
}
