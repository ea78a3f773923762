using System.Text.Json;
using NewsPush.Tests.Infrastructure;

namespace NewsPush.Tests.Web.Devices.Fcm;

/// <summary>
/// The node stand-in for Google's token endpoint and FCM HTTP v1 (fcm-peer.js documents what it checks and its control
/// API) on a free loopback port: an xunit class fixture, or <c>await using var peer = await FcmPeer.StartAsync();</c>.
/// Tests keep apart by project: each makes its own account (<see cref="CreateAccountAsync"/>) and reads the records
/// and counts of that project only. Control methods throw <see cref="HttpRequestException"/> when the peer refuses one.
/// </summary>
public sealed class FcmPeer() : NodePeer("FCM peer", "NewsPush.Tests/Web/Devices/Fcm/fcm-peer.js", null)
{
    public static async Task<FcmPeer> StartAsync()
    {
        var peer = new FcmPeer();
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

    /// <summary>What FcmOptions.Endpoint should be.</summary>
    public string Endpoint => BaseUrl;

    /// <summary>The token endpoint (what the accounts' token_uri is).</summary>
    public string TokenUrl => BaseUrl + "/token";

    /// <summary>
    /// A new service account (fresh RSA-2048 key) of <paramref name="projectId"/> (random if null); its JSON is what
    /// FcmOptions.ServiceAccountJson takes. <paramref name="acceptAnyToken"/>: the project accepts any well-shaped device token.
    /// </summary>
    public async Task<PeerServiceAccount> CreateAccountAsync(string? projectId = null, bool acceptAnyToken = false)
    {
        var json = await SendAsync<JsonElement>(HttpMethod.Post, "_control/accounts", new { projectId, acceptAnyToken });
        return new PeerServiceAccount(json.GetRawText(), json.GetProperty("project_id").GetString()!, json.GetProperty("client_email").GetString()!,
            json.GetProperty("private_key_id").GetString()!, json.GetProperty("private_key").GetString()!);
    }

    /// <summary>The token endpoint refuses the account (invalid_grant "account not found") until enabled again.</summary>
    public Task DisableAccountAsync(string clientEmail) =>
        SendAsync<JsonElement>(HttpMethod.Post, $"_control/accounts/{Uri.EscapeDataString(clientEmail)}/disable", null);

    public Task EnableAccountAsync(string clientEmail) =>
        SendAsync<JsonElement>(HttpMethod.Post, $"_control/accounts/{Uri.EscapeDataString(clientEmail)}/enable", null);

    /// <summary><paramref name="count"/> new device tokens registered for the project.</summary>
    public async Task<IReadOnlyList<string>> RegisterDevicesAsync(string project, int count = 1) =>
        (await SendAsync<DevicesJson>(HttpMethod.Post, "_control/devices", new { project, count }))!.Tokens;

    /// <summary>Registers the given tokens (of the shape [A-Za-z0-9_:-]{32,4096}) for the project.</summary>
    public Task RegisterDevicesAsync(string project, IEnumerable<string> tokens) =>
        SendAsync<JsonElement>(HttpMethod.Post, "_control/devices", new { project, tokens });

    /// <summary>The app was uninstalled: FCM answers 404 UNREGISTERED for these tokens from now on.</summary>
    public Task UnregisterDevicesAsync(IEnumerable<string> tokens) =>
        SendAsync<JsonElement>(HttpMethod.Post, "_control/devices/remove", new { tokens });

    /// <summary>The next sends for the project (null: any project) get these answers in order, each <paramref name="times"/> times.</summary>
    public Task ScriptAsync(string? project, IEnumerable<FcmScriptedAnswer> answers, int times = 1) =>
        SendAsync<JsonElement>(HttpMethod.Post, "_control/script", new { project, answers, times });

    public Task ScriptAsync(string? project, FcmScriptedAnswer answer, int times = 1) => ScriptAsync(project, [answer], times);

    /// <summary>Every access token issued for the project (null: all) is refused from now on; how many were.</summary>
    public async Task<int> RevokeAccessTokensAsync(string? project) =>
        (await SendAsync<JsonElement>(HttpMethod.Post, "_control/revoke", new { project })).GetProperty("revoked").GetInt32();

    /// <summary>The messages the peer accepted for the project, oldest first.</summary>
    public async Task<IReadOnlyList<FcmPeerMessage>> MessagesAsync(string project) =>
        (await SendAsync<List<FcmPeerMessage>>(HttpMethod.Get, $"_control/messages?project={Uri.EscapeDataString(project)}", null))!;

    /// <summary>Every send the peer saw for the project, accepted or not, and how it answered.</summary>
    public async Task<IReadOnlyList<FcmPeerRequest>> RequestsAsync(string project) =>
        (await SendAsync<List<FcmPeerRequest>>(HttpMethod.Get, $"_control/requests?project={Uri.EscapeDataString(project)}", null))!;

    /// <summary>Every token request naming an account of the project, with the assertion's header and claims as received.</summary>
    public async Task<IReadOnlyList<FcmPeerTokenRequest>> TokenRequestsAsync(string project) =>
        (await SendAsync<List<FcmPeerTokenRequest>>(HttpMethod.Get, $"_control/token-requests?project={Uri.EscapeDataString(project)}", null))!;

    /// <summary>The counts of the project (null: of everything since the last reset).</summary>
    public async Task<FcmPeerStats> StatsAsync(string? project) =>
        (await SendAsync<FcmPeerStats>(HttpMethod.Get, project is null ? "_control/stats" : $"_control/stats?project={Uri.EscapeDataString(project)}", null))!;

    /// <summary>Off: the peer keeps counts only (benchmarks); reset turns it on again.</summary>
    public Task RecordMessagesAsync(bool record) => SendAsync<JsonElement>(HttpMethod.Post, "_control/options", new { recordMessages = record });

    /// <summary>Records, counts and scripts cleared; accounts, devices and issued tokens stay.</summary>
    public Task ResetAsync() => SendAsync<JsonElement>(HttpMethod.Post, "_control/reset", null);

    private sealed record DevicesJson(List<string> Tokens);
}

/// <summary>A service account on the peer: <see cref="Json"/> is the whole service-account JSON (a secret in real life).</summary>
public sealed record PeerServiceAccount(string Json, string ProjectId, string ClientEmail, string PrivateKeyId, string PrivateKeyPem);

/// <summary>
/// A scripted FCM answer: HTTP <see cref="Status"/>, FCM <see cref="ErrorCode"/> (null: no FcmError detail), the Google
/// status (default: the one FCM gives with that errorCode), the raw Retry-After header, a raw body instead of the error JSON.
/// </summary>
public sealed record FcmScriptedAnswer(int Status, string? ErrorCode = null, string? GrpcStatus = null, string? Message = null,
    string? RetryAfter = null, string? Body = null);

/// <summary>A message the peer accepted: the device token, its size as FCM counts it, and the message object as received.</summary>
public sealed record FcmPeerMessage(long Seq, string Project, string? Token, long AtMs, int Bytes, JsonElement Message);

/// <summary>A send and the peer's answer (<see cref="Detail"/>: why it refused, for failure messages).</summary>
public sealed record FcmPeerRequest(long Seq, string Project, long AtMs, int Status, string? ErrorCode, string? GrpcStatus, string? Detail);

/// <summary>A token request: whether the peer issued a token, else its OAuth error and why; the assertion's JWT header and claims.</summary>
public sealed record FcmPeerTokenRequest(long Seq, long AtMs, string? Project, string? ClientEmail, bool Accepted, string? Error, string? Detail,
    JsonElement Header, JsonElement Claims);

public sealed record FcmPeerStats(int TokenRequests, int TokensIssued, int TokenRefusals, int Sends, int Accepted, int Refused,
    Dictionary<string, int> Statuses);
