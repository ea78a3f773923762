using System.Diagnostics;
using MimeKit;

namespace NewsPush.Tests.Web.Push;

/// <summary>
/// The node SMTP server (smtp-server from the repo's node_modules) on a free loopback port, writing every
/// message it accepts to <see cref="Folder"/>. Killed on Dispose.
/// </summary>
public sealed class SmtpSink : IDisposable
{
    private readonly Process process;

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
        var line = process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
        if (line is null || !line.StartsWith("LISTENING ", StringComparison.Ordinal))
        {
            var error = process.StandardError.ReadToEnd();
            Dispose();
            throw new InvalidOperationException($"the SMTP test server did not start: {line} {error}");
        }
        Port = int.Parse(line["LISTENING ".Length..], System.Globalization.CultureInfo.InvariantCulture);
    }

    public int Port { get; }

    public string Folder { get; }

    public IReadOnlyList<string> MessageFiles => Directory.GetFiles(Folder, "*.eml").Order(StringComparer.Ordinal).ToList();

    public List<MimeMessage> MessagesTo(string address) => MessageFiles
        .Select(f => MimeMessage.Load(f))
        .Where(m => m.To.Mailboxes.Any(b => string.Equals(b.Address, address, StringComparison.OrdinalIgnoreCase)))
        .ToList();

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
}

/// <summary>The push test site sending e-mail to a real SMTP server.</summary>
public sealed class PushSmtpFactory : PushFactory
{
    public PushSmtpFactory() : base(NewsPush.Tests.Infrastructure.TestDatabase.Sqlite)
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
