using System.Text.Json;
using NewsPush.Tests.Infrastructure;

namespace NewsPush.Tests.Web.Devices.Apns;

/// <summary>
/// The node APNs peer (apns-peer.js, which documents what it checks and its control API): Apple's provider API as h2c on
/// <see cref="ApnsUrl"/>, a control API over HTTP/1.1. An xunit class fixture, or <c>await using var peer = await ApnsPeer.StartAsync();</c>.
/// It has its own clock (token ages are measured with it), which tests set to their fake clock's time. The control
/// methods throw <see cref="HttpRequestException"/> with the peer's answer when it refuses one.
/// </summary>
public sealed class ApnsPeer() : NodePeer("APNs peer", "NewsPush.Tests/Web/Devices/Apns/apns-peer.js", null), IAsyncLifetime
{
    /// <summary>http://127.0.0.1:&lt;port&gt; of the HTTP/2 (h2c) APNs endpoint: what <c>Push:Apns:Endpoint</c> is set to.</summary>
    public string ApnsUrl { get; private set; } = "";

    async Task IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        ApnsUrl = (await SendAsync<JsonElement>(HttpMethod.Get, "_control/info", null)).GetProperty("apnsUrl").GetString()!;
    }

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync();

    public static async Task<ApnsPeer> StartAsync()
    {
        var peer = new ApnsPeer();
        try
        {
            await ((IAsyncLifetime)peer).InitializeAsync();
        }
        catch
        {
            await peer.DisposeAsync();
            throw;
        }
        return peer;
    }

    /// <summary>A new signing key (P-256, PKCS#8 PEM like a .p8) of a new team, for <paramref name="bundleId"/> (random if null).</summary>
    public async Task<ApnsPeerKey> CreateKeyAsync(string? bundleId = null) =>
        (await SendAsync<ApnsPeerKey>(HttpMethod.Post, "_control/keys", new { bundleId }))!;

    /// <summary>A device of the app <paramref name="bundleId"/> (default: the last key's); a random 64-hex token unless given.</summary>
    public async Task<string> RegisterDeviceAsync(string? bundleId = null, string? token = null) =>
        (await SendAsync<JsonElement>(HttpMethod.Post, "_control/devices", new { token, bundleId })).GetProperty("token").GetString()!;

    /// <summary>The app was removed from the device: APNs answers 410 Unregistered with <paramref name="at"/> as the timestamp.</summary>
    public Task UnregisterAsync(string token, DateTimeOffset at) =>
        SendAsync<JsonElement>(HttpMethod.Post, $"_control/devices/{token}/unregister", new { timestampMs = at.ToUnixTimeMilliseconds() });

    /// <summary>The next <paramref name="times"/> requests (for <paramref name="deviceToken"/>, or any) get this answer before any check.</summary>
    public Task ScriptAsync(int status, string? reason, int? retryAfterSeconds = null, int times = 1, string? deviceToken = null, DateTimeOffset? timestamp = null) =>
        SendAsync<JsonElement>(HttpMethod.Post, "_control/script",
            new { status, reason, retryAfter = retryAfterSeconds, times, deviceToken, timestampMs = timestamp?.ToUnixTimeMilliseconds() });

    public Task ClearScriptsAsync() => SendAsync<JsonElement>(HttpMethod.Post, "_control/script", new { clear = true });

    /// <summary>The peer clock stands at <paramref name="now"/> until advanced.</summary>
    public Task SetClockAsync(DateTimeOffset now) => SendAsync<JsonElement>(HttpMethod.Post, "_control/clock", new { nowMs = now.ToUnixTimeMilliseconds() });

    public Task AdvanceClockAsync(TimeSpan by) => SendAsync<JsonElement>(HttpMethod.Post, "_control/clock", new { advanceMs = (long)by.TotalMilliseconds });

    public Task UseRealClockAsync() => SendAsync<JsonElement>(HttpMethod.Post, "_control/clock", new { real = true });

    public async Task<DateTimeOffset> NowAsync() =>
        DateTimeOffset.FromUnixTimeMilliseconds((await SendAsync<JsonElement>(HttpMethod.Get, "_control/clock", null)).GetProperty("nowMs").GetInt64());

    /// <summary>The accepted notifications (for the device, or all), oldest first.</summary>
    public async Task<IReadOnlyList<ApnsReceived>> NotificationsAsync(string? deviceToken = null) =>
        (await SendAsync<List<ApnsReceived>>(HttpMethod.Get, deviceToken is null ? "_control/notifications" : $"_control/notifications?device={deviceToken}", null))!;

    /// <summary>Every request the peer answered, oldest first, with why it refused (for failure messages).</summary>
    public async Task<IReadOnlyList<ApnsPeerRequest>> RequestsAsync() =>
        (await SendAsync<List<ApnsPeerRequest>>(HttpMethod.Get, "_control/requests", null))!;

    public async Task<ApnsPeerStats> StatsAsync() => (await SendAsync<ApnsPeerStats>(HttpMethod.Get, "_control/stats", null))!;

    /// <summary>Records, stats, scripts, the teams' token history and the clock reset; keys and devices stay (active again).</summary>
    public Task ResetAsync() => SendAsync<JsonElement>(HttpMethod.Post, "_control/reset", null);
}

/// <summary>A signing key on the peer: configure KeyId, TeamId, BundleId and PrivateKey (<see cref="PrivateKeyPem"/>) with it.</summary>
public sealed record ApnsPeerKey(string KeyId, string TeamId, string BundleId, string PrivateKeyPem);

/// <summary>A notification the peer accepted: its request headers (lowercase names, no pseudo-headers), payload and the session it came on.</summary>
public sealed record ApnsReceived(long Seq, string DeviceToken, int Session, string HttpVersion, Dictionary<string, string> Headers, JsonElement Payload, int Bytes, long AtMs);

public sealed record ApnsPeerRequest(long Seq, string? DeviceToken, int Session, int Status, string? Reason, long AtMs, string? Detail);

/// <summary>Counts since the last reset; <see cref="ProviderTokens"/> is the number of distinct JWTs accepted (verified, fresh, not a too-early update).</summary>
public sealed record ApnsPeerStats(int Requests, int Accepted, int Rejected, Dictionary<string, int> Reasons, int ProviderTokens,
    int TokenUpdatesRefused, int Sessions, int ActiveSessions, int BadPrefaces);
