using System.Diagnostics;
using System.Text.Json;
using Lib.Net.Http.WebPush;
using NewsPush.Tests.Infrastructure;

namespace NewsPush.Tests.Web.WebPush;

/// <summary>
/// The node push service (push-service-peer.js, which documents what it checks and its control API) on a free
/// loopback port: an xunit class fixture, or <c>await using var peer = await PushServicePeer.StartAsync();</c>.
/// Node is killed on dispose. The control methods throw <see cref="HttpRequestException"/> with the peer's answer
/// when it refuses one.
/// </summary>
public sealed class PushServicePeer() : NodePeer("push service peer", "NewsPush.Tests/Web/WebPush/push-service-peer.js", "http_ece")
{
    public static async Task<PushServicePeer> StartAsync()
    {
        var peer = new PushServicePeer();
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

    /// <summary>A new browser subscription, restricted to <paramref name="vapidPublicKey"/> (the applicationServerKey).</summary>
    public async Task<PeerSubscription> SubscribeAsync(string id, string vapidPublicKey) =>
        (await SendAsync<PeerSubscription>(HttpMethod.Post, "_control/subscriptions", new { id, applicationServerKey = vapidPublicKey }))!;

    /// <summary>The next <paramref name="times"/> pushes to <paramref name="id"/> (null: all) are answered <paramref name="status"/>.</summary>
    public Task SetBehaviourAsync(string id, int status, int? retryAfterSeconds = null, int? times = null) =>
        SendAsync<JsonElement>(HttpMethod.Post, "_control/behaviour", new { id, status, retryAfter = retryAfterSeconds, times });

    public Task ClearBehaviourAsync(string id) => SendAsync<JsonElement>(HttpMethod.Post, "_control/behaviour", new { id, status = (int?)null });

    /// <summary>The browser unsubscribed: later pushes get 410.</summary>
    public Task UnsubscribeAsync(string id) => SendAsync<JsonElement>(HttpMethod.Delete, $"_control/subscriptions/{Uri.EscapeDataString(id)}", null);

    public Task SetMaxBodyBytesAsync(int maxBodyBytes) => SendAsync<JsonElement>(HttpMethod.Post, "_control/limits", new { maxBodyBytes });

    /// <summary>Messages, rejections, stats, behaviours and limits back to their defaults; subscriptions stay.</summary>
    public Task ResetAsync() => SendAsync<JsonElement>(HttpMethod.Post, "_control/reset", null);

    /// <summary>The accepted messages, oldest first.</summary>
    public async Task<IReadOnlyList<PeerMessage>> MessagesAsync(string? subscriptionId = null)
    {
        var path = subscriptionId is null ? "_control/messages" : $"_control/messages?subscription={Uri.EscapeDataString(subscriptionId)}";
        var messages = await SendAsync<List<MessageJson>>(HttpMethod.Get, path, null);
        return messages!.Select(m => m.ToMessage()).ToList();
    }

    /// <summary>Every push the peer refused, oldest first.</summary>
    public async Task<IReadOnlyList<PeerRejection>> RejectedAsync() =>
        (await SendAsync<List<PeerRejection>>(HttpMethod.Get, "_control/rejected", null))!;

    /// <summary>{requests, accepted, rejected, replaced, statuses, subscriptions, stored}.</summary>
    public Task<JsonElement> StatsAsync() => SendAsync<JsonElement>(HttpMethod.Get, "_control/stats", null);

    /// <summary>Decrypts an aes128gcm body with npm http_ece (all base64url); throws <see cref="HttpRequestException"/> if it cannot.</summary>
    public async Task<string> DecryptAsync(string body, string privateKey, string auth) =>
        (await SendAsync<JsonElement>(HttpMethod.Post, "_control/decrypt", new { body, privateKey, auth })).GetProperty("plaintext").GetString()!;

    /// <summary>
    /// Polls until at least <paramref name="count"/> messages (for the subscription, or all) were accepted and returns them;
    /// throws <see cref="TimeoutException"/> listing what arrived and what was rejected.
    /// </summary>
    public async Task<IReadOnlyList<PeerMessage>> WaitForMessagesAsync(int count, TimeSpan timeout, string? subscriptionId = null)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var messages = await MessagesAsync(subscriptionId);
            if (messages.Count >= count)
            {
                return messages;
            }
            if (deadline.Elapsed >= timeout)
            {
                var rejected = await RejectedAsync();
                throw new TimeoutException(
                    $"{messages.Count} of {count} messages{(subscriptionId is null ? "" : $" for {subscriptionId}")} arrived within {timeout.TotalSeconds:0.#} s. " +
                    $"Arrived: [{string.Join("; ", messages.Select(m => $"#{m.Seq} {m.SubscriptionId} {m.Plaintext}"))}]. " +
                    $"Rejected: [{string.Join("; ", rejected.Select(r => $"{r.SubscriptionId} {r.Status} {r.Reason}"))}]");
            }
            await Task.Delay(50);
        }
    }

    private sealed record MessageJson(long Seq, string SubscriptionId, int Ttl, string? Urgency, string? Topic, string ContentEncoding,
        string Plaintext, string Body, int BodyBytes, int Records, long ReceivedAt, JsonElement Jwt, bool Replaced)
    {
        public PeerMessage ToMessage() => new(Seq, SubscriptionId, Ttl, Urgency, Topic, ContentEncoding, Plaintext, Body, BodyBytes, Records,
            DateTimeOffset.FromUnixTimeMilliseconds(ReceivedAt), Jwt, Replaced);
    }
}

/// <summary>A browser's subscription on the peer; <see cref="PrivateKey"/> is the browser's P-256 key (base64url), for decrypting.</summary>
public sealed record PeerSubscription(string Id, Uri Endpoint, string P256dh, string Auth, string PrivateKey)
{
    public PushSubscription ToPushSubscription()
    {
        var subscription = new PushSubscription { Endpoint = Endpoint.AbsoluteUri };
        subscription.SetKey(PushEncryptionKeyName.P256DH, P256dh);
        subscription.SetKey(PushEncryptionKeyName.Auth, Auth);
        return subscription;
    }
}

/// <summary>A push the peer accepted; <see cref="Body"/> is the encrypted body (base64url), <see cref="Jwt"/> the VAPID claims.</summary>
public sealed record PeerMessage(long Seq, string SubscriptionId, int Ttl, string? Urgency, string? Topic, string ContentEncoding, string Plaintext,
    string Body, int BodyBytes, int Records, DateTimeOffset ReceivedAt, JsonElement Jwt, bool Replaced);

/// <summary>A push the peer refused: the status it answered and why.</summary>
public sealed record PeerRejection(string? SubscriptionId, int Status, string Reason);
