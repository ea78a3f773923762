using System.Buffers;
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using NewsPush.Web.Devices.Fcm;

namespace NewsPush.Web.Cli;

/// <summary>Request counts and the first refusal, shared by the two loopback peers of <c>bench devices</c>.</summary>
internal abstract class LoopbackPeer : IAsyncDisposable
{
    protected const int MaxBody = 4096;

    private WebApplication app = null!;
    private long checkedCount;
    private long accepted;
    private long refused;
    private long connections;
    private string? firstRefusal;

    public string BaseUrl { get; private set; } = "";

    public long Checked => Interlocked.Read(ref checkedCount);

    public long Accepted => Interlocked.Read(ref accepted);

    public long Refused => Interlocked.Read(ref refused);

    /// <summary>TCP connections the sender opened to this peer.</summary>
    public long Connections => Interlocked.Read(ref connections);

    public string? FirstRefusal => Volatile.Read(ref firstRefusal);

    protected async Task StartAsync(HttpProtocols protocols, Action<KestrelServerOptions>? limits, CancellationToken ct)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            limits?.Invoke(k);
            k.Listen(IPAddress.Loopback, 0, l =>
            {
                l.Protocols = protocols;
                l.Use(next => connection =>
                {
                    Interlocked.Increment(ref connections);
                    return next(connection);
                });
            });
        });
        app = builder.Build();
        app.Run(HandleAsync);
        await app.StartAsync(ct);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUrl = address.Replace("localhost", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/');
    }

    protected abstract Task HandleAsync(HttpContext context);

    protected void Accept() => Interlocked.Increment(ref accepted);

    /// <summary>Counts one checked request; a non-null <paramref name="problem"/> is a refusal (the first one is kept to print).</summary>
    protected void Count(HttpRequest request, string? problem)
    {
        Interlocked.Increment(ref checkedCount);
        if (problem is not null)
        {
            Interlocked.Increment(ref refused);
            Note(request, problem);
        }
    }

    /// <summary>Keeps the first refusal of any request, to print.</summary>
    protected void Note(HttpRequest request, string problem) =>
        Interlocked.CompareExchange(ref firstRefusal, $"{request.Method} {request.Path}: {problem}", null);

    /// <summary>The body into a pooled buffer (at most <see cref="MaxBody"/> + 1 bytes, so an oversized one shows); return it to the pool.</summary>
    protected static async Task<(byte[] Buffer, int Length)> ReadBodyAsync(HttpContext context)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(MaxBody + 1);
        var length = 0;
        int read;
        while (length <= MaxBody && (read = await context.Request.Body.ReadAsync(buffer.AsMemory(length, MaxBody + 1 - length), context.RequestAborted)) > 0)
        {
            length += read;
        }
        return (buffer, length);
    }

    protected static string? Jwt(string jwt, out JsonElement header, out JsonElement claims, out byte[] signingInput, out byte[] signature)
    {
        (header, claims, signingInput, signature) = (default, default, [], []);
        var parts = jwt.Split('.');
        if (parts.Length != 3)
        {
            return "not a JWT of three parts";
        }
        try
        {
            using (var h = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0])))
            {
                header = h.RootElement.Clone();
            }
            using (var c = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1])))
            {
                claims = c.RootElement.Clone();
            }
            signature = Base64Url.DecodeFromChars(parts[2]);
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return "a JWT part is not base64url JSON";
        }
        signingInput = Encoding.ASCII.GetBytes(string.Concat(parts[0], ".", parts[1]));
        return header.ValueKind == JsonValueKind.Object && claims.ValueKind == JsonValueKind.Object ? null : "the JWT header or claims are not objects";
    }

    protected static string? Text(JsonElement o, string name) =>
        o.ValueKind == JsonValueKind.Object && o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    protected static long? Integer(JsonElement o, string name) =>
        o.ValueKind == JsonValueKind.Object && o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) ? n : null;

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}

/// <summary>
/// Google's token endpoint and FCM HTTP v1 in one loopback Kestrel app (HTTP/1.1, which is what the FCM client speaks over
/// http:). <c>POST /token</c> verifies the service account's RS256 assertion with the public half of the key the bench made
/// (grant type, kid, iss, aud, scope, a lifetime of at most an hour) and issues an access token for 3599 s.
/// <c>POST /v1/projects/{project}/messages:send</c> wants our project, a Bearer token issued here, a JSON body of at most
/// 4,096 bytes with message.token a token the bench registered, a notification title, android.priority normal or high and
/// android.ttl a duration of at most 4 weeks; 200 <c>{"name":…}</c>, else Google's error JSON.
/// </summary>
internal sealed partial class LoopbackFcm : LoopbackPeer
{
    public const string Audience = "https://oauth2.googleapis.com/token";
    private const string JwtBearer = "urn:ietf:params:oauth:grant-type:jwt-bearer";
    private const long MaxTtlSeconds = 28L * 24 * 3600;

    private readonly RSA key = RSA.Create(2048);
    private readonly FrozenSet<string> devices;
    private readonly ConcurrentDictionary<string, byte> issued = new(StringComparer.Ordinal);
    private long tokenRequests;
    private long tokenRefusals;
    private long names;

    private LoopbackFcm(IEnumerable<string> devices) => this.devices = devices.ToFrozenSet(StringComparer.Ordinal);

    public string ProjectId { get; } = "newspush-bench";

    public string ClientEmail => $"push-sender@{ProjectId}.iam.gserviceaccount.com";

    public string PrivateKeyId { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));

    public long TokenRequests => Interlocked.Read(ref tokenRequests);

    public int TokensIssued => issued.Count;

    public long TokenRefusals => Interlocked.Read(ref tokenRefusals);

    public static async Task<LoopbackFcm> StartAsync(IEnumerable<string> devices, CancellationToken ct)
    {
        var peer = new LoopbackFcm(devices);
        await peer.StartAsync(HttpProtocols.Http1, null, ct);
        return peer;
    }

    /// <summary>The service-account JSON as the Firebase console gives it, with token_uri at this peer.</summary>
    public string ServiceAccountJson() => JsonSerializer.Serialize(new Dictionary<string, string>
    {
        ["type"] = "service_account", ["project_id"] = ProjectId, ["private_key_id"] = PrivateKeyId, ["private_key"] = key.ExportPkcs8PrivateKeyPem(),
        ["client_email"] = ClientEmail, ["client_id"] = "100000000000000000001", ["auth_uri"] = "https://accounts.google.com/o/oauth2/auth",
        ["token_uri"] = BaseUrl + "/token",
    });

    [GeneratedRegex(@"^\d+(\.\d{1,9})?s$", RegexOptions.CultureInvariant)]
    private static partial Regex Duration();

    [GeneratedRegex("^/v1/projects/([^/]+)/messages:send$", RegexOptions.CultureInvariant)]
    private static partial Regex SendPath();

    protected override Task HandleAsync(HttpContext context)
    {
        if (context.Request.Method == HttpMethods.Post && context.Request.Path == "/token")
        {
            return TokenAsync(context);
        }
        return SendPath().Match(context.Request.Path.Value ?? "") is { Success: true } m && context.Request.Method == HttpMethods.Post
            ? SendAsync(context, m.Groups[1].Value)
            : RefuseAsync(context, 404, "NOT_FOUND", "not an FCM resource");
    }

    private async Task TokenAsync(HttpContext context)
    {
        Interlocked.Increment(ref tokenRequests);
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var problem = CheckAssertion(form["grant_type"].ToString(), form["assertion"].ToString());
        if (problem is not null)
        {
            Interlocked.Increment(ref tokenRefusals);
            Note(context.Request, problem);
            context.Response.StatusCode = 400;
            await WriteJsonAsync(context, new Dictionary<string, string> { ["error"] = "invalid_grant", ["error_description"] = problem });
            return;
        }
        var access = "ya29.bench-" + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        issued[access] = 0;
        await WriteJsonAsync(context, new Dictionary<string, object> { ["access_token"] = access, ["expires_in"] = 3599, ["token_type"] = "Bearer" });
    }

    private string? CheckAssertion(string grantType, string assertion)
    {
        if (grantType != JwtBearer)
        {
            return $"grant_type is {grantType}, not {JwtBearer}";
        }
        if (Jwt(assertion, out var header, out var claims, out var input, out var signature) is { } malformed)
        {
            return malformed;
        }
        if (Text(header, "alg") != "RS256" || Text(header, "kid") != PrivateKeyId)
        {
            return "the assertion is not RS256 with our private_key_id as kid";
        }
        if (!key.VerifyData(input, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
        {
            return "Invalid JWT Signature.";
        }
        if (Text(claims, "iss") != ClientEmail || Text(claims, "aud") != Audience)
        {
            return $"iss is not {ClientEmail} or aud not {Audience}";
        }
        if (Text(claims, "scope")?.Split(' ').Contains(FcmAccessTokens.Scope) != true)
        {
            return $"the scope does not include {FcmAccessTokens.Scope}";
        }
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return Integer(claims, "iat") is { } iat && Integer(claims, "exp") is { } exp && exp > iat && exp - iat <= 3600 && exp >= now - 300 && iat <= now + 300
            ? null : "iat/exp are not a lifetime of at most an hour around now";
    }

    private async Task SendAsync(HttpContext context, string project)
    {
        var request = context.Request;
        var (buffer, length) = await ReadBodyAsync(context);
        try
        {
            var authorization = request.Headers.Authorization.ToString();
            if (!authorization.StartsWith("Bearer ", StringComparison.Ordinal) || !issued.ContainsKey(authorization[7..]))
            {
                Count(request, "Authorization is not Bearer <an access token issued here>");
                await RefuseAsync(context, 401, "UNAUTHENTICATED", "Request had invalid authentication credentials.");
                return;
            }
            if (project != ProjectId)
            {
                Count(request, $"project {project} is not {ProjectId}");
                await RefuseAsync(context, 403, "PERMISSION_DENIED", "The caller does not have permission");
                return;
            }
            var problem = request.ContentType?.StartsWith("application/json", StringComparison.Ordinal) != true ? "Content-Type is not application/json"
                : length > MaxBody ? $"the message is over {MaxBody} bytes"
                : CheckMessage(buffer.AsSpan(0, length));
            Count(request, problem);
            if (problem is not null)
            {
                await RefuseAsync(context, 400, "INVALID_ARGUMENT", problem);
                return;
            }
            Accept();
            var n = Interlocked.Increment(ref names);
            context.Response.ContentType = "application/json; charset=UTF-8";
            await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes($"{{\"name\":\"projects/{ProjectId}/messages/0:{n}\"}}"), context.RequestAborted);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private string? CheckMessage(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            using var json = JsonDocument.ParseValue(ref reader);
            if (!json.RootElement.TryGetProperty("message", out var message) || message.ValueKind != JsonValueKind.Object)
            {
                return "no message object";
            }
            if (Text(message, "token") is not { } token || !devices.Contains(token))
            {
                return "message.token is not a registered device token";
            }
            if (!message.TryGetProperty("notification", out var notification) || Text(notification, "title") is not { Length: > 0 })
            {
                return "no message.notification.title";
            }
            if (!message.TryGetProperty("android", out var android) || android.ValueKind != JsonValueKind.Object)
            {
                return "no message.android";
            }
            if (Text(android, "priority") is not ("normal" or "high"))
            {
                return "android.priority is not normal or high";
            }
            if (Text(android, "ttl") is not { } ttl || !Duration().IsMatch(ttl)
                || double.Parse(ttl.AsSpan(0, ttl.Length - 1), CultureInfo.InvariantCulture) > MaxTtlSeconds)
            {
                return "android.ttl is not a duration of at most 4 weeks";
            }
            return null;
        }
        catch (JsonException e)
        {
            return "the body is not JSON: " + e.Message;
        }
    }

    private static Task RefuseAsync(HttpContext context, int status, string grpcStatus, string message)
    {
        context.Response.StatusCode = status;
        return WriteJsonAsync(context, new { error = new { code = status, message, status = grpcStatus } });
    }

    private static Task WriteJsonAsync<T>(HttpContext context, T value)
    {
        context.Response.ContentType = "application/json; charset=UTF-8";
        return context.Response.Body.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(value), context.RequestAborted).AsTask();
    }
}

/// <summary>
/// APNs' provider API on loopback: Kestrel with HTTP/2 only (h2c with prior knowledge, as the APNs client sends over http:),
/// up to 1,000 concurrent streams a connection as APNs allows. <c>POST /3/device/{token}</c> wants HTTP/2, a provider token
/// (ES256, our key id, our team, issued within the hour) that verifies with the public half of the key the bench made — each
/// distinct token string is verified once and then remembered —, apns-topic our bundle id, apns-push-type alert,
/// apns-priority 5 or 10, a numeric apns-expiration, a collapse id of at most 64 bytes, a token the bench registered, and a
/// JSON payload of at most 4,096 bytes with an aps object holding an alert; 200 with apns-id, else APNs' reason.
/// </summary>
internal sealed class LoopbackApns : LoopbackPeer
{
    private readonly ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly FrozenSet<string> devices;
    private readonly ConcurrentDictionary<string, byte> verified = new(StringComparer.Ordinal);
    private long notHttp2;

    private LoopbackApns(IEnumerable<string> devices) => this.devices = devices.ToFrozenSet(StringComparer.Ordinal);

    public string KeyId => "BENCHKEY01";

    public string TeamId => "BENCHTEAM1";

    public string BundleId => "news.newspush.bench";

    public string PrivateKeyPem => key.ExportPkcs8PrivateKeyPem();

    /// <summary>Distinct provider tokens that verified.</summary>
    public int ProviderTokens => verified.Count;

    public long NotHttp2 => Interlocked.Read(ref notHttp2);

    public static async Task<LoopbackApns> StartAsync(IEnumerable<string> devices, CancellationToken ct)
    {
        var peer = new LoopbackApns(devices);
        await peer.StartAsync(HttpProtocols.Http2, k => k.Limits.Http2.MaxStreamsPerConnection = 1000, ct);
        return peer;
    }

    protected override async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var (buffer, length) = await ReadBodyAsync(context);
        try
        {
            var (status, reason) = Check(request, buffer.AsSpan(0, length));
            Count(request, reason);
            var apnsId = request.Headers["apns-id"] is [{ } id] ? id : Guid.NewGuid().ToString("D");
            context.Response.Headers["apns-id"] = apnsId;
            if (reason is not null)
            {
                context.Response.StatusCode = status;
                context.Response.ContentType = "application/json";
                await context.Response.Body.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(new { reason = reason.Split(':')[0] }), context.RequestAborted);
                return;
            }
            Accept();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The status and APNs reason (with why after a colon, for the printout) of a refusal; (200, null) when accepted.</summary>
    private (int Status, string? Reason) Check(HttpRequest request, ReadOnlySpan<byte> body)
    {
        if (request.Protocol != "HTTP/2")
        {
            Interlocked.Increment(ref notHttp2);
            return (400, $"BadRequest: {request.Protocol}, not HTTP/2");
        }
        if (request.Method != HttpMethods.Post || !request.Path.StartsWithSegments("/3/device", out var rest) || rest.Value is not { Length: > 1 } t)
        {
            return (404, "BadPath: not /3/device/{token}");
        }
        var authorization = request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("bearer ", StringComparison.Ordinal))
        {
            return (403, "MissingProviderToken: no bearer token");
        }
        var jwt = authorization[7..];
        if (!verified.ContainsKey(jwt))
        {
            if (Verify(jwt) is { } invalid)
            {
                return (403, "InvalidProviderToken: " + invalid);
            }
            verified[jwt] = 0;
        }
        if (request.Headers["apns-topic"] != BundleId)
        {
            return (400, $"BadTopic: apns-topic is not {BundleId}");
        }
        if (request.Headers["apns-push-type"] != "alert")
        {
            return (400, "InvalidPushType: apns-push-type is not alert");
        }
        if (request.Headers["apns-priority"] is not ["5" or "10"])
        {
            return (400, "BadPriority: apns-priority is not 5 or 10");
        }
        if (request.Headers["apns-expiration"] is not [{ } expiration] || !long.TryParse(expiration, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            return (400, "BadExpirationDate: apns-expiration is not Unix seconds");
        }
        if (request.Headers["apns-collapse-id"] is [{ } collapse] && Encoding.UTF8.GetByteCount(collapse) > 64)
        {
            return (400, "BadCollapseId: over 64 bytes");
        }
        if (!devices.Contains(t[1..]))
        {
            return (400, "BadDeviceToken: not a registered device token");
        }
        if (body.Length == 0)
        {
            return (400, "PayloadEmpty: no payload");
        }
        if (body.Length > MaxBody)
        {
            return (413, $"PayloadTooLarge: over {MaxBody} bytes");
        }
        try
        {
            var reader = new Utf8JsonReader(body);
            using var json = JsonDocument.ParseValue(ref reader);
            return json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("aps", out var aps)
                && aps.ValueKind == JsonValueKind.Object && aps.TryGetProperty("alert", out _)
                ? (200, null) : (400, "BadPayload: no aps object with an alert");
        }
        catch (JsonException)
        {
            return (400, "BadPayload: not JSON");
        }
    }

    private string? Verify(string jwt)
    {
        if (Jwt(jwt, out var header, out var claims, out var input, out var signature) is { } malformed)
        {
            return malformed;
        }
        if (Text(header, "alg") != "ES256" || Text(header, "kid") != KeyId || Text(claims, "iss") != TeamId)
        {
            return "not ES256 with our key id and team id";
        }
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        if (Integer(claims, "iat") is not { } iat || iat < now - 3600 || iat > now + 300)
        {
            return "iat is not within the last hour";
        }
        return signature.Length == 64 && key.VerifyData(input, signature, HashAlgorithmName.SHA256) ? null : "the signature does not verify with our key";
    }
}
