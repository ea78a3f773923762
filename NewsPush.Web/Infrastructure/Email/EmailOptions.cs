using System.ComponentModel.DataAnnotations;

namespace NewsPush.Web.Infrastructure.Email;

/// <summary>The "Email" section. With no SMTP host, mail goes to <see cref="PickupFolder"/> as .eml files.</summary>
public sealed class EmailOptions
{
    public const string SectionName = "Email";

    [Required, EmailAddress]
    public string FromAddress { get; set; } = "news@newspush.local";
    public string FromName { get; set; } = "NewsPush";
    /// <summary>Relative to the content root.</summary>
    public string PickupFolder { get; set; } = "App_Data/mail-pickup";
    public string? SmtpHost { get; set; }
    [Range(1, 65535)]
    public int SmtpPort { get; set; } = 25;
    public bool SmtpUseTls { get; set; }
    public string? SmtpUser { get; set; }
    public string? SmtpPassword { get; set; }
    /// <summary>Absolute base URL used in links inside e-mails, e.g. "https://news.example.com".</summary>
    public string PublicBaseUrl { get; set; } = "http://localhost:5000";
}
