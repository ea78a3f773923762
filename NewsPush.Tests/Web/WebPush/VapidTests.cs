using System.Security.Cryptography;
using Lib.Net.Http.WebPush.Authentication;

namespace NewsPush.Tests.Web.WebPush;

/// <summary>Our ES256 VAPID verifier against the RFC 8292 example, then on the tokens Lib.Net.Http.WebPush signs.</summary>
public sealed class VapidTests
{
    private const string RfcToken = "eyJ0eXAiOiJKV1QiLCJhbGciOiJFUzI1NiJ9.eyJhdWQiOiJodHRwczovL3B1c2guZXhhbXBsZS5uZXQiLCJleHAiOjE0NTM1MjM3NjgsInN1YiI6Im1haWx0bzpwdXNoQGV4YW1wbGUuY29tIn0.i3CYb7t4xfxCDquptFOepC9GAu_HLGkMlMuCGSK2rpiUfnK9ojFwDXb1JrErtmysazNjjvW2L9OkSSHzvoD1oA";
    private const string RfcKey = "BA1Hxzyi1RUM1b5wjxsn7nGxAszw2u61m164i3MrAIxHF6YK5h4SDYic-dRuU_RCPCfA5aq9ojSwk5Y2EmClBPs";

    [Fact]
    public void TheRfc8292ExampleVerifiesWithItsKeyAndCarriesItsClaims()
    {
        var claims = Vapid.Verify(RfcToken, RfcKey);

        Assert.Equal("https://push.example.net", claims.GetProperty("aud").GetString());
        Assert.Equal(1453523768, claims.GetProperty("exp").GetInt64());
        Assert.Equal("mailto:push@example.com", claims.GetProperty("sub").GetString());
    }

    [Theory]
    [InlineData(10)]  // the header
    [InlineData(60)]  // the claims
    [InlineData(150)] // the signature
    public void TheRfc8292ExampleFailsWithOneBitChanged(int index)
    {
        var token = RfcToken.ToCharArray();
        // Flipping the lowest bit of a base64url character keeps it in the alphabet, and changes the decoded bits.
        token[index] = Flip(token[index]);

        Assert.ThrowsAny<Exception>(() => Vapid.Verify(new string(token), RfcKey));
    }

    [Fact]
    public void TheRfc8292ExampleFailsWithAnotherKey()
    {
        Assert.Throws<CryptographicException>(() => Vapid.Verify(RfcToken, VapidKeys.Generate().PublicKey));
    }

    [Fact]
    public void LibNetSignsATokenForTheEndpointsOriginValidForAtMost24Hours()
    {
        var keys = VapidKeys.Generate();
        using var authentication = new VapidAuthentication(keys.PublicKey, keys.PrivateKey) { Subject = "mailto:push@newspush.test" };
        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        var (token, k) = Vapid.Parse(authentication.GetVapidSchemeAuthenticationHeaderValueParameter("https://fcm.googleapis.com"));

        Assert.Equal(keys.PublicKey, k);
        var claims = Vapid.Verify(token, k);
        Assert.Equal("https://fcm.googleapis.com", claims.GetProperty("aud").GetString());
        Assert.Equal("mailto:push@newspush.test", claims.GetProperty("sub").GetString());
        var exp = claims.GetProperty("exp").GetInt64();
        Assert.InRange(exp, before + 1, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 24 * 3600);
    }

    [Fact]
    public void LibNetTokensDoNotVerifyWithAnotherKey()
    {
        var keys = VapidKeys.Generate();
        using var authentication = new VapidAuthentication(keys.PublicKey, keys.PrivateKey) { Subject = "https://newspush.test/contact" };
        var (token, _) = Vapid.Parse(authentication.GetVapidSchemeAuthenticationHeaderValueParameter("https://updates.push.services.mozilla.com"));

        Assert.Throws<CryptographicException>(() => Vapid.Verify(token, VapidKeys.Generate().PublicKey));
    }

    [Fact]
    public void OurSignerAndVerifierAgree()
    {
        var keys = VapidKeys.Generate();

        var claims = Vapid.Verify(Vapid.Sign(keys, new { aud = "https://push.example.net", exp = 1, sub = "mailto:a@b.c" }), keys.PublicKey);

        Assert.Equal("https://push.example.net", claims.GetProperty("aud").GetString());
    }

    private static char Flip(char c)
    {
        // Stay inside the base64url alphabet: A<->B, a<->b, 0<->1, -<->_ and so on.
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        return alphabet[alphabet.IndexOf(c, StringComparison.Ordinal) ^ 1];
    }
}
