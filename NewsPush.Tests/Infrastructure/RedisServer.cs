using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace NewsPush.Tests.Infrastructure;

/// <summary>
/// A real Redis server for the test run (the SignalR backplane of the two-node tests): Debian's
/// redis-server on a free loopback port, nothing persisted, stopped when the test process exits. One per
/// process. A missing redis-server is a failure with a clear message, never a skip (scripts/test.sh installs it).
/// It runs under a small shell that stops it when its stdin closes, so it goes even if the test host is killed.
/// </summary>
public sealed class RedisServer
{
    public const string Executable = "/usr/bin/redis-server";

    private static readonly Lazy<RedisServer> Shared = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);
    private RedisServer(int port) => Port = port;

    public static RedisServer Instance => Shared.Value;

    public int Port { get; }

    /// <summary>The value for the site's <c>Redis:ConnectionString</c> setting.</summary>
    public string ConnectionString => $"127.0.0.1:{Port},abortConnect=false";

    /// <summary>True when the server answers PING with PONG.</summary>
    public bool Ping() => Ping(Port);

    private static RedisServer Start()
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException(
                $"redis-server not found at {Executable}: run scripts/test.sh, which installs it (apt-get install redis-server). " +
                "The two-node tests need a real Redis for the SignalR backplane" +
                (Environment.GetEnvironmentVariable("CI") == "true" ? " (CI=true: nothing is skipped)." : "."));
        }
        var port = LoopbackPort.Free();
        var dir = Path.Combine(Path.GetTempPath(), $"newspush-redis-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
        Directory.CreateDirectory(dir);
        var psi = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = dir,
        };
        // The shell waits for end of input (our exit, however it happens), then stops the server.
        string[] args = ["-c", "\"$0\" \"$@\" </dev/null & pid=$!; read -r _; kill \"$pid\"; wait \"$pid\"", Executable,
            "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir, "--daemonize", "no"];
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }
        var output = new StringBuilder();
        var process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {Executable}");
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var deadline = Stopwatch.StartNew();
        while (!Ping(port))
        {
            if (process.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(30))
            {
                Kill(process);
                string log;
                lock (output)
                {
                    log = output.ToString();
                }
                throw new InvalidOperationException($"redis-server on port {port} did not answer PING: {log}");
            }
            Thread.Sleep(20);
        }
        var server = new RedisServer(port);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            Kill(process);
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        };
        return server;
    }

    private static bool Ping(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            using var stream = client.GetStream();
            stream.ReadTimeout = 2000;
            stream.Write("PING\r\n"u8);
            var buffer = new byte[16];
            var read = stream.Read(buffer, 0, buffer.Length);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (output)
        {
            if (output.Length < 20_000)
            {
                output.AppendLine(line);
            }
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            process.StandardInput.Close();
            if (!process.WaitForExit(5000))
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        catch (IOException)
        {
        }
    }
}
