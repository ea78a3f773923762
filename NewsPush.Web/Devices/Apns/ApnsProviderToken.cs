using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace NewsPush.Web.Devices.Apns;

/// <summary>
/// The provider token (ES256 JWT) every send of this process carries. Apple refuses tokens older than an hour and answers
/// 429 TooManyProviderTokenUpdates to a team that makes new ones more often than every 20 minutes, so there is one token,
/// made anew only when it is <see cref="ApnsOptions.TokenRefreshMinutes"/> old, and never sooner than
/// <see cref="MinimumAgeForRenewal"/> after the last, not even when APNs calls it expired.
/// </summary>
public sealed class ApnsProviderToken(IOptions<ApnsOptions> options, TimeProvider clock) : IDisposable
{
    public static readonly TimeSpan MinimumAgeForRenewal = TimeSpan.FromMinutes(20);

    private readonly Lock gate = new();
    private volatile Issued? current;
    private ECDsa? key;
    private int issuedCount;

    /// <summary>How many tokens this process has signed.</summary>
    public int IssuedCount => Volatile.Read(ref issuedCount);

    /// <summary>
    /// The token to send: the current one, or a new one when it is <see cref="ApnsOptions.TokenRefreshMinutes"/> old.
    /// False with an admin-readable <paramref name="error"/> when the key or ids are missing or wrong (the key itself is never in it).
    /// </summary>
    public bool TryGet(out string token, out string error)
    {
        var refresh = TimeSpan.FromMinutes(options.Value.TokenRefreshMinutes);
        if (current is { } known && clock.GetUtcNow() - known.At < refresh)
        {
            (token, error) = (known.Jwt, "");
            return true;
        }
        lock (gate)
        {
            if (current is { } again && clock.GetUtcNow() - again.At < refresh)
            {
                (token, error) = (again.Jwt, "");
                return true;
            }
            return TrySign(out token, out error);
        }
    }

    /// <summary>
    /// After APNs answered 403 ExpiredProviderToken to <paramref name="rejected"/>: the token to resend with. That is the current
    /// one if another send already replaced the rejected token, a new one if the rejected token is at least 20 minutes old,
    /// and otherwise none (false): a new token now would count as a too-frequent update.
    /// </summary>
    public bool TryRenewExpired(string rejected, out string token, out string error)
    {
        lock (gate)
        {
            if (current is { } known && known.Jwt != rejected)
            {
                (token, error) = (known.Jwt, "");
                return true;
            }
            if (current is { } same && clock.GetUtcNow() - same.At < MinimumAgeForRenewal)
            {
                token = "";
                error = $"APNs calls the provider token expired though it is only {(clock.GetUtcNow() - same.At).TotalMinutes:0} min old; "
                    + "it is not renewed before 20 minutes (Apple refuses more frequent updates). Check this server's clock.";
                return false;
            }
            return TrySign(out token, out error);
        }
    }

    private bool TrySign(out string token, out string error)
    {
        token = "";
        var o = options.Value;
        if (!o.IsConfigured)
        {
            error = $"APNs is not configured: {ApnsOptions.SectionName} needs KeyId, TeamId, BundleId and PrivateKey (or PrivateKeyFile).";
            return false;
        }
        if (o.KeyId!.Length != 10 || o.TeamId!.Length != 10)
        {
            error = $"{ApnsOptions.SectionName}:KeyId and TeamId must be the 10-character ids Apple shows (key id {o.KeyId.Length} characters, team id {o.TeamId!.Length}).";
            return false;
        }
        if (key is null && !TryLoadKey(o, out error))
        {
            return false;
        }
        var now = clock.GetUtcNow();
        var header = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["alg"] = "ES256", ["kid"] = o.KeyId });
        var claims = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object> { ["iss"] = o.TeamId, ["iat"] = now.ToUnixTimeSeconds() });
        var signingInput = Base64Url.EncodeToString(header) + "." + Base64Url.EncodeToString(claims);
        // .NET signs in IEEE P1363 form (r‖s, 64 bytes), which is what JWS ES256 wants.
        var signature = key!.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256);
        token = signingInput + "." + Base64Url.EncodeToString(signature);
        current = new Issued(token, DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds()));
        Interlocked.Increment(ref issuedCount);
        error = "";
        return true;
    }

    private bool TryLoadKey(ApnsOptions o, out string error)
    {
        string pem;
        if (!string.IsNullOrWhiteSpace(o.PrivateKey))
        {
            pem = o.PrivateKey;
        }
        else
        {
            try
            {
                pem = File.ReadAllText(o.PrivateKeyFile!);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                error = $"{ApnsOptions.SectionName}:PrivateKeyFile could not be read ({e.GetType().Name}).";
                return false;
            }
        }
        var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportFromPem(pem);
            if (ecdsa.KeySize != 256)
            {
                throw new CryptographicException("not P-256");
            }
            // A public key imports too but cannot sign: find out now rather than per send.
            ecdsa.SignData([0], HashAlgorithmName.SHA256);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            ecdsa.Dispose();
            error = $"the APNs signing key ({ApnsOptions.SectionName}:{(string.IsNullOrWhiteSpace(o.PrivateKey) ? "PrivateKeyFile" : "PrivateKey")}) "
                + "is not the PEM text of an EC P-256 private key (Apple's .p8 file).";
            return false;
        }
        key = ecdsa;
        error = "";
        return true;
    }

    public void Dispose() => key?.Dispose();

    private sealed record Issued(string Jwt, DateTimeOffset At);
}
