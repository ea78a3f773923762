using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace NewsPush.Web.Devices.Apns;

/// <summary>The concurrent-stream cap of <see cref="ApnsOptions.Parallelism"/>, shared by every <see cref="ApnsClient"/> of the process.</summary>
public sealed class ApnsStreamLimit(IOptions<ApnsOptions> options) : IDisposable
{
    internal SemaphoreSlim Gate { get; } = new(options.Value.Parallelism, options.Value.Parallelism);

    /// <summary>
    /// Open until the first request of this node has been answered (or failed): a cold burst waits for one connection to
    /// be up, with APNs's settings known, and is then multiplexed over it, instead of each pending group of streams
    /// opening a connection of its own before the first one's settings arrive.
    /// </summary>
    private readonly SemaphoreSlim first = new(1, 1);
    private volatile bool warm;

    internal async ValueTask<bool> EnterFirstAsync(CancellationToken ct)
    {
        if (warm)
        {
            return false;
        }
        await first.WaitAsync(ct);
        if (warm)
        {
            first.Release();
            return false;
        }
        return true;
    }

    internal void ExitFirst()
    {
        warm = true;
        first.Release();
    }

    public void Dispose()
    {
        Gate.Dispose();
        first.Dispose();
    }
}

/// <summary>
/// Sends one alert to one device over Apple's provider API (HTTP/2, token auth) and says what the answer means for the
/// device and the delivery. Safe to call in parallel: requests are multiplexed over a few HTTP/2 connections.
/// </summary>
public sealed class ApnsClient(HttpClient http, ApnsProviderToken tokens, ApnsStreamLimit limit, IOptions<ApnsOptions> options, TimeProvider clock)
{
    private static readonly MediaTypeHeaderValue JsonType = new("application/json");

    /// <summary>Never throws for what APNs or the network answers; only <see cref="OperationCanceledException"/> when <paramref name="ct"/> is cancelled.</summary>
    public async Task<ApnsAnswer> SendAsync(ApnsNotification n, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var o = options.Value;
        if (!IsHex(n.DeviceToken))
        {
            return new(ApnsOutcome.TokenGone, 0, "BadDeviceToken", "The device token is not hexadecimal, so it cannot be an APNs token; not sent.");
        }
        var expires = Utc(n.ExpiresAt);
        if (expires <= clock.GetUtcNow().UtcDateTime)
        {
            return new(ApnsOutcome.Rejected, 0, null, $"The notification expired at {expires:u} before it was sent.");
        }
        var payload = ApnsPayload.Build(n);
        if (payload is null)
        {
            return new(ApnsOutcome.Rejected, 0, "PayloadTooLarge",
                $"The payload is over {ApnsPayload.MaxBytes} bytes even with the title and body cut: the link or data are too long.");
        }
        if (!tokens.TryGet(out var jwt, out var error))
        {
            return new(ApnsOutcome.AuthFailed, 0, null, error);
        }

        await limit.Gate.WaitAsync(ct);
        var opening = false;
        try
        {
            opening = await limit.EnterFirstAsync(ct);
            var answer = await PostAsync(o, n, expires, payload, jwt, ct);
            if (opening)
            {
                limit.ExitFirst();
                opening = false;
            }
            if (answer.Reason != "ExpiredProviderToken")
            {
                return answer;
            }
            if (!tokens.TryRenewExpired(jwt, out var renewed, out error))
            {
                return answer with { Outcome = ApnsOutcome.AuthFailed, Detail = "403 ExpiredProviderToken: " + error };
            }
            answer = await PostAsync(o, n, expires, payload, renewed, ct);
            return answer.Reason == "ExpiredProviderToken"
                ? answer with { Outcome = ApnsOutcome.AuthFailed, Detail = "403 ExpiredProviderToken: APNs refused a freshly made provider token too; check this server's clock." }
                : answer;
        }
        finally
        {
            if (opening)
            {
                limit.ExitFirst();
            }
            limit.Gate.Release();
        }
    }

    private async Task<ApnsAnswer> PostAsync(ApnsOptions o, ApnsNotification n, DateTime expires, byte[] payload, string jwt, CancellationToken ct)
    {
        var apnsId = Guid.NewGuid().ToString("D");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{o.Endpoint.TrimEnd('/')}/3/device/{n.DeviceToken}")
        {
            // Per request: HttpClient's default version does not apply to a hand-built message, and over http:// this is h2c with prior knowledge.
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(payload) { Headers = { ContentType = JsonType } },
        };
        var headers = request.Headers;
        headers.TryAddWithoutValidation("authorization", "bearer " + jwt);
        headers.TryAddWithoutValidation("apns-push-type", "alert");
        headers.TryAddWithoutValidation("apns-priority", n.Immediate ? "10" : "5");
        headers.TryAddWithoutValidation("apns-expiration", new DateTimeOffset(expires).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        if (!string.IsNullOrEmpty(n.CollapseId))
        {
            headers.TryAddWithoutValidation("apns-collapse-id", ApnsPayload.CollapseId(n.CollapseId));
        }
        headers.TryAddWithoutValidation("apns-topic", o.BundleId);
        headers.TryAddWithoutValidation("apns-id", apnsId);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
            var status = (int)response.StatusCode;
            var echoed = response.Headers.TryGetValues("apns-id", out var ids) ? ids.FirstOrDefault() : null;
            if (status == 200)
            {
                return new(ApnsOutcome.Sent, 200, null, "200: accepted by APNs.", ApnsId: echoed ?? apnsId);
            }
            var (reason, timestamp) = ReadError(await response.Content.ReadAsStringAsync(ct));
            return Classify(status, reason, timestamp, RetryAfter(response)) with { ApnsId = echoed ?? apnsId };
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new(ApnsOutcome.Retry, 0, null, $"APNs did not answer within {o.RequestTimeoutSeconds:0.#} s.");
        }
        catch (HttpRequestException e)
        {
            return new(ApnsOutcome.Retry, 0, null, $"Could not reach APNs at {o.Endpoint}: {e.Message}");
        }
        catch (IOException e)
        {
            return new(ApnsOutcome.Retry, 0, null, $"The connection to APNs at {o.Endpoint} broke: {e.Message}");
        }
    }

    /// <summary>What an APNs error answer means; <paramref name="timestamp"/> is the 410 body's (ms since the epoch).</summary>
    internal static ApnsAnswer Classify(int status, string? reason, long? timestamp, TimeSpan? retryAfter)
    {
        var said = reason is null ? $"{status}" : $"{status} {reason}";
        ApnsAnswer Answer(ApnsOutcome outcome, string why) => new(outcome, status, reason, $"{said}: {why}", outcome == ApnsOutcome.Retry ? retryAfter : null);
        return (status, reason) switch
        {
            (410, _) => Answer(ApnsOutcome.TokenGone, "the device token is no longer active for the app (the app was removed from the device).") with
            {
                UnregisteredAt = timestamp is { } ms and > 0 ? DateTime.SpecifyKind(DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime, DateTimeKind.Utc) : null,
            },
            (400, "BadDeviceToken") => Answer(ApnsOutcome.TokenGone, "APNs does not know this device token."),
            (400, "DeviceTokenNotForTopic") => Answer(ApnsOutcome.TokenGone, "the device token belongs to another app than the configured bundle id."),
            (400, "TopicDisallowed") => Answer(ApnsOutcome.AuthFailed, $"this key may not push to the topic; check {ApnsOptions.SectionName}:BundleId and the key's team."),
            (400, "BadTopic" or "MissingTopic") => Answer(ApnsOutcome.AuthFailed, $"the topic is missing or invalid; check {ApnsOptions.SectionName}:BundleId."),
            (400, "BadCollapseId") => Answer(ApnsOutcome.Rejected, "the collapse id is too long."),
            (400, "BadExpirationDate") => Answer(ApnsOutcome.Rejected, "the expiration date is invalid."),
            (400, "BadPriority") => Answer(ApnsOutcome.Rejected, "the priority is invalid."),
            (400, "PayloadEmpty") => Answer(ApnsOutcome.Rejected, "the payload is empty."),
            (400, _) => Answer(ApnsOutcome.Rejected, "APNs refused this notification as malformed."),
            (413, _) => Answer(ApnsOutcome.Rejected, $"the payload is over APNs' limit of {ApnsPayload.MaxBytes} bytes."),
            (403, "ExpiredProviderToken") => Answer(ApnsOutcome.AuthFailed, "the provider token is more than an hour old."),
            (403, "InvalidProviderToken") => Answer(ApnsOutcome.AuthFailed,
                $"APNs refused the provider token: check {ApnsOptions.SectionName}:KeyId, TeamId and that PrivateKey is that key's .p8."),
            (403, "MissingProviderToken") => Answer(ApnsOutcome.AuthFailed, "the request carried no provider token."),
            (403, _) => Answer(ApnsOutcome.AuthFailed, "APNs refused our credentials."),
            (429, "TooManyProviderTokenUpdates") => Answer(ApnsOutcome.Retry, "the provider token was replaced too often (more than once in 20 minutes)."),
            (429, _) => Answer(ApnsOutcome.Retry, "too many requests to this device token; try later."),
            (500, _) => Answer(ApnsOutcome.Retry, "APNs had an internal error; try later."),
            (503, _) => Answer(ApnsOutcome.Retry, "APNs is unavailable; try later."),
            (>= 500, _) => Answer(ApnsOutcome.Retry, "APNs failed; try later."),
            _ => Answer(ApnsOutcome.Rejected, "APNs gave an answer this client does not know."),
        };
    }

    private static (string? Reason, long? Timestamp) ReadError(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, null);
            }
            var reason = doc.RootElement.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
            var timestamp = doc.RootElement.TryGetProperty("timestamp", out var t) && t.ValueKind == JsonValueKind.Number && t.TryGetInt64(out var ms) ? ms : (long?)null;
            return (reason, timestamp);
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date > clock.GetUtcNow() ? date - clock.GetUtcNow() : TimeSpan.Zero,
        _ => null,
    };

    private static DateTime Utc(DateTime t) => t.Kind switch
    {
        DateTimeKind.Utc => t,
        DateTimeKind.Local => t.ToUniversalTime(),
        _ => DateTime.SpecifyKind(t, DateTimeKind.Utc),
    };

    private static bool IsHex(string token) =>
        token.Length is > 0 and <= 200 && token.Length % 2 == 0 && token.All(char.IsAsciiHexDigit);
}
