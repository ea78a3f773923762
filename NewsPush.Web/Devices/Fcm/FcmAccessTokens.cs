using System.Net;
using Google.Apis.Auth.OAuth2;
using Google.Apis.Auth.OAuth2.Responses;
using Microsoft.Extensions.Options;

namespace NewsPush.Web.Devices.Fcm;

/// <summary>
/// The OAuth access tokens FCM wants, one source per process: a single Google service-account credential, which
/// caches its token until shortly before expiry and lets concurrent callers share one refresh, so parallel sends
/// do not each ask the token endpoint. When FCM refuses a token we hold, <see cref="Invalidate"/> swaps in a fresh
/// credential (only the first of many concurrent refusals does), so the next token is a new one.
/// Messages never contain the key: failures of the JSON are reported by kind only.
/// </summary>
public sealed class FcmAccessTokens(IOptions<FcmOptions> options)
{
    public const string Scope = "https://www.googleapis.com/auth/firebase.messaging";

    private readonly Lazy<Account> account = new(() => Account.Load(options.Value), LazyThreadSafetyMode.ExecutionAndPublication);
    private Issuer? current;

    /// <summary>The Firebase project sends go to (options, else the JSON's project_id); null when the account is unusable.</summary>
    public string? ProjectId => account.Value.ProjectId;

    /// <summary>A current access token, or why there is none (<see cref="FcmOutcome.AuthFailed"/> or <see cref="FcmOutcome.Retry"/>).</summary>
    internal async Task<(FcmAccessToken? Token, FcmAnswer Failure)> GetAsync(CancellationToken ct)
    {
        var loaded = account.Value;
        if (loaded.Failure is { } failure)
        {
            return (null, Failed(FcmOutcome.AuthFailed, failure));
        }
        var issuer = Volatile.Read(ref current) ?? Install(null, loaded);
        try
        {
            var token = await issuer.Credential.GetAccessTokenForRequestAsync(authUri: null, ct);
            return (new FcmAccessToken(token, loaded.ProjectId!, issuer), default);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (TokenResponseException e) when (e.StatusCode is { } s && ((int)s >= 500 || s == HttpStatusCode.TooManyRequests))
        {
            return (null, Failed(FcmOutcome.Retry, $"The Google token endpoint answered {(int)s}; FCM sends wait until it recovers.", (int)s));
        }
        catch (TokenResponseException e)
        {
            var error = e.Error?.Error ?? "no error code";
            var description = FcmText.Clip(e.Error?.ErrorDescription, 200);
            return (null, Failed(FcmOutcome.AuthFailed,
                $"The Google token endpoint refused the FCM service account {loaded.ClientEmail} ({error}{(description.Length > 0 ? ": " + description : "")}). " +
                "Check that the key in Push:Fcm is current and the account is not disabled or deleted.", (int?)e.StatusCode ?? 0));
        }
        catch (HttpRequestException e)
        {
            return (null, Failed(FcmOutcome.Retry, $"The Google token endpoint could not be reached ({e.HttpRequestError}); FCM sends wait until it can."));
        }
        catch (OperationCanceledException)
        {
            return (null, Failed(FcmOutcome.Retry, "The Google token endpoint did not answer in time; FCM sends wait until it does."));
        }
        catch (Exception e)
        {
            return (null, Failed(FcmOutcome.AuthFailed, $"No FCM access token could be made from the service account ({e.GetType().Name}); download a new key."));
        }
    }

    /// <summary>FCM refused <paramref name="token"/>: the next <see cref="GetAsync"/> fetches a new one (once for all who saw it refused).</summary>
    internal void Invalidate(FcmAccessToken token) => Install(token.Issuer, account.Value);

    private Issuer Install(Issuer? replacing, Account loaded)
    {
        var fresh = new Issuer(loaded.CreateCredential());
        var seen = Interlocked.CompareExchange(ref current, fresh, replacing);
        return seen == replacing ? fresh : seen!;
    }

    private static FcmAnswer Failed(FcmOutcome outcome, string detail, int status = 0) => new(outcome, status, null, detail);

    internal sealed class Issuer(ITokenAccess credential)
    {
        public ITokenAccess Credential { get; } = credential;
    }

    private sealed class Account
    {
        public string? Json { get; private init; }
        public string? ProjectId { get; private init; }
        public string? ClientEmail { get; private init; }
        public string? Failure { get; private init; }

        public ITokenAccess CreateCredential() =>
            (ITokenAccess)CredentialFactory.FromJson<ServiceAccountCredential>(Json!).ToGoogleCredential().CreateScoped(Scope).UnderlyingCredential;

        public static Account Load(FcmOptions o)
        {
            if (!o.IsConfigured)
            {
                return new Account { Failure = "FCM is not configured: set Push:Fcm:ServiceAccountJson or Push:Fcm:ServiceAccountFile." };
            }
            var json = o.ServiceAccountJson;
            if (string.IsNullOrWhiteSpace(json))
            {
                try
                {
                    json = File.ReadAllText(o.ServiceAccountFile!);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
                {
                    return new Account { Failure = $"The FCM service-account file {o.ServiceAccountFile} could not be read ({e.GetType().Name})." };
                }
            }
            ServiceAccountCredential credential;
            try
            {
                credential = CredentialFactory.FromJson<ServiceAccountCredential>(json);
            }
            catch (Exception e)
            {
                return new Account { Failure = $"Push:Fcm does not hold a usable service-account JSON ({e.GetType().Name}); download a new key in the Firebase console." };
            }
            var project = string.IsNullOrWhiteSpace(o.ProjectId) ? credential.ProjectId : o.ProjectId;
            if (string.IsNullOrWhiteSpace(project))
            {
                return new Account { Failure = "The FCM service account names no project_id; set Push:Fcm:ProjectId." };
            }
            return new Account { Json = json, ProjectId = project, ClientEmail = credential.Id };
        }
    }
}

/// <summary>An access token and the credential that issued it (to drop that one if FCM refuses the token).</summary>
internal sealed record FcmAccessToken(string Value, string ProjectId, FcmAccessTokens.Issuer Issuer);
