using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace NewsPush.Web.Devices.Fcm;

/// <summary>
/// Sends one message to one device through FCM HTTP v1 (<c>POST {Endpoint}/v1/projects/{project}/messages:send</c>) and
/// says what to do next as an <see cref="FcmAnswer"/>. A typed HttpClient: thread-safe and meant to be used in parallel.
/// Answers are matched on FCM's errorCode (the FcmError detail), else on the Google error status, never on message
/// text, except "not a valid FCM registration token", the one INVALID_ARGUMENT that means the token is dead.
/// </summary>
public sealed class FcmClient(HttpClient http, FcmAccessTokens tokens, IOptions<FcmOptions> options, TimeProvider clock)
{
    private const string FcmErrorType = "type.googleapis.com/google.firebase.fcm.v1.FcmError";
    private const string InvalidTokenMessage = "not a valid FCM registration token";
    private static readonly MediaTypeHeaderValue JsonType = MediaTypeHeaderValue.Parse("application/json; charset=utf-8");

    private readonly ConcurrentDictionary<string, Uri> sendUris = new(StringComparer.Ordinal);

    /// <summary>
    /// Never throws for FCM's or the network's answer; throws only <see cref="OperationCanceledException"/> when
    /// <paramref name="ct"/> is cancelled. A 401 UNAUTHENTICATED for our access token is retried once with a new token.
    /// </summary>
    public async Task<FcmAnswer> SendAsync(FcmNotification n, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(n);
        ct.ThrowIfCancellationRequested();
        var body = FcmMessage.Write(n, out var problem);
        if (body is null)
        {
            return new FcmAnswer(FcmOutcome.Rejected, 0, null, problem!);
        }
        for (var attempt = 1; ; attempt++)
        {
            var (token, failure) = await tokens.GetAsync(ct);
            if (token is null)
            {
                return failure;
            }
            var answer = await PostAsync(token, body, ct);
            if (answer.ErrorCode != "UNAUTHENTICATED")
            {
                return answer;
            }
            if (attempt == 2)
            {
                return answer with
                {
                    Outcome = FcmOutcome.AuthFailed,
                    Detail = "401 UNAUTHENTICATED: FCM refused a freshly issued access token too; check the service account and its Firebase roles.",
                };
            }
            tokens.Invalidate(token);
        }
    }

    private async Task<FcmAnswer> PostAsync(FcmAccessToken token, byte[] body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, SendUri(token.ProjectId))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = JsonType;
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Value);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
            var content = await response.Content.ReadAsByteArrayAsync(ct);
            return Interpret(response, content, token.ProjectId);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            return new FcmAnswer(FcmOutcome.Retry, 0, null, $"FCM did not answer within {options.Value.RequestTimeoutSeconds:0.#} s; retry later.");
        }
        catch (HttpRequestException e)
        {
            return new FcmAnswer(FcmOutcome.Retry, 0, null, $"FCM could not be reached ({e.HttpRequestError}); retry later.");
        }
    }

    private Uri SendUri(string project) =>
        sendUris.GetOrAdd(project, p => new Uri($"{options.Value.Endpoint.TrimEnd('/')}/v1/projects/{Uri.EscapeDataString(p)}/messages:send"));

    private FcmAnswer Interpret(HttpResponseMessage response, byte[] content, string project)
    {
        var status = (int)response.StatusCode;
        if (response.IsSuccessStatusCode)
        {
            return new FcmAnswer(FcmOutcome.Sent, status, null, $"{status}: FCM accepted the message.", MessageName: MessageName(content));
        }
        var (grpcStatus, errorCode, message) = Error(content);
        var code = errorCode ?? grpcStatus;
        var retryAfter = RetryAfter(response.Headers.RetryAfter);
        var later = retryAfter is { } wait ? $"retry after {Math.Ceiling(wait.TotalSeconds):0} s" : "retry later";
        var head = code is null ? $"{status}" : $"{status} {code}";
        return code switch
        {
            "UNREGISTERED" => new(FcmOutcome.TokenGone, status, code, $"{head}: the app was uninstalled or the token expired."),
            "SENDER_ID_MISMATCH" => new(FcmOutcome.TokenGone, status, code, $"{head}: the token belongs to another Firebase project."),
            "INVALID_ARGUMENT" when message?.Contains(InvalidTokenMessage, StringComparison.OrdinalIgnoreCase) == true =>
                new(FcmOutcome.TokenGone, status, code, $"{head}: the token is not a valid FCM registration token."),
            "INVALID_ARGUMENT" => new(FcmOutcome.Rejected, status, code, $"{head}: FCM refused the message: {Said(message)}"),
            "QUOTA_EXCEEDED" or "RESOURCE_EXHAUSTED" =>
                new(FcmOutcome.Retry, status, code, $"{head}: the Firebase project's sending quota is used up; {later}.", retryAfter),
            "UNAVAILABLE" => new(FcmOutcome.Retry, status, code, $"{head}: FCM is overloaded; {later}.", retryAfter),
            "INTERNAL" => new(FcmOutcome.Retry, status, code, $"{head}: FCM had an internal error; {later}.", retryAfter),
            "THIRD_PARTY_AUTH_ERROR" or "APNS_AUTH_ERROR" => new(FcmOutcome.AuthFailed, status, code,
                $"{head}: the APNs certificate or auth key (or the web push key) is missing or invalid in the Firebase project settings."),
            "PERMISSION_DENIED" => new(FcmOutcome.AuthFailed, status, code,
                $"{head}: the service account may not send for Firebase project {project}; check Push:Fcm:ProjectId and the account's roles."),
            // Our access token was refused: SendAsync fetches a new one and tries once more.
            "UNAUTHENTICATED" => new(FcmOutcome.AuthFailed, status, code, $"{head}: FCM refused the access token."),
            _ when status >= 500 || status is 429 or 408 => new(FcmOutcome.Retry, status, code, $"{head}: FCM failed for now; {later}.", retryAfter),
            _ when status is >= 300 and < 400 => new(FcmOutcome.Rejected, status, code, $"{head}: FCM answered with a redirect; check Push:Fcm:Endpoint."),
            _ => new(FcmOutcome.Rejected, status, code, $"{head}: FCM refused the message: {Said(message)}"),
        };
    }

    private static string Said(string? message) => FcmText.Clip(message, 300) is { Length: > 0 } said ? said : "no reason given.";

    private TimeSpan? RetryAfter(RetryConditionHeaderValue? header)
    {
        if (header?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }
        if (header?.Date is { } date)
        {
            var wait = date - clock.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }
        return null;
    }

    private static string? MessageName(byte[] content)
    {
        try
        {
            using var doc = JsonDocument.Parse(content);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("name", out var name)
                && name.ValueKind == JsonValueKind.String ? name.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>error.status, the FcmError detail's errorCode and error.message of Google's error JSON (nulls when it is not one).</summary>
    private static (string? Status, string? ErrorCode, string? Message) Error(byte[] content)
    {
        if (content.Length == 0)
        {
            return (null, null, null);
        }
        try
        {
            using var doc = JsonDocument.Parse(content);
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("error", out var error)
                || error.ValueKind != JsonValueKind.Object)
            {
                return (null, null, null);
            }
            var status = error.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
            var message = error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
            string? errorCode = null;
            if (error.TryGetProperty("details", out var details) && details.ValueKind == JsonValueKind.Array)
            {
                foreach (var detail in details.EnumerateArray())
                {
                    if (detail.ValueKind == JsonValueKind.Object
                        && detail.TryGetProperty("@type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == FcmErrorType
                        && detail.TryGetProperty("errorCode", out var c) && c.ValueKind == JsonValueKind.String)
                    {
                        errorCode = c.GetString();
                        break;
                    }
                }
            }
            return (string.IsNullOrEmpty(status) ? null : status, string.IsNullOrEmpty(errorCode) ? null : errorCode, message);
        }
        catch (JsonException)
        {
            return (null, null, null);
        }
    }
}
