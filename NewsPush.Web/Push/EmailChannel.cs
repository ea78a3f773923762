using NewsPush.Web.Preferences;
using MailKit;
using MailKit.Net.Smtp;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Web.Infrastructure.Email;

namespace NewsPush.Web.Push;

/// <summary>
/// The e-mail channel: a digest as HTML + text with tracked links, an open pixel and RFC 8058 one-click
/// unsubscribe headers, sent through <see cref="IMailer"/> a few at a time. The Message-Id is derived from the
/// delivery, so a message resent after a crash between "sent" and "recorded" is recognisable as the same one.
/// </summary>
public sealed class EmailChannel(
    NewsPushDbContext db,
    IMailer mailer,
    UnsubscribeTokens unsubscribe,
    IOptions<EmailOptions> emailOptions,
    IOptions<DeliveryOptions> deliveryOptions) : IChannelSender
{
    public DeliveryChannel Channel => DeliveryChannel.Email;

    public int GroupSize => deliveryOptions.Value.EmailGroupSize;

    public async Task<IReadOnlyList<DeliveryOutcome>> SendAsync(IReadOnlyList<Delivery> batch, CancellationToken ct)
    {
        var baseUrl = emailOptions.Value.PublicBaseUrl.TrimEnd('/');
        var digestIds = batch.Select(d => d.DigestId).OfType<long>().ToList();
        var userIds = batch.Select(d => d.UserId).Distinct().ToList();
        var digests = await db.Digests.AsNoTracking().Where(d => digestIds.Contains(d.Id))
            .Select(d => new { d.Id, d.WindowKey, d.Status })
            .ToDictionaryAsync(d => d.Id, ct);
        // Items flat and apart: SQLite plans a nested collection as a join over every digest item ever sent.
        var items = (await db.DigestItems.AsNoTracking().Where(i => digestIds.Contains(i.DigestId))
                .Select(i => new { i.DigestId, i.Position, i.ArticleId, i.Article!.Title, i.Article.Summary, i.Article.Slug, Column = i.Article.Column!.Name, i.Reason })
                .ToListAsync(ct))
            .ToLookup(i => i.DigestId);
        var users = await db.Users.AsNoTracking().Where(u => userIds.Contains(u.Id))
            .Select(u => new
            {
                u.Id, u.Email, u.DisplayName, u.DeletedAt,
                Unsubscribed = db.ReaderPreferences.Any(p => p.UserId == u.Id && (p.EmailUnsubscribedAt != null || !p.EmailEnabled)),
            })
            .ToDictionaryAsync(u => u.Id, ct);

        var outcomes = new DeliveryOutcome[batch.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, batch.Count),
            new ParallelOptions { MaxDegreeOfParallelism = deliveryOptions.Value.EmailParallelism, CancellationToken = ct },
            async (index, token) =>
            {
                var delivery = batch[index];
                if (!users.TryGetValue(delivery.UserId, out var user) || user.DeletedAt is not null || string.IsNullOrEmpty(user.Email))
                {
                    outcomes[index] = new(delivery.Id, DeliveryResult.Failed, "the reader has no e-mail address");
                    return;
                }
                if (user.Unsubscribed)
                {
                    outcomes[index] = new(delivery.Id, DeliveryResult.Suppressed, "unsubscribed from e-mail");
                    return;
                }
                if (delivery.DigestId is not { } digestId || !digests.TryGetValue(digestId, out var digest))
                {
                    outcomes[index] = new(delivery.Id, DeliveryResult.Failed, "the e-mail channel delivers digests only");
                    return;
                }
                if (digest.Status == DigestStatus.Merged)
                {
                    outcomes[index] = new(delivery.Id, DeliveryResult.Suppressed, "merged into a newer digest");
                    return;
                }
                var unsubscribeUrl = $"{baseUrl}/unsubscribe?token={Uri.EscapeDataString(unsubscribe.Create(delivery.UserId))}";
                var stories = items[digestId].OrderBy(i => i.Position).ToList();
                var subject = InboxChannel.DigestTitle(digest.WindowKey, stories.Count);
                var model = new DigestEmailModel(
                    string.IsNullOrWhiteSpace(user.DisplayName) ? "reader" : user.DisplayName,
                    subject,
                    stories.Select(i => new DigestEmailStory(i.Title, i.Summary, i.Column, i.Reason,
                        $"{baseUrl}/t/c/{delivery.TrackingToken}?a={i.ArticleId}&u={Uri.EscapeDataString("/article/" + i.Slug)}")).ToList(),
                    $"{baseUrl}/preferences",
                    unsubscribeUrl,
                    $"{baseUrl}/t/o/{delivery.TrackingToken}.gif");
                var message = new MimeMessage { Subject = subject, MessageId = $"digest-{delivery.TrackingToken}@newspush" };
                message.To.Add(new MailboxAddress(model.DisplayName, user.Email));
                message.Headers.Add("List-Unsubscribe", $"<{unsubscribeUrl}>");
                message.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
                message.Body = new BodyBuilder { TextBody = DigestEmailTemplate.RenderText(model), HtmlBody = DigestEmailTemplate.RenderHtml(model) }.ToMessageBody();
                try
                {
                    await mailer.SendAsync(message, token);
                    outcomes[index] = new(delivery.Id, DeliveryResult.Sent);
                }
                catch (SmtpCommandException ex) when ((int)ex.StatusCode >= 500)
                {
                    // 5xx: the server will not take it, however often we try (unknown mailbox, rejected).
                    outcomes[index] = new(delivery.Id, DeliveryResult.Failed, $"{(int)ex.StatusCode} {ex.Message}");
                }
                catch (Exception ex) when (ex is SmtpCommandException or SmtpProtocolException or ServiceNotConnectedException or IOException or System.Net.Sockets.SocketException or TimeoutException or ServiceNotAuthenticatedException)
                {
                    outcomes[index] = new(delivery.Id, DeliveryResult.Retry, ex.Message);
                }
            });
        return outcomes;
    }
}
