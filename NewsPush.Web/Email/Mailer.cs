using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace NewsPush.Web.Email;

/// <summary>Sends MIME messages: SMTP (MailKit) when configured, else the pickup folder.</summary>
public interface IMailer
{
    Task SendAsync(MimeMessage message, CancellationToken ct);
}

public sealed class Mailer(IOptions<EmailOptions> options, IWebHostEnvironment environment) : IMailer
{
    public async Task SendAsync(MimeMessage message, CancellationToken ct)
    {
        var o = options.Value;
        if (message.From.Count == 0)
        {
            message.From.Add(new MailboxAddress(o.FromName, o.FromAddress));
        }
        if (string.IsNullOrWhiteSpace(o.SmtpHost))
        {
            var folder = Path.GetFullPath(Path.Combine(environment.ContentRootPath, o.PickupFolder));
            Directory.CreateDirectory(folder);
            var path = Path.Combine(folder, $"{DateTime.UtcNow:yyyyMMddHHmmssfff}-{Guid.NewGuid():N}.eml");
            await message.WriteToAsync(path, ct);
            return;
        }
        using var client = new SmtpClient();
        await client.ConnectAsync(o.SmtpHost, o.SmtpPort, o.SmtpUseTls ? SecureSocketOptions.StartTls : SecureSocketOptions.None, ct);
        if (!string.IsNullOrEmpty(o.SmtpUser))
        {
            await client.AuthenticateAsync(o.SmtpUser, o.SmtpPassword ?? "", ct);
        }
        await client.SendAsync(message, ct);
        await client.DisconnectAsync(true, ct);
    }
}
