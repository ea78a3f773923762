using System.Net;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using MimeKit;
using NewsPush.Data.Entities;
using NewsPush.Web.Infrastructure.Email;

namespace NewsPush.Web.Account;

/// <summary>The account e-mails: confirm address and reset password. Tokens travel Base64Url-encoded.</summary>
public sealed class AccountEmails(UserManager<ApplicationUser> users, IMailer mailer, IOptions<EmailOptions> options, IHttpContextAccessor http)
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
        var html = "<p>" + WebUtility.HtmlEncode(text.Split("\n\n")[0]) + "</p>" +
                   $"<p><a href=\"{WebUtility.HtmlEncode(link)}\">{WebUtility.HtmlEncode(linkText)}</a></p>" +
                   "<p>" + WebUtility.HtmlEncode(text.Split("\n\n").Last()) + "</p>";
        message.Body = new BodyBuilder { TextBody = text, HtmlBody = html }.ToMessageBody();
        await mailer.SendAsync(message, ct);
    }
}
