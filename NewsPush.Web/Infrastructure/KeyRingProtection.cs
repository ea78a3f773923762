using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using NewsPush.Data;

namespace NewsPush.Web.Infrastructure;

/// <summary>
/// The "DataProtection" section: the certificate that encrypts the Data Protection key ring at rest (ADR-019). The keys
/// sign and encrypt the auth and antiforgery cookies and the VAPID private key; they are kept in the database (every node
/// shares them), so without encryption anyone who reads the database or a backup could forge an admin's cookie.
/// </summary>
public sealed class KeyRingOptions
{
    public const string SectionName = "DataProtection";

    /// <summary>A PKCS#12 (.pfx) file with the certificate and its private key; relative to the content root unless absolute.</summary>
    public string? CertificateFile { get; set; }

    /// <summary>The same as base64 (an environment variable or secret store, <c>DataProtection__Certificate</c>).</summary>
    public string? Certificate { get; set; }

    public string? CertificatePassword { get; set; }

    /// <summary>Earlier certificates (files), still able to decrypt keys they encrypted, after a rotation.</summary>
    public string[] PreviousCertificateFiles { get; set; } = [];

    /// <summary>Outside Development and Testing the site refuses to start without a certificate unless this is set: keys then stay in clear, with a warning.</summary>
    public bool AllowUnprotectedKeys { get; set; }

    public bool HasCertificate => !string.IsNullOrWhiteSpace(CertificateFile) || !string.IsNullOrWhiteSpace(Certificate);
}

public static class KeyRingServiceCollectionExtensions
{
    public const string MissingCertificateMessage =
        "DataProtection:CertificateFile (or DataProtection:Certificate, base64) is required outside Development: the Data Protection keys that sign the " +
        "auth cookies are stored in the database and must be encrypted there. Give a PKCS#12 certificate with its private key " +
        "(DataProtection:CertificatePassword), or set DataProtection:AllowUnprotectedKeys=true to keep them in clear on purpose.";

    public static IServiceCollection AddKeyRing(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var options = configuration.GetSection(KeyRingOptions.SectionName).Get<KeyRingOptions>() ?? new KeyRingOptions();
        var builder = services.AddDataProtection().PersistKeysToDbContext<NewsPushDbContext>().SetApplicationName("NewsPush");
        if (options.HasCertificate)
        {
            var current = Load(options.CertificateFile, options.Certificate, options.CertificatePassword, environment);
            var previous = options.PreviousCertificateFiles.Select(f => Load(f, null, options.CertificatePassword, environment));
            builder.ProtectKeysWithCertificate(current).UnprotectKeysWithAnyCertificate([current, .. previous]);
        }
        services.AddOptions<KeyRingOptions>().BindConfiguration(KeyRingOptions.SectionName)
            .Validate<IHostEnvironment>((o, env) => o.HasCertificate || o.AllowUnprotectedKeys || env.IsDevelopment() || env.IsEnvironment("Testing"), MissingCertificateMessage)
            .ValidateOnStart();
        services.AddHostedService<KeyRingWarning>();
        return services;
    }

    private static X509Certificate2 Load(string? file, string? base64, string? password, IHostEnvironment environment)
    {
        try
        {
            var certificate = !string.IsNullOrWhiteSpace(base64)
                ? X509CertificateLoader.LoadPkcs12(Convert.FromBase64String(base64), password)
                : X509CertificateLoader.LoadPkcs12FromFile(Path.Combine(environment.ContentRootPath, file!), password);
            return certificate.HasPrivateKey ? certificate
                : throw new InvalidOperationException($"The Data Protection certificate {certificate.Subject} has no private key: give the .pfx, not the .cer.");
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or FormatException or IOException)
        {
            throw new InvalidOperationException($"The Data Protection certificate ({(string.IsNullOrWhiteSpace(base64) ? file : "DataProtection:Certificate")}) could not be loaded: {e.Message}", e);
        }
    }
}

/// <summary>Says at start-up, every time, when the key ring is kept in clear (the explicit Development fallback).</summary>
internal sealed partial class KeyRingWarning(Microsoft.Extensions.Options.IOptions<KeyRingOptions> options, ILogger<KeyRingWarning> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.HasCertificate)
        {
            LogUnprotected(logger);
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(LogLevel.Warning, "Data Protection keys are stored UNENCRYPTED in the database (no DataProtection:CertificateFile): acceptable for development only; anyone who reads the database can forge sign-in cookies")]
    private static partial void LogUnprotected(ILogger logger);
}
