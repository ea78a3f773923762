using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace NewsPush.Web.WebPush;

/// <summary>
/// The one P-256 step of RFC 8291 per message — a new key pair and its agreement with the browser's key — straight
/// through the OpenSSL that .NET itself uses on Linux (libcrypto.so.3). Through .NET's binding the same step costs
/// about 330 µs, most of it in checks OpenSSL repeats on every import and derive (a full scalar multiplication by the
/// group order, needless on P-256, whose cofactor is 1); here it is about 70 µs (docs/benchmarks.md, "Web Push").
/// The browser's key is still checked to be a point on the curve (<c>EC_POINT_oct2point</c>, RFC 8291 §7). Where the
/// library or its functions are missing, <see cref="TryAgree"/> answers false and the caller uses .NET's API.
/// </summary>
internal static partial class OpenSslP256
{
    private const string Library = "libcrypto.so.3";
    private const int NidPrime256v1 = 415;
    private const int PointConversionUncompressed = 4;

    private static readonly bool Available = Probe();

    public static bool IsAvailable => Available;

    /// <summary>
    /// Makes a key pair, writes its uncompressed public key (65 bytes) to <paramref name="ourPublicKey"/> and the shared
    /// secret with <paramref name="browserPublicKey"/> (65 bytes, uncompressed) to <paramref name="secret"/> (32 bytes).
    /// </summary>
    public static bool TryAgree(ReadOnlySpan<byte> browserPublicKey, Span<byte> ourPublicKey, Span<byte> secret)
    {
        if (!Available)
        {
            return false;
        }
        if (browserPublicKey.Length != 65 || ourPublicKey.Length != 65 || secret.Length != 32)
        {
            throw new ArgumentException("P-256 keys are 65 bytes uncompressed and the secret is 32 bytes.");
        }
        var key = EC_KEY_new_by_curve_name(NidPrime256v1);
        if (key == IntPtr.Zero)
        {
            return false;
        }
        var peer = IntPtr.Zero;
        try
        {
            if (EC_KEY_generate_key(key) != 1)
            {
                throw new CryptographicException("OpenSSL could not make a P-256 key pair.");
            }
            var group = EC_KEY_get0_group(key);
            if (EC_POINT_point2oct(group, EC_KEY_get0_public_key(key), PointConversionUncompressed, ref MemoryMarshal.GetReference(ourPublicKey), 65, IntPtr.Zero) != 65)
            {
                throw new CryptographicException("OpenSSL could not encode the public key.");
            }
            peer = EC_POINT_new(group);
            if (peer == IntPtr.Zero || EC_POINT_oct2point(group, peer, in MemoryMarshal.GetReference(browserPublicKey), 65, IntPtr.Zero) != 1)
            {
                throw new CryptographicException("The browser's p256dh key is not a point on P-256.");
            }
            if (ECDH_compute_key(ref MemoryMarshal.GetReference(secret), 32, peer, key, IntPtr.Zero) != 32)
            {
                throw new CryptographicException("OpenSSL could not compute the P-256 agreement.");
            }
            return true;
        }
        finally
        {
            if (peer != IntPtr.Zero)
            {
                EC_POINT_free(peer);
            }
            // EC_KEY_free clears the private key before releasing it.
            EC_KEY_free(key);
            // Leave no error of ours in this thread's queue for .NET's own OpenSSL calls to find.
            ERR_clear_error();
        }
    }

    private static bool Probe()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }
        if (!NativeLibrary.TryLoad(Library, typeof(OpenSslP256).Assembly, DllImportSearchPath.SafeDirectories, out var handle))
        {
            return false;
        }
        string[] functions =
        [
            "EC_KEY_new_by_curve_name", "EC_KEY_generate_key", "EC_KEY_free", "EC_KEY_get0_group", "EC_KEY_get0_public_key", "EC_POINT_new",
            "EC_POINT_free", "EC_POINT_oct2point", "EC_POINT_point2oct", "ECDH_compute_key", "ERR_clear_error",
        ];
        return functions.All(f => NativeLibrary.TryGetExport(handle, f, out _));
    }

    [LibraryImport(Library), DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial IntPtr EC_KEY_new_by_curve_name(int nid);

    [LibraryImport(Library), DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int EC_KEY_generate_key(IntPtr key);

    [LibraryImport(Library), DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial void EC_KEY_free(IntPtr key);

    [LibraryImport(Library), DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial IntPtr EC_KEY_get0_group(IntPtr key);

    [LibraryImport(Library), DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial IntPtr EC_KEY_get0_public_key(IntPtr key);

    [LibraryImport(Library), DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial IntPtr EC_POINT_new(IntPtr group);

    [LibraryImport(Library), DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial void EC_POINT_free(IntPtr point);

    [LibraryImport(Library), DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int EC_POINT_oct2point(IntPtr group, IntPtr point, in byte buffer, nuint length, IntPtr context);

    [LibraryImport(Library), DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial nuint EC_POINT_point2oct(IntPtr group, IntPtr point, int form, ref byte buffer, nuint length, IntPtr context);

    [LibraryImport(Library), DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int ECDH_compute_key(ref byte output, nuint outputLength, IntPtr publicKey, IntPtr key, IntPtr kdf);

    [LibraryImport(Library), DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial void ERR_clear_error();
}
