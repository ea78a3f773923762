using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using NewsPush.Tests.Web.Push;
using NewsPush.Web.Devices.Apns;

namespace NewsPush.Tests.Web.Devices.Apns;

/// <summary>The provider token on its own, with a key made here and a fake clock: what it contains and when it is made anew.</summary>
public sealed class ApnsProviderTokenTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);

    private readonly ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly TestClock clock = new(Start);

    public void Dispose() => key.Dispose();

    private ApnsProviderToken Tokens(Action<ApnsOptions>? change = null)
    {
        var options = new ApnsOptions { KeyId = "ABC123DEFG", TeamId = "TEAM123456", BundleId = "com.example.news", PrivateKey = key.ExportPkcs8PrivateKeyPem() };
        change?.Invoke(options);
        return new ApnsProviderToken(Options.Create(options), clock);
    }

    private static string Get(ApnsProviderToken tokens)
    {
        Assert.True(tokens.TryGet(out var token, out var error), error);
        return token;
    }

    [Fact]
    public void IsAnEs256JwtWithTheKeyIdAndTeamSignedWithTheKey()
    {
        using var tokens = Tokens();

        var parts = Get(tokens).Split('.');

        Assert.Equal(3, parts.Length);
        using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0]));
        Assert.Equal("ES256", header.RootElement.GetProperty("alg").GetString());
        Assert.Equal("ABC123DEFG", header.RootElement.GetProperty("kid").GetString());
        using var claims = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
        Assert.Equal("TEAM123456", claims.RootElement.GetProperty("iss").GetString());
        Assert.Equal(Start.ToUnixTimeSeconds(), claims.RootElement.GetProperty("iat").GetInt64());
        var signature = Base64Url.DecodeFromChars(parts[2]);
        Assert.Equal(64, signature.Length);
        Assert.True(key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), signature, HashAlgorithmName.SHA256));
    }

    [Fact]
    public void IsTheSameUntilTokenRefreshMinutesOld()
    {
        using var tokens = Tokens(o => o.TokenRefreshMinutes = 30);
        var first = Get(tokens);

        clock.Advance(TimeSpan.FromMinutes(30) - TimeSpan.FromSeconds(1));
        Assert.Equal(first, Get(tokens));
        clock.Advance(TimeSpan.FromSeconds(1));
        var second = Get(tokens);

        Assert.NotEqual(first, second);
        Assert.Equal(2, tokens.IssuedCount);
    }

    [Fact]
    public void IsNotRenewedOnExpiredWithin20MinutesButIsAfter()
    {
        using var tokens = Tokens();
        var first = Get(tokens);

        clock.Advance(TimeSpan.FromMinutes(19));
        Assert.False(tokens.TryRenewExpired(first, out _, out var error));
        Assert.Contains("20 minutes", error, StringComparison.Ordinal);
        Assert.Equal(1, tokens.IssuedCount);

        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.True(tokens.TryRenewExpired(first, out var renewed, out _));
        Assert.NotEqual(first, renewed);
        Assert.Equal(renewed, Get(tokens));
    }

    [Fact]
    public void HandsOutTheCurrentTokenWhenAnotherSendAlreadyRenewedTheRejectedOne()
    {
        using var tokens = Tokens();
        var first = Get(tokens);
        clock.Advance(TimeSpan.FromMinutes(25));
        Assert.True(tokens.TryRenewExpired(first, out var renewed, out _));

        Assert.True(tokens.TryRenewExpired(first, out var again, out _));

        Assert.Equal(renewed, again);
        Assert.Equal(2, tokens.IssuedCount);
    }

    [Fact]
    public void SignsOnceWhenManyThreadsAskAtOnce()
    {
        using var tokens = Tokens();

        var all = Enumerable.Range(0, 64).AsParallel().Select(_ => Get(tokens)).ToList();

        Assert.Single(all.Distinct());
        Assert.Equal(1, tokens.IssuedCount);
    }

    [Theory]
    [InlineData("KeyId", "SHORT")]
    [InlineData("TeamId", "")]
    [InlineData("PrivateKey", "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----")]
    public void RefusesWithAReadableReasonWhenTheConfigurationIsWrong(string setting, string value)
    {
        using var tokens = Tokens(o =>
        {
            switch (setting)
            {
                case "KeyId": o.KeyId = value; break;
                case "TeamId": o.TeamId = value; break;
                default: o.PrivateKey = value; break;
            }
        });

        Assert.False(tokens.TryGet(out _, out var error));
        Assert.Contains(setting, error, StringComparison.Ordinal);
        Assert.Equal(0, tokens.IssuedCount);
    }

    [Fact]
    public void ReadsTheKeyFromPrivateKeyFile()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, key.ExportPkcs8PrivateKeyPem());
            using var tokens = Tokens(o => (o.PrivateKey, o.PrivateKeyFile) = (null, path));

            var parts = Get(tokens).Split('.');

            Assert.True(key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Base64Url.DecodeFromChars(parts[2]), HashAlgorithmName.SHA256));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
