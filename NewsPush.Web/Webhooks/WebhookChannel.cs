using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Web.Infrastructure.Email;
using NewsPush.Web.Push;

namespace NewsPush.Web.Webhooks;

/// <summary>
/// Chat robots and webhooks. One delivery is one robot (<see cref="Delivery.EndpointId"/>). Each robot gets at most
/// its provider's number of requests a minute (<see cref="RobotLimits"/>, counted from <see cref="WebhookRequest"/>
/// rows): while there is room every story goes alone; when more wait than there is room, the last free request
/// carries all that are left as one summary; with no room they wait (deferred, no attempt spent) until the window
/// reopens, and then go as one summary, as does whatever waited out a pause. Nothing is dropped and nothing is sent twice: a request's deliveries are
/// recorded Sent together.
/// </summary>
public sealed partial class WebhookChannel(
    NewsPushDbContext db, WebhookClient client, RobotSecrets secrets, RobotAlerts alerts, IOptions<WebhookOptions> options, IOptions<EmailOptions> site,
    TimeProvider clock, ILogger<WebhookChannel> logger) : IChannelSender
{
    private static readonly IReadOnlySet<DeliveryContentKind> Kinds = new HashSet<DeliveryContentKind>
    {
        DeliveryContentKind.Breaking, DeliveryContentKind.Digest, DeliveryContentKind.ColumnDigest, DeliveryContentKind.Broadcast, DeliveryContentKind.SystemAlert,
        DeliveryContentKind.Test,
    };

    public DeliveryChannel Channel => DeliveryChannel.Webhook;

    public IReadOnlySet<DeliveryContentKind> Carries => Kinds;

    public int GroupSize => 200;

    public async Task SendAsync(IReadOnlyList<OutboundDelivery> group, DeliveryReport report, CancellationToken ct)
    {
        var ids = group.Select(d => d.Delivery.EndpointId).Distinct().ToList();
        var robots = await db.WebhookEndpoints.Where(w => ids.Contains(w.Id)).ToDictionaryAsync(w => w.Id, ct);
        foreach (var perRobot in group.GroupBy(d => d.Delivery.EndpointId))
        {
            if (!report.MaySend)
            {
                return;
            }
            if (!robots.TryGetValue(perRobot.Key, out var robot) || !robot.IsActive)
            {
                foreach (var d in perRobot)
                {
                    report.Suppressed(d.Id, robot is null ? "The robot was removed before this was sent." : "The robot is switched off.");
                }
                continue;
            }
            await SendToRobotAsync(robot, perRobot.OrderBy(d => d.Id).ToList(), report, ct);
            await db.SaveChangesAsync(ct);
        }
    }

    private async Task SendToRobotAsync(WebhookEndpoint robot, List<OutboundDelivery> pending, DeliveryReport report, CancellationToken ct)
    {
        var o = options.Value;
        var now = clock.GetUtcNow().UtcDateTime;
        if (robot.NeedsFix)
        {
            DeferAll(pending, now.AddHours(1), $"The robot is paused until someone fixes it: {robot.PauseReason}");
            return;
        }
        if (robot.PausedUntil is { } until && until > now)
        {
            DeferAll(pending, until, $"The robot is paused until {until:HH:mm} UTC: {robot.PauseReason}");
            return;
        }
        RobotTarget target;
        try
        {
            target = new RobotTarget(robot.Id, robot.Kind, secrets.Unprotect(robot.Url), robot.Secret is { } s ? secrets.Unprotect(s) : null, robot.Keyword);
        }
        catch (CryptographicException)
        {
            NeedsFix(robot, now, "Its URL or secret can no longer be read (the Data Protection keys changed): enter them again.");
            DeferAll(pending, now.AddHours(1), robot.PauseReason!);
            return;
        }
        var limits = RobotLimits.For(robot.Kind, robot.MaxPerMinute);
        var since = now.AddMinutes(-1);
        var sent = await db.WebhookRequests.AsNoTracking().Where(r => r.EndpointId == robot.Id && r.SentAt > since).Select(r => r.SentAt).ToListAsync(ct);
        while (pending.Count > 0 && report.MaySend)
        {
            var free = limits.Free(sent, now, out var reopens);
            if (free == 0)
            {
                DeferAll(pending, reopens, $"Waiting for the robot's rate limit ({limits.PerMinute} a minute{(limits.PerSecond is { } ps ? $", {ps} a second" : "")}); it goes out merged with what else waits.");
                return;
            }
            // What already waited (for the limit, a pause, a retry) goes as one summary; fresh stories go alone while
            // there is room for each, and the last free request carries everything left, as one summary.
            var waited = pending.Where(d => d.Delivery.LastError is not null).ToList();
            var batch = waited.Count > 1 ? waited.Take(o.MaxStoriesPerSummary).ToList()
                : pending.Count <= free || free > 1 ? pending.Take(1).ToList()
                : pending.Take(o.MaxStoriesPerSummary).ToList();
            var post = Compose(batch);
            var reply = await client.SendAsync(target, post, clock.GetUtcNow(), ct);
            switch (reply.Verdict)
            {
                case RobotVerdict.Accepted:
                    foreach (var d in batch)
                    {
                        report.Sent(d.Id);
                    }
                    sent.Add(now);
                    db.WebhookRequests.Add(new WebhookRequest { EndpointId = robot.Id, SentAt = now, Items = batch.Count });
                    robot.LastDeliveryAt = now;
                    break;
                case RobotVerdict.TooFast:
                    robot.PausedUntil = now.AddMinutes(o.TooFastPauseMinutes);
                    robot.PauseReason = reply.Message;
                    Error(robot, now, reply.Message);
                    LogPaused(logger, robot.Id, robot.PausedUntil.Value, reply.Message);
                    DeferAll(pending, robot.PausedUntil.Value, $"The robot is paused for {o.TooFastPauseMinutes} minutes: {reply.Message}");
                    return;
                case RobotVerdict.RateLimited:
                    Error(robot, now, reply.Message);
                    DeferAll(pending, now + (reply.RetryAfter ?? TimeSpan.FromMinutes(1)), reply.Message);
                    return;
                case RobotVerdict.NeedsFix:
                    NeedsFix(robot, now, reply.Message);
                    await alerts.AddAsync($"The robot \"{robot.Name}\" needs a fix", reply.Message, "/newsroom/robots", robot.Id, ct);
                    DeferAll(pending, now.AddHours(1), $"The robot is paused until someone fixes it: {reply.Message}");
                    return;
                case RobotVerdict.Transient:
                    Error(robot, now, reply.Message);
                    foreach (var d in batch)
                    {
                        report.Retry(d.Id, reply.Message, reply.RetryAfter);
                    }
                    DeferAll(pending.Except(batch).ToList(), now.AddMinutes(1), "Held back while the robot's service has trouble.");
                    return;
                default:
                    Error(robot, now, reply.Message);
                    foreach (var d in batch)
                    {
                        report.Failed(d.Id, reply.Message);
                    }
                    break;
            }
            pending.RemoveAll(batch.Contains);
        }

        void DeferAll(List<OutboundDelivery> deliveries, DateTime notBefore, string reason)
        {
            foreach (var d in deliveries)
            {
                report.Defer(d.Id, notBefore, reason);
            }
        }
    }

    private static void NeedsFix(WebhookEndpoint robot, DateTime now, string reason)
    {
        robot.NeedsFix = true;
        robot.PauseReason = reason.Length > 500 ? reason[..500] : reason;
        Error(robot, now, reason);
    }

    private static void Error(WebhookEndpoint robot, DateTime now, string message)
    {
        robot.LastError = message.Length > 1000 ? message[..1000] : message;
        robot.LastErrorAt = now;
    }

    /// <summary>One request's words: a delivery alone, or several as a summary of their stories.</summary>
    public RobotPost Compose(IReadOnlyList<OutboundDelivery> batch)
    {
        var id = "msg_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join(',', batch.Select(d => d.Id.ToString(CultureInfo.InvariantCulture))))))[..24];
        var baseUrl = site.Value.BaseUrl(null);
        if (batch.Count > 1)
        {
            var items = batch.SelectMany(d => Items(d, baseUrl, onlyFirst: true)).ToList();
            return new RobotPost(id, RobotPostKind.Summary, $"{items.Count} stories you may have missed", "", baseUrl + "/", items);
        }
        var one = batch[0];
        var c = one.Content;
        var link = c.Stories.Count > 0 ? Track(one, c.Stories[0], baseUrl) : Absolute(c.Url, baseUrl);
        return c.Kind switch
        {
            DeliveryContentKind.Digest or DeliveryContentKind.ColumnDigest => new RobotPost(id, RobotPostKind.Digest, c.Title, c.Summary, Absolute(c.Url, baseUrl) ?? baseUrl + "/", Items(one, baseUrl, onlyFirst: false).ToList()),
            DeliveryContentKind.SystemAlert => new RobotPost(id, RobotPostKind.Alert, c.Title, c.Summary, Absolute(c.Url, baseUrl), []),
            DeliveryContentKind.Test => new RobotPost(id, RobotPostKind.Test, "Test from NewsPush",
                "This robot is connected. Breaking news, digests and alerts it is set up for will arrive here.", null, []),
            _ => new RobotPost(id, RobotPostKind.Story, c.Title, c.Summary, link, []),
        };
    }

    private static IEnumerable<RobotItem> Items(OutboundDelivery d, string baseUrl, bool onlyFirst)
    {
        if (d.Content.Stories.Count == 0)
        {
            return [new RobotItem(d.Content.Title, d.Content.Summary, Absolute(d.Content.Url, baseUrl) ?? baseUrl + "/", null)];
        }
        var stories = onlyFirst ? d.Content.Stories.Take(1) : d.Content.Stories;
        return stories.Select(s => new RobotItem(onlyFirst && d.Content.Kind is not (DeliveryContentKind.Digest or DeliveryContentKind.ColumnDigest) ? d.Content.Title : s.Title, s.Summary, Track(d, s, baseUrl), s.ColumnName));
    }

    private static string Track(OutboundDelivery d, ContentStory story, string baseUrl) =>
        $"{baseUrl}/t/c/{d.Delivery.TrackingToken}?a={story.ArticleId}&u={Uri.EscapeDataString(Slugs.ArticlePath(story.Slug))}";

    private static string? Absolute(string? url, string baseUrl) =>
        url is null ? null : Uri.TryCreate(url, UriKind.Absolute, out var u) && u.Scheme is "https" or "http" ? url : baseUrl + "/" + url.TrimStart('/');

    [LoggerMessage(Level = LogLevel.Warning, Message = "Robot {RobotId} paused until {Until}: {Reason}")]
    private static partial void LogPaused(ILogger logger, long robotId, DateTime until, string reason);
}
