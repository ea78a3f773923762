using System.Diagnostics;
using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using MimeKit.Utils;

namespace NewsPush.Tests.Web.Push;

/// <summary>
/// The SMTP test peer's faults, seen by MailKit's own client (what the e-mail channel uses), so that fault-injection
/// tests of the channel can rely on them. One server for the class (tests of a class run one at a time), reset
/// before each test; counts are compared with what the test found.
/// </summary>
public sealed class SmtpSinkTests : IClassFixture<SmtpSinkTests.Server>
{
    private readonly SmtpSink sink;
    private readonly int before;

    public SmtpSinkTests(Server server)
    {
        sink = server.Sink;
        sink.Reset();
        before = sink.AcceptedCount();
    }

    [Fact]
    public async Task DownRefusesNewConnectionsAndResetsOpenOnesUpListensOnTheSamePort()
    {
        using var open = await ConnectAsync();
        var port = sink.Port;

        sink.Down();

        using (var refused = new SmtpClient { Timeout = 5000 })
        {
            var ex = await Assert.ThrowsAsync<SocketException>(() => refused.ConnectAsync("127.0.0.1", port, SecureSocketOptions.None));
            Assert.Equal(SocketError.ConnectionRefused, ex.SocketErrorCode);
        }
        // The open connection was reset: its next command fails, and the client knows it is disconnected.
        var broken = await Assert.ThrowsAsync<IOException>(() => open.SendAsync(Message()));
        Assert.Equal(SocketError.ConnectionReset, Assert.IsType<SocketException>(broken.InnerException).SocketErrorCode);
        Assert.False(open.IsConnected);

        sink.Up();

        Assert.Equal(port, sink.Port);
        using var again = await ConnectAsync();
        await again.SendAsync(Message());
        Assert.Equal(before + 1, sink.AcceptedCount());
        sink.Up(); // already up: a no-op
    }

    [Fact]
    public async Task DelayHoldsTheDataReply()
    {
        using var client = await ConnectAsync();
        var delay = TimeSpan.FromMilliseconds(300);
        sink.SetDelay(delay);

        var watch = Stopwatch.StartNew();
        await client.SendAsync(Message());
        Assert.True(watch.Elapsed >= delay, $"answered after {watch.Elapsed.TotalMilliseconds} ms");

        sink.SetDelay(TimeSpan.Zero);
        await client.SendAsync(Message());
        Assert.Equal(before + 2, sink.AcceptedCount());
    }

    [Fact]
    public async Task AClientThatGivesUpDuringTheDelayHasDeliveredAnywaySoItsResendIsADuplicate()
    {
        var message = Message();
        sink.SetDelay(TimeSpan.FromMilliseconds(1500));
        using (var impatient = await ConnectAsync())
        {
            impatient.Timeout = 200;
            await Assert.ThrowsAsync<TimeoutException>(() => impatient.SendAsync(message));
        }
        sink.SetDelay(TimeSpan.Zero);
        using var client = await ConnectAsync();
        await client.SendAsync(message);

        Assert.Equal(2, sink.MessageIdCounts()[message.MessageId!]);
    }

    [Fact]
    public async Task GreetingRefusesTheConnection()
    {
        sink.SetGreeting(554);
        using (var client = new SmtpClient { Timeout = 5000 })
        {
            var ex = await Assert.ThrowsAsync<SmtpCommandException>(() => client.ConnectAsync("127.0.0.1", sink.Port, SecureSocketOptions.None));
            Assert.Equal((SmtpStatusCode)554, ex.StatusCode);
            Assert.Equal(SmtpErrorCode.UnexpectedStatusCode, ex.ErrorCode);
            Assert.False(client.IsConnected);
        }

        sink.SetGreeting(null);
        using var ok = await ConnectAsync();
        await ok.SendAsync(Message());
    }

    [Fact]
    public async Task MailFromReplyRefusesTheSender()
    {
        // MailKit reports 530 at MAIL FROM as "not authenticated", with the reply text but no status code.
        sink.SetMailFromReply(530);
        using var client = await ConnectAsync();
        var ex = await Assert.ThrowsAsync<ServiceNotAuthenticatedException>(() => client.SendAsync(Message()));
        Assert.Equal("5.7.0 Authentication required", ex.Message);
        Assert.True(client.IsConnected);

        // Any other refusal: SmtpCommandException with the code.
        sink.SetMailFromReply(550, "5.7.1 Sender refused");
        var refused = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(Message()));
        Assert.Equal(SmtpStatusCode.MailboxUnavailable, refused.StatusCode);
        Assert.Equal(SmtpErrorCode.SenderNotAccepted, refused.ErrorCode);
        Assert.Equal("digest@newspush.test", refused.Mailbox?.Address);

        // 421: the server is going away, and closes the connection after the reply.
        sink.SetMailFromReply(421);
        var closing = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(Message()));
        Assert.Equal(SmtpStatusCode.ServiceNotAvailable, closing.StatusCode);
        Assert.Equal(SmtpErrorCode.SenderNotAccepted, closing.ErrorCode);
        Assert.False(client.IsConnected);

        sink.SetMailFromReply(null);
        using var ok = await ConnectAsync();
        await ok.SendAsync(Message());
        Assert.Equal(before + 1, sink.AcceptedCount());
    }

    [Fact]
    public async Task RequiredAuthRefusesAnUnauthenticatedSenderAndWrongCredentials()
    {
        sink.RequireAuth("digest", "s3cret");
        using (var client = await ConnectAsync())
        {
            Assert.True(client.Capabilities.HasFlag(SmtpCapabilities.Authentication));
            Assert.Contains("PLAIN", client.AuthenticationMechanisms);
            await Assert.ThrowsAsync<ServiceNotAuthenticatedException>(() => client.SendAsync(Message()));
            var wrong = await Assert.ThrowsAsync<AuthenticationException>(() => client.AuthenticateAsync("digest", "wrong"));
            Assert.Equal(SmtpStatusCode.AuthenticationInvalidCredentials, Assert.IsType<SmtpCommandException>(wrong.InnerException).StatusCode);
            await client.AuthenticateAsync("digest", "s3cret");
            await client.SendAsync(Message());
        }
        using (var login = await ConnectAsync())
        {
            login.AuthenticationMechanisms.Remove("PLAIN");
            await login.AuthenticateAsync("digest", "s3cret");
            await login.SendAsync(Message());
        }

        sink.AuthOff();
        using var open = await ConnectAsync();
        Assert.False(open.Capabilities.HasFlag(SmtpCapabilities.Authentication));
        await open.SendAsync(Message());
        Assert.Equal(before + 3, sink.AcceptedCount());
    }

    [Fact]
    public async Task FailedAuthRefusesEveryAttempt()
    {
        sink.FailAuth();
        using var client = await ConnectAsync();
        Assert.True(client.Capabilities.HasFlag(SmtpCapabilities.Authentication));
        var ex = await Assert.ThrowsAsync<AuthenticationException>(() => client.AuthenticateAsync("digest", "s3cret"));
        Assert.Equal("535: 5.7.8 Authentication credentials invalid", ex.Message);
        Assert.Equal(SmtpStatusCode.AuthenticationInvalidCredentials, Assert.IsType<SmtpCommandException>(ex.InnerException).StatusCode);
        await Assert.ThrowsAsync<ServiceNotAuthenticatedException>(() => client.SendAsync(Message()));
        Assert.Equal(before, sink.AcceptedCount());
    }

    [Fact]
    public async Task FailAfterRefusesTheMessagesAfterTheNth()
    {
        using var client = await ConnectAsync();
        sink.FailAfter(2, 451);
        await client.SendAsync(Message());
        await client.SendAsync(Message());
        var ex = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(Message()));
        Assert.Equal(SmtpStatusCode.ErrorInProcessing, ex.StatusCode);
        Assert.Equal(SmtpErrorCode.MessageNotAccepted, ex.ErrorCode);

        sink.FailAfter(0);
        var permanent = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(Message()));
        Assert.Equal(SmtpStatusCode.TransactionFailed, permanent.StatusCode);
        Assert.Equal(SmtpErrorCode.MessageNotAccepted, permanent.ErrorCode);

        sink.FailAfter(null);
        await client.SendAsync(Message());
        Assert.Equal(before + 3, sink.AcceptedCount());
        Assert.Equal(before + 3, sink.MessageFiles.Count);
    }

    [Fact]
    public async Task CountAndMessageIdCountsSeeWhatWasStored()
    {
        Assert.Equal(before, sink.MessageFiles.Count);
        Assert.Equal(before, sink.MessageIdCounts().Values.Sum());
        using var client = await ConnectAsync();
        var once = Message();
        var twice = Message();
        await client.SendAsync(once);
        await client.SendAsync(twice);
        await client.SendAsync(twice);
        // The recipient rules: not stored.
        var rejected = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(Message("reject@example.test")));
        Assert.Equal(SmtpErrorCode.RecipientNotAccepted, rejected.ErrorCode);
        Assert.Equal(SmtpStatusCode.MailboxUnavailable, rejected.StatusCode);
        var deferred = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(Message("tempfail@example.test")));
        Assert.Equal(SmtpErrorCode.RecipientNotAccepted, deferred.ErrorCode);
        Assert.Equal(SmtpStatusCode.ErrorInProcessing, deferred.StatusCode);

        Assert.Equal(before + 3, sink.AcceptedCount());
        var counts = sink.MessageIdCounts();
        Assert.Equal(before + 3, counts.Values.Sum());
        Assert.Equal(1, counts[once.MessageId!]);
        Assert.Equal(2, counts[twice.MessageId!]);
    }

    [Fact]
    public void AnUnknownCommandOrArgumentIsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => sink.SetGreeting(99));
        Assert.Throws<ArgumentException>(() => sink.RequireAuth("two words", "x"));
        Assert.Throws<ArgumentException>(() => sink.SetMailFromReply(530, "line\nbreak"));
        sink.SetGreeting(554, "  5.3.2   spaced   out ");
        sink.SetGreeting(null);
    }

    public sealed class Server : IDisposable
    {
        public SmtpSink Sink { get; } = new(parse: false);

        public void Dispose() => Sink.Dispose();
    }

    private async Task<SmtpClient> ConnectAsync()
    {
        var client = new SmtpClient { Timeout = 10_000 };
        await client.ConnectAsync("127.0.0.1", sink.Port, SecureSocketOptions.None);
        return client;
    }

    private static MimeMessage Message(string to = "reader@example.test")
    {
        var message = new MimeMessage { Subject = "fault", MessageId = MimeUtils.GenerateMessageId("newspush.test") };
        message.From.Add(MailboxAddress.Parse("digest@newspush.test"));
        message.To.Add(MailboxAddress.Parse(to));
        message.Body = new TextPart("plain") { Text = "hello" };
        return message;
    }
}
