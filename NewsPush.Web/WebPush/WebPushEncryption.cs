using System.Buffers.Binary;
using System.Security.Cryptography;

namespace NewsPush.Web.WebPush;

/// <summary>
/// RFC 8291 message encryption (one aes128gcm record, RFC 8188) for one browser, with the platform's crypto
/// (OpenSSL on Linux): a new ECDH key pair and salt per message, every key object disposed. Lib.Net.Http.WebPush
/// builds a PEM string to import the browser's key and leaves a key object per message to the finalizer, which
/// was most of the channel's CPU time (docs/benchmarks.md, "Web Push").
/// </summary>
public static class WebPushEncryption
{
    /// <summary>Salt 16 + record size 4 + key id length 1 + key id 65 (our uncompressed public key).</summary>
    public const int HeaderLength = 86;

    /// <summary>The record size we announce: a push service takes at most 4,096 bytes (RFC 8030 §7.2).</summary>
    public const int RecordSize = 4096;

    private const int TagLength = 16;
    private static readonly byte[] KeyInfoPrefix = "WebPush: info\0"u8.ToArray();
    private static readonly byte[] CekInfo = "Content-Encoding: aes128gcm\0\u0001"u8.ToArray();
    private static readonly byte[] NonceInfo = "Content-Encoding: nonce\0\u0001"u8.ToArray();

    /// <summary>The request body for <paramref name="plaintext"/>, readable only with the browser's private key.</summary>
    public static byte[] Encrypt(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> browserPublicKey, ReadOnlySpan<byte> authSecret)
    {
        Validate(plaintext, browserPublicKey, authSecret);
        Span<byte> salt = stackalloc byte[16];
        RandomNumberGenerator.Fill(salt);
        Span<byte> serverPublicKey = stackalloc byte[65];
        Span<byte> secret = stackalloc byte[32];
        try
        {
            if (OpenSslP256.TryAgree(browserPublicKey, serverPublicKey, secret))
            {
                return Seal(plaintext, browserPublicKey, authSecret, serverPublicKey, secret, salt);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
        using var ephemeral = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        return Encrypt(plaintext, browserPublicKey, authSecret, ephemeral, salt);
    }

    /// <summary>With a given key pair and salt, through .NET's API: the RFC's Appendix A vector is reproduced this way.</summary>
    internal static byte[] Encrypt(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> browserPublicKey, ReadOnlySpan<byte> authSecret, ECDiffieHellman ephemeral, ReadOnlySpan<byte> salt)
    {
        Validate(plaintext, browserPublicKey, authSecret);
        var q = ephemeral.ExportParameters(false).Q;
        Span<byte> serverPublicKey = stackalloc byte[65];
        serverPublicKey[0] = 0x04;
        q.X!.CopyTo(serverPublicKey[1..]);
        q.Y!.CopyTo(serverPublicKey[33..]);
        byte[] secret;
        using (var browser = ECDiffieHellman.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = browserPublicKey.Slice(1, 32).ToArray(), Y = browserPublicKey.Slice(33, 32).ToArray() },
        }))
        using (var browserKey = browser.PublicKey)
        {
            secret = ephemeral.DeriveRawSecretAgreement(browserKey);
        }
        try
        {
            return Seal(plaintext, browserPublicKey, authSecret, serverPublicKey, secret, salt);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    private static void Validate(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> browserPublicKey, ReadOnlySpan<byte> authSecret)
    {
        if (browserPublicKey.Length != 65 || browserPublicKey[0] != 0x04)
        {
            throw new CryptographicException("The browser's p256dh key is not a 65-byte uncompressed P-256 point.");
        }
        if (authSecret.Length != 16)
        {
            throw new CryptographicException("The browser's auth secret is not 16 bytes.");
        }
        // One record holds the plaintext, the 0x02 delimiter of the last record and the tag.
        if (plaintext.Length + 1 + TagLength > RecordSize)
        {
            throw new CryptographicException($"A Web Push message takes at most {RecordSize - 1 - TagLength} bytes of plaintext.");
        }
    }

    /// <summary>The header, the keys derived from the agreement (RFC 8291 §3.3/3.4) and the one encrypted record.</summary>
    private static byte[] Seal(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> browserPublicKey, ReadOnlySpan<byte> authSecret,
        ReadOnlySpan<byte> serverPublicKey, ReadOnlySpan<byte> secret, ReadOnlySpan<byte> salt)
    {
        var body = new byte[HeaderLength + plaintext.Length + 1 + TagLength];
        salt.CopyTo(body);
        BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(16), RecordSize);
        body[20] = 65;
        serverPublicKey.CopyTo(body.AsSpan(21));

        // RFC 8291 §3.3/3.4: the auth secret and both public keys go into the IKM, the salt into the content keys.
        Span<byte> prkKey = stackalloc byte[32];
        HMACSHA256.HashData(authSecret, secret, prkKey);
        Span<byte> keyInfo = stackalloc byte[KeyInfoPrefix.Length + 65 + 65 + 1];
        KeyInfoPrefix.CopyTo(keyInfo);
        browserPublicKey.CopyTo(keyInfo[KeyInfoPrefix.Length..]);
        serverPublicKey.CopyTo(keyInfo[(KeyInfoPrefix.Length + 65)..]);
        keyInfo[^1] = 0x01;
        Span<byte> ikm = stackalloc byte[32];
        HMACSHA256.HashData(prkKey, keyInfo, ikm);
        Span<byte> prk = stackalloc byte[32];
        HMACSHA256.HashData(salt, ikm, prk);
        Span<byte> cek = stackalloc byte[32];
        HMACSHA256.HashData(prk, CekInfo, cek);
        Span<byte> nonce = stackalloc byte[32];
        HMACSHA256.HashData(prk, NonceInfo, nonce);

        var record = body.AsSpan(HeaderLength, plaintext.Length + 1);
        plaintext.CopyTo(record);
        record[^1] = 0x02;
        using var aes = new AesGcm(cek[..16], TagLength);
        aes.Encrypt(nonce[..12], record, record, body.AsSpan(HeaderLength + record.Length, TagLength));
        CryptographicOperations.ZeroMemory(cek);
        return body;
    }
}
