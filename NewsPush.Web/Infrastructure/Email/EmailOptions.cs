using System.ComponentModel.DataAnnotations;

namespace NewsPush.Web.Infrastructure.Email;

/// <summary>The "Email" section. With no SMTP host, mail goes to <see cref="PickupFolder"/> as .eml files.</summary>
public sealed class EmailOptions
{
    public const string SectionName = "Email";

    [Required, EmailAddress]
    public string FromAddress { get; set; } = "news@newspush.local";
    public string FromName { get; set; } = "NewsPush";
    /// <summary>Relative to Database:DataFolder unless absolute.</summary>
    public string PickupFolder { get; set; } = "mail-pickup";
    public string? SmtpHost { get; set; }

    /// <summary>
    /// Write mail to <see cref="PickupFolder"/> on purpose (another program delivers it). Production refuses to start with
    /// neither an SMTP host nor this: mail, password resets included, would be written to a folder and never arrive.
    /// </summary>
    public bool UsePickupFolder { get; set; }
    [Range(1, 65535)]
    public int SmtpPort { get; set; } = 25;
    public bool SmtpUseTls { get; set; }
    public string? SmtpUser { get; set; }
    public string? SmtpPassword { get; set; }
    /// <summary>
    /// Absolute base URL of the links in e-mails, feeds and pushes, e.g. "https://news.example.com". Required (https) in
    /// Production; unset elsewhere, links use the address of the request that makes them.
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>The base of links made outside a request (a background job) when <see cref="PublicBaseUrl"/> is unset: Kestrel's default address.</summary>
    public const string FallbackBaseUrl = "http://localhost:5000";

    /// <summary>
    /// The base of absolute links, without a trailing slash. The request's own address is trusted only because Production
    /// refuses to start without <see cref="PublicBaseUrl"/> (a Host header is the caller's to choose).
    /// </summary>
    public string BaseUrl(HttpRequest? request) =>
        (!string.IsNullOrWhiteSpace(PublicBaseUrl) ? PublicBaseUrl : request is null ? FallbackBaseUrl : $"{request.Scheme}://{request.Host}{request.PathBase}").TrimEnd('/');

    public static bool IsAbsoluteHttps(string? url) => Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps;
}
