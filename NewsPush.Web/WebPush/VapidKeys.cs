using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NewsPush.Data;
using NewsPush.Data.Entities;

namespace NewsPush.Web.WebPush;

/// <summary>The application server's VAPID key pair (RFC 8292), both halves base64url.</summary>
public sealed record VapidKeyPair(string PublicKey, string PrivateKey)
{
    /// <summary>A new P-256 key pair: the 65-byte uncompressed public point and the 32-byte private scalar.</summary>
    public static VapidKeyPair Generate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var p = key.ExportParameters(includePrivateParameters: true);
        return new VapidKeyPair(Base64Url.EncodeToString([0x04, .. p.Q.X!, .. p.Q.Y!]), Base64Url.EncodeToString(p.D!));
    }

    /// <summary>Null when both halves are well formed and belong together; otherwise what is wrong.</summary>
    public static string? Validate(string publicKey, string privateKey)
    {
        byte[] pub, priv;
        try
        {
            pub = Base64Url.DecodeFromChars(publicKey);
            priv = Base64Url.DecodeFromChars(privateKey);
        }
        catch (FormatException)
        {
            return "the keys must be base64url";
        }
        if (pub.Length != 65 || pub[0] != 0x04)
        {
            return "the public key must be a 65-byte uncompressed P-256 point";
        }
        if (priv.Length != 32)
        {
            return "the private key must be 32 bytes";
        }
        try
        {
            using var key = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, D = priv });
            var q = key.ExportParameters(false).Q;
            return q.X!.AsSpan().SequenceEqual(pub.AsSpan(1, 32)) && q.Y!.AsSpan().SequenceEqual(pub.AsSpan(33, 32))
                ? null : "the public key does not belong to the private key";
        }
        catch (CryptographicException)
        {
            return "the private key is not a P-256 key";
        }
    }
}

/// <summary>
/// Where the key pair comes from: configuration (<c>WebPush:PublicKey</c>/<c>PrivateKey</c>, the same on every node), or
/// the database row <c>SiteKeys["vapid"]</c> made at first start, its private half protected with Data Protection
/// (whose keys are in the database too, so every node can read it). Read once per process.
/// </summary>
public sealed class VapidKeyStore(IServiceScopeFactory scopes, IDataProtectionProvider protection, IOptions<WebPushOptions> options, TimeProvider clock)
{
    public const string KeyName = "vapid";
    private const string Purpose = "NewsPush.WebPush.Vapid.v1";
    private readonly SemaphoreSlim gate = new(1, 1);
    private VapidKeyPair? keys;

    public async Task<VapidKeyPair> GetAsync(CancellationToken ct)
    {
        if (keys is { } known)
        {
            return known;
        }
        await gate.WaitAsync(ct);
        try
        {
            return keys ??= await LoadAsync(ct);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<VapidKeyPair> LoadAsync(CancellationToken ct)
    {
        var o = options.Value;
        if (!string.IsNullOrWhiteSpace(o.PublicKey) || !string.IsNullOrWhiteSpace(o.PrivateKey))
        {
            if (string.IsNullOrWhiteSpace(o.PublicKey) || string.IsNullOrWhiteSpace(o.PrivateKey))
            {
                throw new InvalidOperationException("WebPush:PublicKey and WebPush:PrivateKey must be set together.");
            }
            var problem = VapidKeyPair.Validate(o.PublicKey, o.PrivateKey);
            return problem is null ? new VapidKeyPair(o.PublicKey, o.PrivateKey) : throw new InvalidOperationException($"WebPush keys: {problem}.");
        }
        var protector = protection.CreateProtector(Purpose);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NewsPushDbContext>();
        if (await ReadAsync(db, protector, ct) is { } stored)
        {
            return stored;
        }
        var made = VapidKeyPair.Generate();
        db.SiteKeys.Add(new SiteKey { Name = KeyName, PublicValue = made.PublicKey, ProtectedValue = protector.Protect(made.PrivateKey), CreatedAt = clock.GetUtcNow().UtcDateTime });
        try
        {
            await db.SaveChangesAsync(ct);
            return made;
        }
        catch (DbUpdateException)
        {
            // Another node made its pair first: everyone signs with that one.
            db.ChangeTracker.Clear();
            return await ReadAsync(db, protector, ct) ?? throw new InvalidOperationException("The VAPID key could be neither stored nor read.");
        }
    }

    private static async Task<VapidKeyPair?> ReadAsync(NewsPushDbContext db, IDataProtector protector, CancellationToken ct)
    {
        var row = await db.SiteKeys.AsNoTracking().SingleOrDefaultAsync(k => k.Name == KeyName, ct);
        return row is null ? null : new VapidKeyPair(row.PublicValue, protector.Unprotect(row.ProtectedValue));
    }
}
