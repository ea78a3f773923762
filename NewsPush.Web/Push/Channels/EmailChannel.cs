using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Web.Infrastructure.Email;
using NewsPush.Web.Media;
using NewsPush.Web.Preferences;

namespace NewsPush.Web.Push.Channels;

/// <summary>
/// The e-mail channel: HTML + text with tracked links, an open pixel and RFC 8058 one-click unsubscribe headers,
/// sent through <see cref="IMailer"/> a few at a time. Each message gets its own outcome (<see cref="SmtpFaults"/>):
/// a recipient's refusal fails that delivery only, a refusal of us (sender, authentication, greeting) or an
/// unreachable server reports the channel and stops the group, and messages already accepted stay Sent. The
/// Message-Id is derived from the delivery, so a message resent after a crash is recognisable as the same one.
/// </summary>
public sealed class EmailChannel(
    NewsPushDbContext db,
    IMailer mailer,
    UnsubscribeTokens unsubscribe,
    IOptions<EmailOptions> emailOptions,
    IOptions<DeliveryOptions> deliveryOptions) : IChannelSender
{
    private static readonly IReadOnlySet<DeliveryContentKind> All = Enum.GetValues<DeliveryContentKind>().ToHashSet();

    public DeliveryChannel Channel => DeliveryChannel.Email;

    public IReadOnlySet<DeliveryContentKind> Carries => All;

    public int GroupSize => deliveryOptions.Value.EmailGroupSize;

    public async Task SendAsync(IReadOnlyList<OutboundDelivery> group, DeliveryReport report, CancellationToken ct)
    {
        var userIds = group.Select(d => d.UserId).Distinct().ToList();
        var users = await db.Users.AsNoTracking().Where(u => userIds.Contains(u.Id))
            .Select(u => new
            {
                u.Id, u.Email, u.DisplayName, u.DeletedAt,
                Unsubscribed = db.ReaderPreferences.Any(p => p.UserId == u.Id && (p.EmailUnsubscribedAt != null || !p.EmailEnabled)),
            })
            .ToDictionaryAsync(u => u.Id, ct);

        await Parallel.ForEachAsync(group,
            new ParallelOptions { MaxDegreeOfParallelism = deliveryOptions.Value.EmailParallelism, CancellationToken = ct },
            async (delivery, token) =>
            {
                if (!users.TryGetValue(delivery.UserId, out var user) || user.DeletedAt is not null || string.IsNullOrEmpty(user.Email))
                {
                    report.Failed(delivery.Id, "the reader has no e-mail address");
                    return;
                }
                if (user.Unsubscribed)
                {
                    report.Suppressed(delivery.Id, "unsubscribed from e-mail");
                    return;
                }
                MimeMessage message;
                try
                {
                    message = Build(delivery, string.IsNullOrWhiteSpace(user.DisplayName) ? "reader" : user.DisplayName, user.Email);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    report.Failed(delivery.Id, $"The message could not be built: {ex.Message}");
                    return;
                }
                // Nothing more goes out once the channel is known to be down or the lease is lost.
                if (!report.MaySend)
                {
                    return;
                }
                try
                {
                    await mailer.SendAsync(message, token);
                    report.Sent(delivery.Id);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !token.IsCancellationRequested)
                {
                    var fault = SmtpFaults.Classify(ex);
                    switch (fault)
                    {
                        case SmtpFault.Recipient or SmtpFault.Message:
                            report.Failed(delivery.Id, SmtpFaults.Describe(ex));
                            break;
                        case SmtpFault.Transient:
                            report.Retry(delivery.Id, SmtpFaults.Describe(ex));
                            break;
                        case SmtpFault.Outage:
                            report.ChannelDown(SmtpFaults.Describe(ex));
                            break;
                        default:
                            report.ChannelMisconfigured(SmtpFaults.Describe(ex));
                            break;
                    }
                }
            });
    }

    /// <summary>The JPEG copy nearest <paramref name="width"/> pixels (mail clients show JPEG everywhere), as an absolute URL.</summary>
    private static EmailImage? Picture(string baseUrl, ImageRef? image, int width)
    {
        if (image is null)
        {
            return null;
        }
        var actual = MediaUrls.NearestWidth(image, width);
        return new EmailImage(baseUrl + MediaUrls.Variant(image.Key, actual, "jpeg"), image.Alt, actual, MediaUrls.HeightAt(image, actual));
    }

    private MimeMessage Build(OutboundDelivery delivery, string displayName, string email)
    {
        var baseUrl = emailOptions.Value.BaseUrl(null);
        var token = delivery.Delivery.TrackingToken;
        var content = delivery.Content;
        var unsubscribeUrl = $"{baseUrl}/unsubscribe?token={Uri.EscapeDataString(unsubscribe.Create(delivery.UserId))}";
        var stories = content.Stories.Select((i, n) => new EmailStory(i.Title, i.Summary, i.ColumnName, i.Reason,
            $"{baseUrl}/t/c/{token}?a={i.ArticleId}&u={Uri.EscapeDataString(Slugs.ArticlePath(i.Slug))}", Picture(baseUrl, i.Image, n == 0 ? 640 : 320))).ToList();
        var intro = content.Kind == DeliveryContentKind.Digest ? null : content.Summary;
        var model = new EmailModel(displayName, content.Title, intro, stories, $"{baseUrl}/preferences", unsubscribeUrl, $"{baseUrl}/t/o/{token}.gif")
        {
            HomeUrl = baseUrl + "/",
            Label = content.Kind switch
            {
                DeliveryContentKind.Digest => "Your digest",
                DeliveryContentKind.Breaking => "Breaking news",
                DeliveryContentKind.ColumnDigest => "Column digest",
                _ => "",
            },
            IsCritical = content.IsCritical,
        };
        var message = new MimeMessage { Subject = content.Title, MessageId = $"{content.Kind.ToString().ToLowerInvariant()}-{token}@newspush" };
        message.To.Add(new MailboxAddress(displayName, email));
        message.Headers.Add("List-Unsubscribe", $"<{unsubscribeUrl}>");
        message.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        if (content.IsCritical)
        {
            message.Priority = MessagePriority.Urgent;
        }
        message.Body = new BodyBuilder { TextBody = EmailTemplate.RenderText(model), HtmlBody = EmailTemplate.RenderHtml(model) }.ToMessageBody();
        return message;
    }
}

/// <summary>What an SMTP failure means for the delivery and for the channel.</summary>
public enum SmtpFault
{
    /// <summary>The recipient is refused for good (550 5.1.1 at RCPT): that delivery fails.</summary>
    Recipient,
    /// <summary>This message is refused for good (552, 554 at DATA): that delivery fails.</summary>
    Message,
    /// <summary>This message or recipient is refused for now (4xx at RCPT or DATA): retried with backoff.</summary>
    Transient,
    /// <summary>The server is unreachable or refuses everyone for now (refused, timeout, DNS, 421): the channel pauses.</summary>
    Outage,
    /// <summary>The server refuses us (554 greeting, 530/5xx at MAIL FROM, failed AUTH, TLS): the channel pauses and admins are told.</summary>
    Configuration,
}

public static class SmtpFaults
{
    public static SmtpFault Classify(Exception ex)
    {
        switch (ex)
        {
            case SmtpCommandException c:
                var code = (int)c.StatusCode;
                if (code == 421)
                {
                    return SmtpFault.Outage;
                }
                var permanent = code >= 500;
                return c.ErrorCode switch
                {
                    SmtpErrorCode.RecipientNotAccepted => permanent ? SmtpFault.Recipient : SmtpFault.Transient,
                    SmtpErrorCode.MessageNotAccepted => permanent ? SmtpFault.Message : SmtpFault.Transient,
                    SmtpErrorCode.SenderNotAccepted => permanent ? SmtpFault.Configuration : SmtpFault.Outage,
                    _ => permanent ? SmtpFault.Configuration : SmtpFault.Outage,
                };
            case AuthenticationException or ServiceNotAuthenticatedException or SslHandshakeException:
                return SmtpFault.Configuration;
            case SmtpProtocolException or ServiceNotConnectedException or IOException or System.Net.Sockets.SocketException or TimeoutException or OperationCanceledException:
                return SmtpFault.Outage;
            default:
                // Unknown: treated as an outage, which delays everything and loses nothing.
                return SmtpFault.Outage;
        }
    }

    public static string Describe(Exception ex) => ex switch
    {
        SmtpCommandException c => $"{(int)c.StatusCode} {c.Message}",
        // MailKit raises its own type for a 530 (authentication required) without the code: admins see it anyway.
        ServiceNotAuthenticatedException => $"530 {ex.Message} (the server wants the sender to log in: check Email:SmtpUser and Email:SmtpPassword)",
        _ => $"{ex.GetType().Name}: {ex.Message}",
    };
}
