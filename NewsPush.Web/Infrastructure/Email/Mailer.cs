using System.Collections.Concurrent;
using System.Net.Sockets;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using NewsPush.Data;
using MimeKit;

namespace NewsPush.Web.Infrastructure.Email;

/// <summary>Sends MIME messages: SMTP (MailKit) when configured, else the pickup folder.</summary>
public interface IMailer
{
    Task SendAsync(MimeMessage message, CancellationToken ct);
}

/// <summary>
/// SMTP connections are kept open and reused (connect + EHLO + AUTH per message would cap throughput at a
/// few messages per second); a connection that failed is dropped, never returned to the pool.
/// </summary>
public sealed class Mailer(IOptions<EmailOptions> options, IOptions<DatabaseOptions> database, IWebHostEnvironment environment) : IMailer, IAsyncDisposable
{
    private const int MaxIdleConnections = 16;
    private readonly ConcurrentBag<SmtpClient> idle = [];

    public async Task SendAsync(MimeMessage message, CancellationToken ct)
    {
        var o = options.Value;
        if (message.From.Count == 0)
        {
            message.From.Add(new MailboxAddress(o.FromName, o.FromAddress));
        }
        if (string.IsNullOrWhiteSpace(o.SmtpHost))
        {
            var folder = database.Value.ResolveUnderDataFolder(environment.ContentRootPath, o.PickupFolder);
            Directory.CreateDirectory(folder);
            var path = Path.Combine(folder, $"{DateTime.UtcNow:yyyyMMddHHmmssfff}-{Guid.NewGuid():N}.eml");
            // Written under another name and then renamed, so whoever reads the folder never sees half a message.
            var partial = path + ".partial";
            await message.WriteToAsync(partial, ct);
            File.Move(partial, path);
            return;
        }
        var (client, reused) = await RentAsync(o, ct);
        try
        {
            await client.SendAsync(message, ct);
        }
        catch (Exception ex) when (reused && ex is IOException or MailKit.ServiceNotConnectedException or MailKit.Net.Smtp.SmtpProtocolException)
        {
            // The server closed an idle pooled connection: one more try on a fresh one.
            client.Dispose();
            (client, _) = await RentAsync(o, ct, fresh: true);
            try
            {
                await client.SendAsync(message, ct);
            }
            catch
            {
                client.Dispose();
                throw;
            }
        }
        catch
        {
            client.Dispose();
            throw;
        }
        if (idle.Count < MaxIdleConnections)
        {
            idle.Add(client);
        }
        else
        {
            await client.DisconnectAsync(true, CancellationToken.None);
            client.Dispose();
        }
    }

    private async Task<(SmtpClient Client, bool Reused)> RentAsync(EmailOptions o, CancellationToken ct, bool fresh = false)
    {
        while (!fresh && idle.TryTake(out var pooled))
        {
            if (pooled.IsConnected)
            {
                return (pooled, true);
            }
            pooled.Dispose();
        }
        var client = new SmtpClient { Timeout = 30_000 };
        try
        {
            // Without Nagle's algorithm: the message's last small write (".") would otherwise wait for the
            // server's delayed ACK, ~40 ms per message on every connection.
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(o.SmtpHost!, o.SmtpPort, ct);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
            await client.ConnectAsync(socket, o.SmtpHost!, o.SmtpPort, o.SmtpUseTls ? SecureSocketOptions.StartTls : SecureSocketOptions.None, ct);
            if (!string.IsNullOrEmpty(o.SmtpUser))
            {
                await client.AuthenticateAsync(o.SmtpUser, o.SmtpPassword ?? "", ct);
            }
            // Without SIZE= in MAIL FROM: MailKit would serialise every message twice, once only to count its bytes
            // (a third of the send's CPU). A message over the server's limit is then refused at the end of DATA
            // (552: that delivery fails) instead of at MAIL FROM (which reads as a refused sender and pauses the channel).
            client.Capabilities &= ~SmtpCapabilities.Size;
            return (client, false);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        while (idle.TryTake(out var client))
        {
            try
            {
                await client.DisconnectAsync(true, CancellationToken.None);
            }
            catch (Exception ex) when (ex is IOException or MailKit.ServiceNotConnectedException or MailKit.ProtocolException or System.Net.Sockets.SocketException)
            {
                // Closing anyway.
            }
            client.Dispose();
        }
    }
}
