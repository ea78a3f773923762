using System.Diagnostics;
using System.Text.Json;
using NewsPush.Tests.Infrastructure;

namespace NewsPush.Tests.Web.Webhooks;

/// <summary>
/// The node chat-robot providers (chat-robot-peer.js, which documents what each kind checks and its control API)
/// on a free loopback port: an xunit class fixture, or <c>await using var peer = await ChatRobotPeer.StartAsync();</c>.
/// It has its own clock, which the app's fake clock should be set to (<see cref="SetClockAsync"/>); every
/// timestamp check and rate-limit window uses it. Node is killed on dispose. The control methods throw
/// <see cref="HttpRequestException"/> with the peer's answer when it refuses one.
/// </summary>
public sealed class ChatRobotPeer() : NodePeer("chat-robot peer", "NewsPush.Tests/Web/Webhooks/chat-robot-peer.js", "standardwebhooks")
{
    public static async Task<ChatRobotPeer> StartAsync()
    {
        var peer = new ChatRobotPeer();
        try
        {
            await peer.InitializeAsync();
        }
        catch
        {
            await peer.DisposeAsync();
            throw;
        }
        return peer;
    }

    /// <summary>
    /// A new robot of <paramref name="kind"/> (dingtalk, feishu, wecom, slack or generic); its <see cref="PeerRobot.Url"/> is what
    /// NewsPush is configured with. A generic robot without a secret gets a new whsec_ one. Null limits keep the provider's.
    /// </summary>
    public async Task<PeerRobot> AddRobotAsync(string kind, string id, string? secret = null, IReadOnlyList<string>? keywords = null,
        int? perMinute = null, int? perSecond = null) =>
        (await SendAsync<PeerRobot>(HttpMethod.Post, "_control/robots", new { kind, id, secret, keywords, perMinute, perSecond }))!;

    /// <summary>The peer clock stands at <paramref name="now"/> until advanced.</summary>
    public Task SetClockAsync(DateTimeOffset now) =>
        SendAsync<JsonElement>(HttpMethod.Post, "_control/clock", new { nowMs = now.ToUnixTimeMilliseconds() });

    public Task AdvanceClockAsync(TimeSpan by) =>
        SendAsync<JsonElement>(HttpMethod.Post, "_control/clock", new { advanceMs = (long)by.TotalMilliseconds });

    /// <summary>The peer clock back to the machine's.</summary>
    public Task UseRealClockAsync() => SendAsync<JsonElement>(HttpMethod.Post, "_control/clock", new { real = true });

    /// <summary>The peer clock's time now.</summary>
    public async Task<DateTimeOffset> NowAsync() =>
        DateTimeOffset.FromUnixTimeMilliseconds((await SendAsync<JsonElement>(HttpMethod.Get, "_control/clock", null)).GetProperty("nowMs").GetInt64());

    /// <summary>
    /// The next <paramref name="times"/> requests to <paramref name="id"/> (null: all) are answered <paramref name="status"/> with
    /// <paramref name="body"/> (raw) before any check, and recorded but never stored as messages.
    /// </summary>
    public Task SetBehaviourAsync(string id, int status, string? body = null, int? retryAfterSeconds = null, int? times = null, string? contentType = null) =>
        SendAsync<JsonElement>(HttpMethod.Post, "_control/behaviour", new { id, status, body, contentType, retryAfter = retryAfterSeconds, times });

    public Task ClearBehaviourAsync(string id) => SendAsync<JsonElement>(HttpMethod.Post, "_control/behaviour", new { id, status = (int?)null });

    /// <summary>The robot was removed from its channel: Slack answers 410 channel_is_archived, generic 410, the others "unknown robot".</summary>
    public Task ArchiveAsync(string id) => SendAsync<JsonElement>(HttpMethod.Post, $"_control/robots/{Uri.EscapeDataString(id)}/archive", null);

    /// <summary>The accepted messages (for the robot, or all), oldest first.</summary>
    public async Task<IReadOnlyList<RobotMessage>> MessagesAsync(string? robotId = null)
    {
        var messages = await SendAsync<List<MessageJson>>(HttpMethod.Get, Query("_control/messages", robotId), null);
        return messages!.Select(m => m.ToMessage()).ToList();
    }

    /// <summary>Every request the robot (or any) received, accepted or not, oldest first.</summary>
    public async Task<IReadOnlyList<RobotRequest>> RequestsAsync(string? robotId = null)
    {
        var requests = await SendAsync<List<RequestJson>>(HttpMethod.Get, Query("_control/requests", robotId), null);
        return requests!.Select(r => r.ToRequest()).ToList();
    }

    /// <summary>
    /// Polls until at least <paramref name="count"/> messages (for the robot, or all) were accepted and returns them;
    /// throws <see cref="TimeoutException"/> listing what arrived and what was refused, and why.
    /// </summary>
    public async Task<IReadOnlyList<RobotMessage>> WaitForMessagesAsync(int count, TimeSpan timeout, string? robotId = null)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var messages = await MessagesAsync(robotId);
            if (messages.Count >= count)
            {
                return messages;
            }
            if (deadline.Elapsed >= timeout)
            {
                var refused = await SendAsync<List<RequestJson>>(HttpMethod.Get, Query("_control/requests", robotId), null);
                throw new TimeoutException(
                    $"{messages.Count} of {count} messages{(robotId is null ? "" : $" for {robotId}")} arrived within {timeout.TotalSeconds:0.#} s. " +
                    $"Arrived: [{string.Join("; ", messages.Select(m => $"#{m.Seq} {m.Robot} {m.MsgType} {m.Text}"))}]. " +
                    $"Refused: [{string.Join("; ", refused!.Where(r => !r.Accepted).Select(r => $"#{r.Seq} {r.Robot} {r.HttpStatus} {r.Code} {r.Reason} ({r.Detail})"))}]");
            }
            await Task.Delay(50);
        }
    }

    /// <summary>Records, stats, behaviours, blocks, rate windows, seen webhook-ids and archive flags cleared; the clock real again. Robots stay.</summary>
    public Task ResetAsync() => SendAsync<JsonElement>(HttpMethod.Post, "_control/reset", null);

    /// <summary>{requests, accepted, rejected, duplicates, statuses, kinds: {dingtalk: {requests, accepted}, …}, robots, messages}.</summary>
    public Task<JsonElement> StatsAsync() => SendAsync<JsonElement>(HttpMethod.Get, "_control/stats", null);

    private static string Query(string path, string? robotId) => robotId is null ? path : $"{path}?robot={Uri.EscapeDataString(robotId)}";

    private sealed record MessageJson(long Seq, string Robot, string Kind, long AtMs, string? MsgType, JsonElement Body, string Text, string? WebhookId, bool Duplicate)
    {
        public RobotMessage ToMessage() => new(Seq, Robot, Kind, DateTimeOffset.FromUnixTimeMilliseconds(AtMs), MsgType, Body, Text, WebhookId, Duplicate);
    }

    private sealed record RequestJson(long Seq, string Robot, string Kind, long AtMs, int HttpStatus, int? Code, string? Reason, bool Accepted, string? Detail)
    {
        public RobotRequest ToRequest() => new(Seq, Robot, Kind, DateTimeOffset.FromUnixTimeMilliseconds(AtMs), HttpStatus, Code, Reason, Accepted);
    }
}

/// <summary>A robot on the peer: configure NewsPush with <see cref="Url"/> (and <see cref="Secret"/>, if any).</summary>
public sealed record PeerRobot(string Id, string Kind, Uri Url, string? Secret);

/// <summary>
/// A message the peer accepted, at peer-clock time <see cref="At"/>. <see cref="Text"/> is all of its human-readable text joined with
/// "\n" (for generic robots the raw body); <see cref="Duplicate"/> marks a Standard Webhooks webhook-id accepted before.
/// </summary>
public sealed record RobotMessage(long Seq, string Robot, string Kind, DateTimeOffset At, string? MsgType, JsonElement Body, string Text, string? WebhookId, bool Duplicate);

/// <summary>A request a robot received and how it answered: the HTTP status, errcode/code and errmsg/msg (or the plain body).</summary>
public sealed record RobotRequest(long Seq, string Robot, string Kind, DateTimeOffset At, int HttpStatus, int? Code, string? Reason, bool Accepted);
