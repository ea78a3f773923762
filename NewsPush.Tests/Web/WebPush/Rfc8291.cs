using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace NewsPush.Tests.Web.WebPush;

/// <summary>
/// Message encryption for Web Push (RFC 8291: aes128gcm, one record), written from the RFC so the tests have a
/// decryptor that shares no code with Lib.Net.Http.WebPush or http_ece. Keys are raw: a P-256 private key is the
/// 32-byte scalar, a public key the 65-byte uncompressed point.
/// </summary>
public static class Rfc8291
{
    public const int HeaderLength = 86;
    private const int SaltLength = 16;
    private const int TagLength = 16;
    private static readonly byte[] CekInfo = Encoding.ASCII.GetBytes("Content-Encoding: aes128gcm\0");
    private static readonly byte[] NonceInfo = Encoding.ASCII.GetBytes("Content-Encoding: nonce\0");
    private static readonly byte[] KeyInfo = Encoding.ASCII.GetBytes("WebPush: info\0");

    /// <summary>Every value RFC 8291 §3.4 derives, in order (Appendix A lists each).</summary>
    public sealed record Keys(byte[] EcdhSecret, byte[] PrkKey, byte[] Ikm, byte[] Prk, byte[] Cek, byte[] Nonce);

    /// <summary>The ECDH shared secret (the x coordinate) of one side's private key and the other side's public key.</summary>
    public static byte[] EcdhSecret(byte[] privateKey, byte[] ownPublicKey, byte[] otherPublicKey)
    {
        using var own = ECDiffieHellman.Create(Parameters(ownPublicKey, privateKey));
        using var other = ECDiffieHellman.Create(Parameters(otherPublicKey, null));
        return own.DeriveRawSecretAgreement(other.PublicKey);
    }

    public static Keys DeriveKeys(byte[] ecdhSecret, byte[] authSecret, byte[] uaPublic, byte[] asPublic, byte[] salt)
    {
        var prkKey = HMACSHA256.HashData(authSecret, ecdhSecret);
        var ikm = HMACSHA256.HashData(prkKey, (byte[])[.. KeyInfo, .. uaPublic, .. asPublic, 0x01]);
        var prk = HMACSHA256.HashData(salt, ikm);
        var cek = HMACSHA256.HashData(prk, (byte[])[.. CekInfo, 0x01])[..16];
        var nonce = HMACSHA256.HashData(prk, (byte[])[.. NonceInfo, 0x01])[..12];
        return new Keys(ecdhSecret, prkKey, ikm, prk, cek, nonce);
    }

    /// <summary>
    /// Encrypts as the application server with a given salt and sender key pair (so a test vector can be
    /// reproduced); <paramref name="paddingDelimiter"/> is 0x02 for a valid message, anything else builds one a
    /// receiver must discard.
    /// </summary>
    public static byte[] Encrypt(byte[] plaintext, byte[] uaPublic, byte[] authSecret, byte[] asPrivate, byte[] asPublic, byte[] salt,
        int recordSize = 4096, byte paddingDelimiter = 0x02)
    {
        if (salt.Length != SaltLength)
        {
            throw new ArgumentException("the salt is 16 bytes", nameof(salt));
        }
        if (plaintext.Length + 1 + TagLength >= recordSize)
        {
            throw new ArgumentException($"{plaintext.Length} bytes do not fit one record of {recordSize}", nameof(plaintext));
        }
        var keys = DeriveKeys(EcdhSecret(asPrivate, asPublic, uaPublic), authSecret, uaPublic, asPublic, salt);
        byte[] padded = [.. plaintext, paddingDelimiter];
        var body = new byte[HeaderLength + padded.Length + TagLength];
        salt.CopyTo(body, 0);
        BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(16, 4), (uint)recordSize);
        body[20] = (byte)asPublic.Length;
        asPublic.CopyTo(body, 21);
        using var aes = new AesGcm(keys.Cek, TagLength);
        aes.Encrypt(keys.Nonce, padded, body.AsSpan(HeaderLength, padded.Length), body.AsSpan(HeaderLength + padded.Length, TagLength));
        return body;
    }

    /// <summary>Encrypts with a fresh salt and sender key pair, as an application server does.</summary>
    public static byte[] Encrypt(byte[] plaintext, byte[] uaPublic, byte[] authSecret)
    {
        using var sender = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var p = sender.ExportParameters(includePrivateParameters: true);
        return Encrypt(plaintext, uaPublic, authSecret, p.D!, [0x04, .. p.Q.X!, .. p.Q.Y!], RandomNumberGenerator.GetBytes(SaltLength));
    }

    /// <summary>
    /// Decrypts a push message body as the browser (user agent) does. Throws <see cref="CryptographicException"/>
    /// for a body that is not one aes128gcm record with an 86-byte header, that fails authentication, or whose
    /// padding does not end in the 0x02 delimiter.
    /// </summary>
    public static byte[] Decrypt(byte[] body, byte[] uaPrivate, byte[] uaPublic, byte[] authSecret)
    {
        if (body.Length < HeaderLength + 1 + TagLength)
        {
            throw new CryptographicException($"a {body.Length}-byte body is shorter than a header and one record");
        }
        var salt = body[..SaltLength];
        var recordSize = BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(16, 4));
        if (body[20] != 65)
        {
            throw new CryptographicException($"the keyid is {body[20]} bytes, not the 65-byte sender key");
        }
        var asPublic = body[21..HeaderLength];
        var record = body.AsSpan(HeaderLength);
        if ((uint)record.Length >= recordSize)
        {
            throw new CryptographicException($"a {record.Length}-byte record does not fit record size {recordSize}: Web Push allows one record");
        }
        var keys = DeriveKeys(EcdhSecret(uaPrivate, uaPublic, asPublic), authSecret, uaPublic, asPublic, salt);
        var padded = new byte[record.Length - TagLength];
        using (var aes = new AesGcm(keys.Cek, TagLength))
        {
            aes.Decrypt(keys.Nonce, record[..padded.Length], record[padded.Length..], padded);
        }
        var end = padded.Length - 1;
        while (end >= 0 && padded[end] == 0)
        {
            end--;
        }
        if (end < 0 || padded[end] != 0x02)
        {
            throw new CryptographicException("the padding does not end in the last-record delimiter 0x02");
        }
        return padded[..end];
    }

    private static ECParameters Parameters(byte[] publicKey, byte[]? privateKey)
    {
        if (publicKey.Length != 65 || publicKey[0] != 0x04)
        {
            throw new CryptographicException("a P-256 public key is 65 bytes, 0x04 || x || y");
        }
        return new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = publicKey[1..33], Y = publicKey[33..65] },
            D = privateKey,
        };
    }
}
