using System.Collections.Concurrent;
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

/// <summary>
/// A typed HttpClient (pooled connections from the factory) wrapped in the library's <see cref="PushServiceClient"/>:
/// no automatic wait on 429 (a retry goes back to the outbox with the service's Retry-After), explicit TTL on every message.
/// </summary>
public sealed class WebPushClient(HttpClient http, VapidSigner signer)
{
    private readonly PushServiceClient client = new(http) { AutoRetryAfter = false, MaxRetriesAfter = 1 };

    public async Task SendAsync(PushSubscription subscription, PushMessage message, CancellationToken ct)
    {
        var auth = await signer.GetAsync(ct);
        await client.RequestPushMessageDeliveryAsync(subscription, message, auth, ct);
    }
}
