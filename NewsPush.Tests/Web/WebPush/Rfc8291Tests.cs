using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Lib.Net.Http.EncryptedContentEncoding;
using Lib.Net.Http.WebPush;
using Lib.Net.Http.WebPush.Authentication;

namespace NewsPush.Tests.Web.WebPush;

/// <summary>
/// Our RFC 8291 code against the RFC's Appendix A vector, step by step, then against the two other
/// implementations the push tests rely on: npm http_ece (in the peer) and Lib.Net.Http.WebPush (what we send with).
/// </summary>
public sealed class Rfc8291Tests(PushServicePeer peer) : IClassFixture<PushServicePeer>
{
    private const string Plaintext = "When I grow up, I want to be a watermelon";
    private const string AuthSecret = "BTBZMqHH6r4Tts7J_aSIgg";
    private const string UaPublic = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
    private const string UaPrivate = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94";
    private const string AsPublic = "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8";
    private const string AsPrivate = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw";
    private const string Salt = "DGv6ra1nlYgDCS1FRnbzlw";
    private const string Header = "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8";
    private const string Body = "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN";

    [Fact]
    public void DerivesEveryIntermediateOfTheAppendixAVector()
    {
        var ecdh = Rfc8291.EcdhSecret(B(UaPrivate), B(UaPublic), B(AsPublic));
        var keys = Rfc8291.DeriveKeys(ecdh, B(AuthSecret), B(UaPublic), B(AsPublic), B(Salt));

        Assert.Equal("kyrL1jIIOHEzg3sM2ZWRHDRB62YACZhhSlknJ672kSs", S(keys.EcdhSecret));
        Assert.Equal("Snr3JMxaHVDXHWJn5wdC52WjpCtd2EIEGBykDcZW32k", S(keys.PrkKey));
        Assert.Equal("S4lYMb_L0FxCeq0WhDx813KgSYqU26kOyzWUdsXYyrg", S(keys.Ikm));
        Assert.Equal("09_eUZGrsvxChDCGRCdkLiDXrReGOEVeSCdCcPBSJSc", S(keys.Prk));
        Assert.Equal("oIhVW04MRdy2XN9CiKLxTg", S(keys.Cek));
        Assert.Equal("4h_95klXJ5E_qnoN", S(keys.Nonce));
    }

    [Fact]
    public void TheSenderSideComputesTheSameEcdhSecret()
    {
        Assert.Equal("kyrL1jIIOHEzg3sM2ZWRHDRB62YACZhhSlknJ672kSs", S(Rfc8291.EcdhSecret(B(AsPrivate), B(AsPublic), B(UaPublic))));
    }

    [Fact]
    public void EncryptsTheVectorToTheRfcBodyByteForByte()
    {
        var body = Rfc8291.Encrypt(Encoding.UTF8.GetBytes(Plaintext), B(UaPublic), B(AuthSecret), B(AsPrivate), B(AsPublic), B(Salt));

        Assert.Equal(144, body.Length);
        Assert.Equal(86, B(Header).Length);
        Assert.Equal(Header, S(body[..Rfc8291.HeaderLength]));
        Assert.Equal("8pfeW0KbunFT06SuDKoJH9Ql87S1QUrdirN6GcG7sFz1y1sqLgVi1VhjVkHsUoEsbI_0LpXMuGvnzQ", S(body[Rfc8291.HeaderLength..]));
        Assert.Equal(Body, S(body));
    }

    [Fact]
    public void TheChannelsEncryptionGivenTheVectorsKeyAndSaltProducesTheRfcBody()
    {
        using var sender = ECDiffieHellman.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256, D = B(AsPrivate), Q = new ECPoint { X = B(AsPublic)[1..33], Y = B(AsPublic)[33..] },
        });

        var body = NewsPush.Web.WebPush.WebPushEncryption.Encrypt(Encoding.UTF8.GetBytes(Plaintext), B(UaPublic), B(AuthSecret), sender, B(Salt));

        Assert.Equal(Body, S(body));
    }

    [Fact]
    public void TheChannelsEncryptionUsesANewKeyAndSaltPerMessageThatTheBrowserDecrypts()
    {
        var first = NewsPush.Web.WebPush.WebPushEncryption.Encrypt(Encoding.UTF8.GetBytes(Plaintext), B(UaPublic), B(AuthSecret));
        var second = NewsPush.Web.WebPush.WebPushEncryption.Encrypt(Encoding.UTF8.GetBytes(Plaintext), B(UaPublic), B(AuthSecret));

        Assert.False(first.AsSpan(0, 16).SequenceEqual(second.AsSpan(0, 16)), "the salt repeats");
        Assert.False(first.AsSpan(21, 65).SequenceEqual(second.AsSpan(21, 65)), "the sender key repeats");
        Assert.Equal(Plaintext, Encoding.UTF8.GetString(Rfc8291.Decrypt(first, B(UaPrivate), B(UaPublic), B(AuthSecret))));
        Assert.Equal(Plaintext, Encoding.UTF8.GetString(Rfc8291.Decrypt(second, B(UaPrivate), B(UaPublic), B(AuthSecret))));
    }

    [Fact]
    public void OpenSslsAgreementIsTheOneDotNetComputesAndAKeyOffTheCurveIsRefused()
    {
        Assert.True(NewsPush.Web.WebPush.OpenSslP256.IsAvailable, "libcrypto.so.3 with the EC functions is expected on Linux");
        Span<byte> ours = stackalloc byte[65];
        Span<byte> secret = stackalloc byte[32];
        Assert.True(NewsPush.Web.WebPush.OpenSslP256.TryAgree(B(UaPublic), ours, secret));

        // The browser's side: its private key with the key OpenSSL made gives the same secret.
        using var browser = ECDiffieHellman.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256, D = B(UaPrivate), Q = new ECPoint { X = B(UaPublic)[1..33], Y = B(UaPublic)[33..] },
        });
        using var sender = ECDiffieHellman.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = ours[1..33].ToArray(), Y = ours[33..].ToArray() } });
        Assert.Equal(Convert.ToHexString(browser.DeriveRawSecretAgreement(sender.PublicKey)), Convert.ToHexString(secret));

        var offCurve = B(UaPublic);
        offCurve[64] ^= 1;
        var refused = Assert.Throws<CryptographicException>(() => NewsPush.Web.WebPush.WebPushEncryption.Encrypt(Encoding.UTF8.GetBytes(Plaintext), offCurve, B(AuthSecret)));
        Assert.Contains("not a point on P-256", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DecryptsTheRfcBodyToThePlaintext()
    {
        Assert.Equal(144, B(Body).Length);

        Assert.Equal(Plaintext, Encoding.UTF8.GetString(Rfc8291.Decrypt(B(Body), B(UaPrivate), B(UaPublic), B(AuthSecret))));
    }

    [Fact]
    public async Task LibNetsRfc8188LayerGivenOurIkmEncodesTheRfcBodyAndDecodesIt()
    {
        // Lib.Net.Http.EncryptedContentEncoding is plain RFC 8188: fed the IKM we derive it must produce the RFC's body.
        var keys = Rfc8291.DeriveKeys(Rfc8291.EcdhSecret(B(UaPrivate), B(UaPublic), B(AsPublic)), B(AuthSecret), B(UaPublic), B(AsPublic), B(Salt));
        using var plain = new MemoryStream(Encoding.UTF8.GetBytes(Plaintext));
        using var encoded = new MemoryStream();

        await Aes128GcmEncoding.EncodeAsync(plain, encoded, B(Salt), keys.Ikm, B(AsPublic), 4096);

        Assert.Equal(Body, S(encoded.ToArray()));
        using var source = new MemoryStream(B(Body));
        using var decoded = new MemoryStream();
        await Aes128GcmEncoding.DecodeAsync(source, decoded, (byte[] keyId) => keyId.AsSpan().SequenceEqual(B(AsPublic)) ? keys.Ikm : throw new CryptographicException("unknown key id"));
        Assert.Equal(Plaintext, Encoding.UTF8.GetString(decoded.ToArray()));
    }

    [Fact]
    public async Task HttpEceInThePeerDecryptsTheRfcBodyToThePlaintext()
    {
        Assert.Equal(Plaintext, await peer.DecryptAsync(Body, UaPrivate, AuthSecret));
    }

    [Fact]
    public async Task HttpEceInThePeerRefusesATamperedRfcBody()
    {
        var body = B(Body);
        body[100] ^= 0x01;

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => peer.DecryptAsync(S(body), UaPrivate, AuthSecret));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, error.StatusCode);
    }

    [Theory]
    [InlineData(0)]   // the salt
    [InlineData(30)]  // the sender key
    [InlineData(100)] // the ciphertext
    [InlineData(143)] // the tag
    public void RefusesABodyWithOneByteChanged(int index)
    {
        var body = B(Body);
        body[index] ^= 0x80;

        Assert.ThrowsAny<CryptographicException>(() => Rfc8291.Decrypt(body, B(UaPrivate), B(UaPublic), B(AuthSecret)));
    }

    [Theory]
    [InlineData(0x01)] // the delimiter of a record that is not the last one
    [InlineData(0x00)]
    [InlineData(0x03)]
    public void RefusesABodyWhosePaddingDelimiterIsNot0x02(byte delimiter)
    {
        var body = Rfc8291.Encrypt(Encoding.UTF8.GetBytes(Plaintext), B(UaPublic), B(AuthSecret), B(AsPrivate), B(AsPublic), B(Salt), paddingDelimiter: delimiter);

        var error = Assert.ThrowsAny<CryptographicException>(() => Rfc8291.Decrypt(body, B(UaPrivate), B(UaPublic), B(AuthSecret)));
        Assert.Contains("delimiter", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DecryptsWhatLibNetHttpWebPushSends()
    {
        var vapid = VapidKeys.Generate();
        var subscription = await peer.SubscribeAsync($"rfc-lib-{Guid.NewGuid():N}", vapid.PublicKey);
        using var authentication = new VapidAuthentication(vapid.PublicKey, vapid.PrivateKey) { Subject = "mailto:push@newspush.test" };
        var client = new PushServiceClient(peer.Http) { DefaultAuthentication = authentication, AutoRetryAfter = false };
        const string payload = """{"title":"Budget passes","url":"https://newspush.test/a/1","é":"ü"}""";

        await client.RequestPushMessageDeliveryAsync(subscription.ToPushSubscription(), new PushMessage(payload) { TimeToLive = 60 });

        var message = Assert.Single(await peer.MessagesAsync(subscription.Id));
        var decrypted = Rfc8291.Decrypt(B(message.Body), B(subscription.PrivateKey), B(subscription.P256dh), B(subscription.Auth));
        Assert.Equal(payload, Encoding.UTF8.GetString(decrypted));
        Assert.Equal(payload, message.Plaintext);
    }

    [Fact]
    public async Task HttpEceInThePeerDecryptsWhatWeEncrypt()
    {
        var vapid = VapidKeys.Generate();
        var subscription = await peer.SubscribeAsync($"rfc-ours-{Guid.NewGuid():N}", vapid.PublicKey);

        var body = Rfc8291.Encrypt("a story"u8.ToArray(), B(subscription.P256dh), B(subscription.Auth));

        Assert.Equal("a story", await peer.DecryptAsync(S(body), subscription.PrivateKey, subscription.Auth));
    }

    private static byte[] B(string base64Url) => Base64Url.DecodeFromChars(base64Url);

    private static string S(byte[] bytes) => Base64Url.EncodeToString(bytes);
}
