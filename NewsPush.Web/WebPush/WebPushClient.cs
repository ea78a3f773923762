using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Lib.Net.Http.WebPush;
using Lib.Net.Http.WebPush.Authentication;
using Microsoft.Extensions.Options;

namespace NewsPush.Web.WebPush;

/// <summary>
/// The VAPID signer, one per process: the library's <see cref="VapidAuthentication"/> built from the key store, with
/// tokens cached per push service (audience) so one is signed every few hours rather than per message.
/// </summary>
public sealed class VapidSigner(VapidKeyStore keys, IOptions<WebPushOptions> options) : IDisposable
{
    /// <summary>Token lifetime (RFC 8292: at most 24 h); a cached token is replaced when less than an hour is left.</summary>
    public const int TokenSeconds = 12 * 3600;

    private readonly SemaphoreSlim gate = new(1, 1);
    private VapidAuthentication? authentication;
    private TokenCache? cache;

    public async Task<VapidAuthentication> GetAsync(CancellationToken ct)
    {
        if (authentication is { } known)
        {
            return known;
        }
        await gate.WaitAsync(ct);
        try
        {
            if (authentication is null)
            {
                var pair = await keys.GetAsync(ct);
                cache = new TokenCache();
                authentication = new VapidAuthentication(pair.PublicKey, pair.PrivateKey)
                {
                    Subject = options.Value.Subject, Expiration = TokenSeconds, TokenCache = cache,
                };
            }
            return authentication;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Signs, one at a time, the tokens of push services not in the cache yet, so the parallel sends that follow only
    /// read the cache (the signer's key object is not documented as safe for concurrent use).
    /// </summary>
    public async Task PrepareAsync(IEnumerable<string> endpoints, CancellationToken ct)
    {
        var auth = await GetAsync(ct);
        foreach (var audience in endpoints.Select(Audience).Distinct())
        {
            if (cache!.Get(audience) is null)
            {
                await gate.WaitAsync(ct);
                try
                {
                    auth.GetVapidSchemeAuthenticationHeaderValueParameter(audience);
                }
                finally
                {
                    gate.Release();
                }
            }
        }
    }

    /// <summary>The <c>Authorization: vapid</c> parameter (<c>t=…, k=…</c>) for a push service, from the token cache.</summary>
    public async ValueTask<string> AuthorizationAsync(Uri endpoint, CancellationToken ct)
    {
        var auth = await GetAsync(ct);
        var audience = endpoint.Scheme + "://" + endpoint.Host;
        if (cache!.Get(audience) is null)
        {
            // A push service first seen mid-group (PrepareAsync normally signed it already): signed under the gate.
            await gate.WaitAsync(ct);
            try
            {
                return auth.GetVapidSchemeAuthenticationHeaderValueParameter(audience);
            }
            finally
            {
                gate.Release();
            }
        }
        return auth.GetVapidSchemeAuthenticationHeaderValueParameter(audience);
    }

    /// <summary>The audience the library signs for: scheme and host, no port (real push services use 443).</summary>
    public static string Audience(string endpoint)
    {
        var uri = new Uri(endpoint);
        return uri.Scheme + "://" + uri.Host;
    }

    public void Dispose() => authentication?.Dispose();

    /// <summary>On the wall clock, as the library stamps <c>exp</c> with it and push services check it against theirs.</summary>
    private sealed class TokenCache : IVapidTokenCache
    {
        private readonly ConcurrentDictionary<string, (string Token, DateTimeOffset Expires)> tokens = new();

        public string? Get(string audience) =>
            tokens.TryGetValue(audience, out var t) && t.Expires - DateTimeOffset.UtcNow > TimeSpan.FromHours(1) ? t.Token : null;

        public void Put(string audience, DateTimeOffset expiration, string token) => tokens[audience] = (token, expiration);
    }
}

/// <summary>What goes to one browser: the JSON the service worker reads, and the headers the push service acts on.</summary>
public sealed record WebPushMessage(byte[] Payload, int TimeToLiveSeconds, PushMessageUrgency Urgency = PushMessageUrgency.Normal, string? Topic = null);

/// <summary>
/// A typed HttpClient (pooled connections from the factory) that posts one encrypted message to a push service
/// (RFC 8030 §5): <see cref="WebPushEncryption"/> for the body, the library's VAPID token from <see cref="VapidSigner"/>
/// (cached per push service), an explicit TTL on every message. 200, 201 and 202 are accepted (as the library does, for
/// Mozilla's autopush); anything else throws <see cref="PushServiceClientException"/> with the status, headers and
/// body, and the outbox decides what to do (no automatic wait on 429).
/// </summary>
public sealed class WebPushClient(HttpClient http, VapidSigner signer)
{
    private static readonly MediaTypeHeaderValue OctetStream = new("application/octet-stream");

    public async Task SendAsync(string endpoint, string p256dh, string auth, WebPushMessage message, CancellationToken ct)
    {
        var uri = new Uri(endpoint);
        var authorization = await signer.AuthorizationAsync(uri, ct);
        var body = WebPushEncryption.Encrypt(message.Payload, Base64Url.DecodeFromChars(p256dh), Base64Url.DecodeFromChars(auth));
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(body) };
        request.Headers.TryAddWithoutValidation("TTL", message.TimeToLiveSeconds.ToString(CultureInfo.InvariantCulture));
        request.Headers.Authorization = new AuthenticationHeaderValue("vapid", authorization);
        if (Urgencies.GetValueOrDefault(message.Urgency) is { } urgency)
        {
            request.Headers.TryAddWithoutValidation("Urgency", urgency);
        }
        if (!string.IsNullOrWhiteSpace(message.Topic))
        {
            request.Headers.TryAddWithoutValidation("Topic", message.Topic);
        }
        request.Content.Headers.ContentType = OctetStream;
        request.Content.Headers.ContentEncoding.Add("aes128gcm");
        using var response = await http.SendAsync(request, ct);
        if (response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK or HttpStatusCode.Accepted)
        {
            return;
        }
        var text = await response.Content.ReadAsStringAsync(ct);
        var subscription = new PushSubscription { Endpoint = endpoint };
        throw new PushServiceClientException(response.ReasonPhrase ?? response.StatusCode.ToString(), response.StatusCode, response.Headers, text, subscription);
    }

    /// <summary>RFC 8030 §5.3; normal is the default and is not sent.</summary>
    private static readonly Dictionary<PushMessageUrgency, string?> Urgencies = new()
    {
        [PushMessageUrgency.VeryLow] = "very-low", [PushMessageUrgency.Low] = "low", [PushMessageUrgency.Normal] = null, [PushMessageUrgency.High] = "high",
    };
}
