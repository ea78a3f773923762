using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using MimeKit;
using NewsPush.Data.Entities;
using NewsPush.Web.Infrastructure.Email;

namespace NewsPush.Web.Account;

/// <summary>
/// The account e-mails: confirm address and reset password. Tokens travel Base64Url-encoded. The messages are handed to
/// <see cref="AccountMailQueue"/> and sent after the answer, so a form takes as long for an address with an account as
/// for one without (no account enumeration by timing).
/// </summary>
public sealed class AccountEmails(UserManager<ApplicationUser> users, AccountMailQueue mailer, IOptions<EmailOptions> options, IHttpContextAccessor http)
{
    public static string Encode(string token) => WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(token));

    public static string? Decode(string? code)
    {
        if (string.IsNullOrEmpty(code))
        {
            return null;
        }
        try
        {
            return Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(code));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    public async Task SendConfirmationAsync(ApplicationUser user, CancellationToken ct)
    {
        var code = Encode(await users.GenerateEmailConfirmationTokenAsync(user));
        var link = $"{options.Value.BaseUrl(http.HttpContext?.Request)}/account/confirm-email?userId={Uri.EscapeDataString(user.Id)}&code={code}";
        await SendAsync(user, "Confirm your NewsPush e-mail address",
            $"Welcome to NewsPush, {user.DisplayName}.\n\nConfirm your e-mail address by opening this link:\n{link}\n\nIf you did not register, ignore this message.", link, "Confirm my address", ct);
    }

    public async Task SendPasswordResetAsync(ApplicationUser user, CancellationToken ct)
    {
        var code = Encode(await users.GeneratePasswordResetTokenAsync(user));
        var link = $"{options.Value.BaseUrl(http.HttpContext?.Request)}/account/reset-password?email={Uri.EscapeDataString(user.Email ?? "")}&code={code}";
        await SendAsync(user, "Reset your NewsPush password",
            $"Someone asked to reset the password of your NewsPush account.\n\nChoose a new password here:\n{link}\n\nIf it was not you, ignore this message; your password stays the same.", link, "Choose a new password", ct);
    }

    private async Task SendAsync(ApplicationUser user, string subject, string text, string link, string linkText, CancellationToken ct)
    {
        var message = new MimeMessage();
        message.To.Add(new MailboxAddress(user.DisplayName, user.Email ?? throw new InvalidOperationException("The account has no e-mail address.")));
        message.Subject = subject;
        var paragraphs = text.Split("\n\n");
        var html = new StringBuilder(2048);
        EmailLayout.Open(html, subject, paragraphs[0], options.Value.BaseUrl(http.HttpContext?.Request) + "/", "");
        html.Append("<h1 style=\"margin:0 0 12px;font-size:22px;line-height:1.25\">").Append(EmailLayout.E(subject)).Append("</h1>")
            .Append("<p style=\"margin:0 0 8px\">").Append(EmailLayout.E(paragraphs[0])).Append("</p>");
        EmailLayout.Button(html, link, linkText);
        html.Append("<p class=\"np-muted\" style=\"margin:0 0 8px;color:#495057;font-size:14px\">If the button does not work, paste this address into your browser:<br>")
            .Append("<a class=\"np-link\" href=\"").Append(EmailLayout.E(link)).Append("\" style=\"color:#0b5ed7\">").Append(EmailLayout.E(link)).Append("</a></p>")
            .Append("<p style=\"margin:16px 0 0\">").Append(EmailLayout.E(paragraphs[^1])).Append("</p>");
        EmailLayout.Close(html, "NewsPush account e-mail: sent because of something done with this address on the site.");
        message.Body = new BodyBuilder { TextBody = text, HtmlBody = html.ToString() }.ToMessageBody();
        await mailer.EnqueueAsync(message, ct);
    }
}

/// <summary>Account e-mails waiting to be sent; <see cref="AccountMailSender"/> sends them in the background.</summary>
public sealed class AccountMailQueue
{
    private readonly System.Threading.Channels.Channel<MimeMessage> queue = System.Threading.Channels.Channel.CreateBounded<MimeMessage>(
        new System.Threading.Channels.BoundedChannelOptions(10_000) { FullMode = System.Threading.Channels.BoundedChannelFullMode.Wait });

    public ValueTask EnqueueAsync(MimeMessage message, CancellationToken ct) => queue.Writer.WriteAsync(message, ct);

    public IAsyncEnumerable<MimeMessage> ReadAllAsync(CancellationToken ct) => queue.Reader.ReadAllAsync(ct);
}

public sealed partial class AccountMailSender(AccountMailQueue queue, IMailer mailer, ILogger<AccountMailSender> logger) : Microsoft.Extensions.Hosting.BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var message in queue.ReadAllAsync(stoppingToken))
        {
            try
            {
                await mailer.SendAsync(message, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(logger, e, message.Subject ?? "");
            }
        }
    }

    [LoggerMessage(LogLevel.Error, "Could not send the account e-mail \"{Subject}\"; the reader can ask for it again")]
    private static partial void LogFailed(ILogger logger, Exception e, string subject);
}
