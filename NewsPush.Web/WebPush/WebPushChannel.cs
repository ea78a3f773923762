using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using Lib.Net.Http.WebPush;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Web.Inbox;
using NewsPush.Web.Push;

namespace NewsPush.Web.WebPush;

/// <summary>
/// Browser notifications through the browsers' push services (RFC 8030), encrypted for each browser (RFC 8291) and
/// signed with our VAPID key (RFC 8292). One delivery is one browser (<see cref="Delivery.EndpointId"/> is the
/// subscription). What the push service answers decides the outcome: 201 sent; 404/410 the subscription is gone
/// (removed); 408, 429 and 5xx retried later with the service's Retry-After; any other 4xx a refusal, and after
/// <see cref="WebPushOptions.MaxConsecutiveFailures"/> in a row the subscription is removed.
/// </summary>
public sealed class WebPushChannel(
    NewsPushDbContext db, WebPushClient client, VapidSigner signer, InboxService inbox, WebPushSubscriptions subscriptions,
    IOptions<WebPushOptions> options, TimeProvider clock, ILogger<WebPushChannel> logger) : IChannelSender
{
    private static readonly IReadOnlySet<DeliveryContentKind> Kinds = new HashSet<DeliveryContentKind>
    {
        DeliveryContentKind.Digest, DeliveryContentKind.Breaking, DeliveryContentKind.Test, DeliveryContentKind.WebPushExpiring,
    };

    public DeliveryChannel Channel => DeliveryChannel.WebPush;

    public IReadOnlySet<DeliveryContentKind> Carries => Kinds;

    /// <summary>Outcomes are recorded after each group: a crash repeats at most this many notifications.</summary>
    public int GroupSize => 500;

    public async Task SendAsync(IReadOnlyList<OutboundDelivery> group, DeliveryReport report, CancellationToken ct)
    {
        var o = options.Value;
        var now = clock.GetUtcNow().UtcDateTime;
        var endpointIds = group.Select(d => d.Delivery.EndpointId).Distinct().ToList();
        var subs = await db.WebPushSubscriptions.AsNoTracking().Where(s => endpointIds.Contains(s.Id))
            .Select(s => new { s.Id, s.UserId, s.Endpoint, s.P256dh, s.Auth }).ToDictionaryAsync(s => s.Id, ct);
        var sendable = new List<(OutboundDelivery Delivery, Browser Browser, TimeSpan Ttl)>(group.Count);
        foreach (var d in group)
        {
            if (!subs.TryGetValue(d.Delivery.EndpointId, out var s) || s.UserId != d.UserId)
            {
                report.Suppressed(d.Id, "The browser's subscription was removed before this was sent.");
                continue;
            }
            var ttl = TimeToLive(d.Content.Kind, o);
            if (d.Content.Kind is DeliveryContentKind.Digest or DeliveryContentKind.Breaking && now - d.Delivery.CreatedAt > ttl)
            {
                report.Suppressed(d.Id, $"Not sent: older than its time to live ({ttl.TotalHours:0.#} h) when the channel could send it.");
                continue;
            }
            if (PushEndpointPolicy.Check(s.Endpoint, o.EffectiveAllowedHosts) is { } refused)
            {
                // The allow-list changed since the browser subscribed: never post to a host it no longer names.
                report.Failed(d.Id, refused);
                continue;
            }
            // A digest or story that waited (a retry, a paused channel) lives only what is left of its time: the
            // push service drops it when the news is as old as its TTL, whenever it was sent.
            var left = d.Content.Kind is DeliveryContentKind.Digest or DeliveryContentKind.Breaking ? ttl - (now - d.Delivery.CreatedAt) : ttl;
            sendable.Add((d, new Browser(s.Endpoint, s.P256dh, s.Auth), left < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : left));
        }
        if (sendable.Count == 0)
        {
            return;
        }
        var unread = await inbox.UnreadCountsAsync(sendable.Select(x => x.Delivery.UserId).Distinct().ToList(), ct);
        await signer.PrepareAsync(sendable.Select(x => x.Browser.Endpoint), ct);

        var accepted = new ConcurrentBag<long>();
        var refusedIds = new ConcurrentBag<long>();
        var gone = new ConcurrentBag<long>();
        await Parallel.ForEachAsync(sendable, new ParallelOptions { MaxDegreeOfParallelism = o.Parallelism, CancellationToken = ct }, async (item, token) =>
        {
            var (d, browser, ttl) = item;
            if (!report.MaySend)
            {
                return;
            }
            var endpointId = d.Delivery.EndpointId;
            try
            {
                var payload = WebPushPayload.For(d.Delivery, d.Content, unread.GetValueOrDefault(d.UserId), now).ToUtf8();
                var message = new WebPushMessage(payload, (int)ttl.TotalSeconds,
                    d.Content.Kind == DeliveryContentKind.Breaking ? PushMessageUrgency.High : PushMessageUrgency.Normal, WebPushPayload.TopicFor(d.Content));
                await client.SendAsync(browser.Endpoint, browser.P256dh, browser.Auth, message, token);
                accepted.Add(endpointId);
                report.Sent(d.Id);
            }
            catch (PushServiceClientException ex)
            {
                var status = (int)ex.StatusCode;
                var what = $"{status} {ex.StatusCode} from {Host(browser.Endpoint)}";
                if (ex.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone)
                {
                    gone.Add(endpointId);
                    report.Failed(d.Id, $"{what}: the browser's subscription has ended; it was removed.");
                }
                else if (ex.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || status >= 500)
                {
                    report.Retry(d.Id, $"{what}; tried again later.", RetryAfter(ex.Headers, clock));
                }
                else
                {
                    refusedIds.Add(endpointId);
                    report.Failed(d.Id, $"{what}: {Clip(ex.Body)}");
                }
            }
            catch (HttpRequestException ex)
            {
                report.Retry(d.Id, $"Could not reach {Host(browser.Endpoint)}: {ex.Message}");
            }
            catch (TaskCanceledException) when (!token.IsCancellationRequested)
            {
                report.Retry(d.Id, $"{Host(browser.Endpoint)} did not answer within {o.RequestTimeoutSeconds:0} s.");
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A subscription whose keys the library cannot use: this one fails, the group goes on.
                logger.LogWarning(ex, "Web Push delivery {DeliveryId} could not be sent", d.Id);
                report.Failed(d.Id, $"The notification could not be encrypted or sent: {ex.Message}");
            }
        });
        await RecordAsync(accepted.Distinct().ToList(), refusedIds.Distinct().ToList(), gone.Distinct().ToList(), now, ct);
    }

    private sealed record Browser(string Endpoint, string P256dh, string Auth);

    /// <summary>Subscription health after a group: success resets the count, refusals add up, gone ones go.</summary>
    private async Task RecordAsync(List<long> accepted, List<long> refused, List<long> gone, DateTime now, CancellationToken ct)
    {
        if (accepted.Count > 0)
        {
            await db.WebPushSubscriptions.Where(s => accepted.Contains(s.Id))
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.LastSuccessAt, now).SetProperty(x => x.ConsecutiveFailures, 0), CancellationToken.None);
        }
        if (refused.Count > 0)
        {
            await db.WebPushSubscriptions.Where(s => refused.Contains(s.Id))
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.ConsecutiveFailures, x => x.ConsecutiveFailures + 1), CancellationToken.None);
            var max = options.Value.MaxConsecutiveFailures;
            gone.AddRange(await db.WebPushSubscriptions.Where(s => refused.Contains(s.Id) && s.ConsecutiveFailures >= max).Select(s => s.Id).ToListAsync(CancellationToken.None));
        }
        if (gone.Count > 0)
        {
            var users = await db.WebPushSubscriptions.Where(s => gone.Contains(s.Id)).Select(s => s.UserId).Distinct().ToListAsync(CancellationToken.None);
            await db.WebPushSubscriptions.Where(s => gone.Contains(s.Id)).ExecuteDeleteAsync(CancellationToken.None);
            await subscriptions.SyncEnabledAsync(users, CancellationToken.None);
            logger.LogInformation("Removed {Count} Web Push subscriptions their push services no longer accept", gone.Count);
        }
    }

    public static TimeSpan TimeToLive(DeliveryContentKind kind, WebPushOptions o) => kind switch
    {
        DeliveryContentKind.Breaking => TimeSpan.FromHours(o.BreakingTtlHours),
        DeliveryContentKind.Test => TimeSpan.FromMinutes(10),
        _ => TimeSpan.FromHours(o.DigestTtlHours),
    };

    private static TimeSpan? RetryAfter(HttpResponseHeaders? headers, TimeProvider clock) =>
        headers?.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - clock.GetUtcNow() is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
            _ => null,
        };

    private static string Host(string endpoint) => Uri.TryCreate(endpoint, UriKind.Absolute, out var u) ? u.Host : "the push service";

    private static string Clip(string? body) =>
        string.IsNullOrWhiteSpace(body) ? "refused by the push service." : body.Length > 200 ? body[..200] + "…" : body;
}
