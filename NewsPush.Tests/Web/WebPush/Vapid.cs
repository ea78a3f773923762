using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace NewsPush.Tests.Web.WebPush;

/// <summary>A VAPID key pair (RFC 8292), base64url: the 65-byte uncompressed public key and the 32-byte private key.</summary>
public sealed record VapidKeys(string PublicKey, string PrivateKey)
{
    public static VapidKeys Generate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var p = key.ExportParameters(includePrivateParameters: true);
        return new VapidKeys(Base64Url.EncodeToString([0x04, .. p.Q.X!, .. p.Q.Y!]), Base64Url.EncodeToString(p.D));
    }
}

/// <summary>
/// ES256 VAPID tokens written from RFC 8292 and RFC 7515, sharing no code with Lib.Net.Http.WebPush: the tests
/// check its tokens with <see cref="Verify"/> and forge bad ones with <see cref="Sign"/>.
/// </summary>
public static class Vapid
{
    /// <summary>The claims of a token whose ES256 signature verifies with <paramref name="k"/>; throws <see cref="CryptographicException"/> otherwise.</summary>
    public static JsonElement Verify(string token, string k)
    {
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            throw new CryptographicException("a JWS compact serialization has three parts");
        }
        using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0]));
        if (header.RootElement.GetProperty("alg").GetString() != "ES256")
        {
            throw new CryptographicException("the token is not ES256");
        }
        var publicKey = Base64Url.DecodeFromChars(k);
        if (publicKey.Length != 65 || publicKey[0] != 0x04)
        {
            throw new CryptographicException("k is not a 65-byte uncompressed P-256 key");
        }
        using var key = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = publicKey[1..33], Y = publicKey[33..65] },
        });
        var signed = Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}");
        if (!key.VerifyData(signed, Base64Url.DecodeFromChars(parts[2]), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
        {
            throw new CryptographicException("the signature does not verify with k");
        }
        return JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1])).RootElement.Clone();
    }

    /// <summary>A token with these claims, signed with <paramref name="keys"/>' private key.</summary>
    public static string Sign(VapidKeys keys, object claims)
    {
        var publicKey = Base64Url.DecodeFromChars(keys.PublicKey);
        using var key = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = publicKey[1..33], Y = publicKey[33..65] },
            D = Base64Url.DecodeFromChars(keys.PrivateKey),
        });
        var unsigned = $"{Base64Url.EncodeToString("""{"typ":"JWT","alg":"ES256"}"""u8)}.{Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(claims))}";
        var signature = key.SignData(Encoding.ASCII.GetBytes(unsigned), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return $"{unsigned}.{Base64Url.EncodeToString(signature)}";
    }

    /// <summary>The Authorization header value RFC 8292 §3 defines.</summary>
    public static string Header(string token, string k) => $"vapid t={token}, k={k}";

    /// <summary>Splits "vapid t=..., k=..." (or just "t=..., k=...") into the token and the key.</summary>
    public static (string Token, string K) Parse(string header)
    {
        var parameters = header.StartsWith("vapid ", StringComparison.OrdinalIgnoreCase) ? header["vapid ".Length..] : header;
        string? t = null, k = null;
        foreach (var part in parameters.Split(',', StringSplitOptions.TrimEntries))
        {
            if (part.StartsWith("t=", StringComparison.Ordinal))
            {
                t = part[2..];
            }
            else if (part.StartsWith("k=", StringComparison.Ordinal))
            {
                k = part[2..];
            }
        }
        return (t ?? throw new FormatException($"no t= in {header}"), k ?? throw new FormatException($"no k= in {header}"));
    }
}
