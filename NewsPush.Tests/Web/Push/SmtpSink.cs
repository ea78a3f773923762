using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using MimeKit;
using MimeKit.Utils;

namespace NewsPush.Tests.Web.Push;

/// <summary>
/// The node SMTP server (smtp-server from the repo's node_modules) on a free loopback port, writing every
/// message it accepts to <see cref="Folder"/>. Killed on Dispose.
/// The fault methods (<see cref="Down"/>, <see cref="SetDelay"/>, ...) send one command line to the server's
/// stdin and return once it has acknowledged it (smtp-sink.js documents what each does), or throw
/// <see cref="TimeoutException"/> after 10 s; an unknown or refused command throws
/// <see cref="InvalidOperationException"/>. Calls are serialized; they are safe from any thread.
/// </summary>
public sealed class SmtpSink : IDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(10);

    private readonly Process process;

    // Stdout is read by one thread, which hands "LISTENING" to the constructor and every later line to the command
    // waiting for it. A thread of its own, so waiting for a reply never depends on a free thread-pool thread.
    private readonly BlockingCollection<string> replies = new();
    private readonly TaskCompletionSource<string?> listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly StringBuilder stderr = new();
    private readonly Lock commandLock = new();

    public SmtpSink(bool parse = true)
    {
        var root = RepoRoot();
        if (!Directory.Exists(Path.Combine(root, "node_modules", "smtp-server")))
        {
            throw new InvalidOperationException($"npm test peers are missing: run `npm ci` in {root} (scripts/test.sh does).");
        }
        Folder = Path.Combine(Path.GetTempPath(), "newspush-smtp", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
        var psi = new ProcessStartInfo("node") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = root };
        psi.ArgumentList.Add(Path.Combine(root, "NewsPush.Tests", "Web", "Push", "smtp-sink.js"));
        psi.ArgumentList.Add(Folder);
        if (parse)
        {
            psi.ArgumentList.Add("--parse");
        }
        process = Process.Start(psi) ?? throw new InvalidOperationException("could not start node");
        process.StandardInput.AutoFlush = true;
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (stderr)
                {
                    stderr.AppendLine(e.Data);
                }
            }
        };
        process.BeginErrorReadLine();
        new Thread(ReadStdout) { IsBackground = true, Name = "smtp-sink stdout" }.Start();
        string? line = null;
        try
        {
            line = listening.Task.WaitAsync(TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
        }
        catch (TimeoutException)
        {
        }
        if (line is null || !line.StartsWith("LISTENING ", StringComparison.Ordinal))
        {
            process.WaitForExit(1000);
            var error = StandardError;
            Dispose();
            throw new InvalidOperationException($"the SMTP test server did not start: {line} {error}");
        }
        Port = int.Parse(line["LISTENING ".Length..], CultureInfo.InvariantCulture);
    }

    public int Port { get; }

    public string Folder { get; }

    /// <summary>What the server wrote to stderr so far (for failure messages).</summary>
    public string StandardError
    {
        get
        {
            lock (stderr)
            {
                return stderr.ToString();
            }
        }
    }

    public IReadOnlyList<string> MessageFiles => Directory.GetFiles(Folder, "*.eml")
        .Where(f => f.EndsWith(".eml", StringComparison.Ordinal))
        .Order(StringComparer.Ordinal)
        .ToList();

    public List<MimeMessage> MessagesTo(string address) => MessageFiles
        .Select(f => MimeMessage.Load(f))
        .Where(m => m.To.Mailboxes.Any(b => string.Equals(b.Address, address, StringComparison.OrdinalIgnoreCase)))
        .ToList();

    /// <summary>
    /// How many stored messages carry each Message-Id (without the angle brackets; a message without one counts
    /// under ""). Every value is 1 when nothing was delivered twice.
    /// </summary>
    public Dictionary<string, int> MessageIdCounts()
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var file in MessageFiles)
        {
            using var stream = File.OpenRead(file);
            var headers = HeaderList.Load(stream);
            var id = headers[HeaderId.MessageId] is { } value ? MimeUtils.EnumerateReferences(value).FirstOrDefault() ?? value.Trim() : "";
            counts[id] = counts.GetValueOrDefault(id) + 1;
        }
        return counts;
    }

    /// <summary>How many stored messages are addressed to each recipient (To, lower case); reads only the headers.</summary>
    public Dictionary<string, int> RecipientCounts()
    {
        var counts = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var file in MessageFiles)
        {
            using var stream = File.OpenRead(file);
            var headers = HeaderList.Load(stream);
            if (headers[HeaderId.To] is { } to && InternetAddressList.TryParse(to, out var list))
            {
                foreach (var address in list.Mailboxes.Select(m => m.Address.ToLowerInvariant()).Distinct())
                {
                    counts[address] = counts.GetValueOrDefault(address) + 1;
                }
            }
        }
        return counts;
    }

    /// <summary>Closes the listening socket and resets every open client connection: connecting is refused until <see cref="Up"/>.</summary>
    public void Down() => Command("down");

    /// <summary>Listens again, on the same <see cref="Port"/>.</summary>
    public void Up() => Command("up");

    /// <summary>Waits this long after each message's data (already stored) before answering 250; <see cref="TimeSpan.Zero"/> turns it off.</summary>
    public void SetDelay(TimeSpan delay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        Command($"delay {(long)Math.Ceiling(delay.TotalMilliseconds)}");
    }

    /// <summary>Greets new connections with <paramref name="code"/> and <paramref name="text"/> instead of 220, and closes them; null greets normally again.</summary>
    public void SetGreeting(int? code, string text = "5.3.2 No SMTP service here") =>
        Command(code is { } c ? $"greeting {Code(c)} {Text(text)}" : "greeting off");

    /// <summary>
    /// Answers every MAIL FROM with <paramref name="code"/>; the text defaults to one that fits the code (530: 5.7.0
    /// Authentication required, 421: 4.3.2 Service shutting down, other 4xx/5xx: x.7.1 Sender refused). 421 also
    /// closes the connection. Null accepts MAIL FROM again.
    /// </summary>
    public void SetMailFromReply(int? code, string? text = null) =>
        Command(code is { } c ? $"mailfrom {Code(c)} {Text(text ?? c switch
        {
            530 => "5.7.0 Authentication required",
            421 => "4.3.2 Service shutting down",
            < 500 => "4.7.1 Sender temporarily refused",
            _ => "5.7.1 Sender refused",
        })}" : "mailfrom off");

    /// <summary>Offers AUTH PLAIN and LOGIN (no TLS) and requires it for MAIL/RCPT/DATA (530 5.7.0 without); only these credentials pass (535 5.7.8 otherwise).</summary>
    public void RequireAuth(string user, string password) => Command($"auth require {Word(user)} {Word(password)}");

    /// <summary>Offers and requires AUTH, and answers every attempt with 535 5.7.8 (a revoked password).</summary>
    public void FailAuth() => Command("auth fail");

    /// <summary>No AUTH offered or required (the default).</summary>
    public void AuthOff() => Command("auth off");

    /// <summary>
    /// After <see cref="RequireAuth"/>: accepts <paramref name="n"/> more messages, then revokes the password: AUTH
    /// fails from then on (535 5.7.8, as <see cref="FailAuth"/>) and every session authenticated before is closed at
    /// its next MAIL FROM, so the client reconnects and meets the refusal — a password revoked in the middle of a group.
    /// </summary>
    public void RevokeAuthAfter(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        Command($"auth revokeafter {n}");
    }

    /// <summary>
    /// Accepts <paramref name="n"/> more messages, then answers the data of every further one with
    /// <paramref name="code"/> (not stored, not counted); the text defaults to 4.3.0 Try again later for a 4xx code,
    /// 5.3.0 Message refused otherwise. Null accepts every message again.
    /// </summary>
    public void FailAfter(int? n, int code = 554, string? text = null)
    {
        if (n is not { } count)
        {
            Command("failafter off");
            return;
        }
        ArgumentOutOfRangeException.ThrowIfNegative(count, nameof(n));
        Command($"failafter {count} {Code(code)} {Text(text ?? (code < 500 ? "4.3.0 Try again later" : "5.3.0 Message refused"))}");
    }

    /// <summary>
    /// A size limit as real servers enforce it: 552 5.3.4 at MAIL FROM when the client declares SIZE= over it, else at
    /// the end of the data. Null: no limit but the server's 10 MB.
    /// </summary>
    public void SetMaxSize(int? bytes) => Command(bytes is { } n ? $"maxsize {n}" : "maxsize off");

    /// <summary>Every fault off and listening again (the count and the stored messages stay).</summary>
    public void Reset() => Command("reset");

    /// <summary>The number of messages the server has stored (written to <see cref="Folder"/>) so far.</summary>
    public int AcceptedCount()
    {
        var reply = Command("count", "COUNT ");
        return int.Parse(reply["COUNT ".Length..], CultureInfo.InvariantCulture);
    }

    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "NewsPush.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }

    public void Dispose()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }
        process.Dispose();
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private void ReadStdout()
    {
        try
        {
            var first = process.StandardOutput.ReadLine();
            listening.TrySetResult(first);
            if (first is null)
            {
                return;
            }
            while (process.StandardOutput.ReadLine() is { } line)
            {
                replies.Add(line);
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
            listening.TrySetResult(null);
        }
        finally
        {
            replies.CompleteAdding();
        }
    }

    /// <summary>Sends one command line and returns its reply: "OK " + the command, or a line starting with <paramref name="replyPrefix"/>.</summary>
    private string Command(string command, string? replyPrefix = null)
    {
        // The server splits a command line on white space and echoes the words with single spaces.
        command = string.Join(' ', command.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        lock (commandLock)
        {
            // A reply that came after an earlier command timed out would answer this one.
            while (replies.TryTake(out _))
            {
            }
            try
            {
                process.StandardInput.WriteLine(command);
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException)
            {
                throw new InvalidOperationException($"the SMTP test server is gone ({command}): {StandardError}", ex);
            }
            if (!replies.TryTake(out var reply, CommandTimeout))
            {
                throw replies.IsAddingCompleted
                    ? new InvalidOperationException($"the SMTP test server exited ({command}): {StandardError}")
                    : new TimeoutException($"the SMTP test server did not acknowledge `{command}` within {CommandTimeout.TotalSeconds:0} s");
            }
            if (replyPrefix is not null ? reply.StartsWith(replyPrefix, StringComparison.Ordinal) : reply == "OK " + command)
            {
                return reply;
            }
            throw new InvalidOperationException($"the SMTP test server answered `{command}` with: {reply}");
        }
    }

    private static string Code(int code) => code is >= 200 and <= 599
        ? code.ToString(CultureInfo.InvariantCulture)
        : throw new ArgumentOutOfRangeException(nameof(code), code, "an SMTP reply code is 200-599");

    private static string Text(string text) => text.Contains('\r', StringComparison.Ordinal) || text.Contains('\n', StringComparison.Ordinal)
        ? throw new ArgumentException("one line only", nameof(text))
        : text;

    private static string Word(string word) => string.IsNullOrEmpty(word) || word.Any(char.IsWhiteSpace)
        ? throw new ArgumentException("a non-empty value without white space", nameof(word))
        : word;
}

/// <summary>The push test site sending e-mail to a real SMTP server (SQLite; <see cref="PushSmtpPostgreSqlFactory"/> for PostgreSQL).</summary>
public class PushSmtpFactory : PushFactory
{
    public PushSmtpFactory() : this(NewsPush.Tests.Infrastructure.TestDatabase.Sqlite)
    {
    }

    protected PushSmtpFactory(NewsPush.Tests.Infrastructure.TestDatabase database) : base(database)
    {
        Smtp = new SmtpSink();
        Settings["Email:SmtpHost"] = "127.0.0.1";
        Settings["Email:SmtpPort"] = Smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    public SmtpSink Smtp { get; }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            Smtp.Dispose();
        }
    }
}

/// <summary>The push test site over PostgreSQL sending e-mail to a real SMTP server.</summary>
public sealed class PushSmtpPostgreSqlFactory() : PushSmtpFactory(NewsPush.Tests.Infrastructure.TestDatabase.PostgreSql);
