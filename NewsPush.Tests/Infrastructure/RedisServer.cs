using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace NewsPush.Tests.Infrastructure;

/// <summary>
/// A real Redis server for the tests (the SignalR backplane): Debian's redis-server on a free loopback port, nothing
/// persisted, stopped when the test process exits. <see cref="Instance"/> is the one shared by the process (the
/// two-node tests); <see cref="StartPrivate"/> gives a test one of its own, which it may <see cref="Stop"/> and
/// <see cref="Start"/> again on the same port (Redis going down under a running site). A missing redis-server is a
/// failure with a clear message, never a skip (scripts/test.sh installs it).
/// It runs under a small shell that stops it when its stdin closes, so it goes even if the test host is killed.
/// </summary>
public sealed class RedisServer : IDisposable
{
    public const string Executable = "/usr/bin/redis-server";

    private static readonly Lazy<RedisServer> Shared = new(() => Create(shared: true), LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly bool shared;
    private readonly string dir;
    private readonly EventHandler onProcessExit;
    private readonly Lock gate = new();
    private Process? process;

    private RedisServer(int port, bool shared)
    {
        Port = port;
        this.shared = shared;
        dir = Path.Combine(Path.GetTempPath(), $"newspush-redis-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
        Directory.CreateDirectory(dir);
        onProcessExit = (_, _) => Shutdown();
        AppDomain.CurrentDomain.ProcessExit += onProcessExit;
    }

    /// <summary>The server shared by the test process; never stopped by a test.</summary>
    public static RedisServer Instance => Shared.Value;

    /// <summary>A running server of the caller's own on a free port; dispose it when done.</summary>
    public static RedisServer StartPrivate() => Create(shared: false);

    public int Port { get; }

    /// <summary>The value for the site's <c>Redis:ConnectionString</c> setting.</summary>
    public string ConnectionString => $"127.0.0.1:{Port},abortConnect=false";

    /// <summary>True when the server answers PING with PONG.</summary>
    public bool Ping() => Ping(Port);

    /// <summary>Starts the server (again) on <see cref="Port"/> and returns once it answers PING.</summary>
    public void Start()
    {
        lock (gate)
        {
            if (process is not null)
            {
                throw new InvalidOperationException($"redis-server on port {Port} is running already");
            }
            process = Launch(Port, dir);
        }
    }

    /// <summary>Stops a private server (as if Redis went down) and returns once its port no longer answers.</summary>
    public void Stop()
    {
        if (shared)
        {
            throw new InvalidOperationException("The shared redis-server serves other tests; use RedisServer.StartPrivate() for one to stop.");
        }
        lock (gate)
        {
            if (process is { } running)
            {
                Kill(running);
                running.Dispose();
                process = null;
            }
        }
        var deadline = Stopwatch.StartNew();
        while (Ping(Port))
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new InvalidOperationException($"redis-server on port {Port} still answers after it was stopped");
            }
            Thread.Sleep(20);
        }
    }

    /// <summary>Stops and removes a private server; the shared one lives until the process exits.</summary>
    public void Dispose()
    {
        if (!shared)
        {
            AppDomain.CurrentDomain.ProcessExit -= onProcessExit;
            Shutdown();
        }
    }

    private void Shutdown()
    {
        lock (gate)
        {
            if (process is { } running)
            {
                Kill(running);
                running.Dispose();
                process = null;
            }
        }
        try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static RedisServer Create(bool shared)
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException(
                $"redis-server not found at {Executable}: run scripts/test.sh, which installs it (apt-get install redis-server). " +
                "The two-node and realtime tests need a real Redis for the SignalR backplane" +
                (Environment.GetEnvironmentVariable("CI") == "true" ? " (CI=true: nothing is skipped)." : "."));
        }
        var server = new RedisServer(LoopbackPort.Free(), shared);
        try
        {
            server.Start();
        }
        catch
        {
            server.Shutdown();
            throw;
        }
        return server;
    }

    private static Process Launch(int port, string dir)
    {
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
        return process;
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
