using System.Diagnostics;
using Npgsql;

namespace NewsPush.Tests.Infrastructure;

/// <summary>
/// A real PostgreSQL server for the test run: initdb in a temp folder, started on a free loopback
/// port, stopped when the test process exits. One per process; each test factory gets its own database.
/// A missing PostgreSQL is a failure with a clear message, never a skip (scripts/test.sh installs it).
/// </summary>
public sealed class PostgresServer
{
    private static readonly Lazy<PostgresServer> Shared = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);
    private readonly string dataDir;
    private readonly string binDir;
    private readonly bool asPostgresUser;

    private PostgresServer(string binDir, string dataDir, int port, bool asPostgresUser)
    {
        this.binDir = binDir;
        this.dataDir = dataDir;
        this.asPostgresUser = asPostgresUser;
        Port = port;
    }

    public int Port { get; }

    public static PostgresServer Instance => Shared.Value;

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Pooling=true;Include Error Detail=true";

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public string CreateDatabase(string prefix = "np")
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(40, prefix.Length + 33)].ToLowerInvariant();
        using var conn = new NpgsqlConnection(ConnectionString("postgres"));
        conn.Open();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = $"CREATE DATABASE \"{name}\"";
        cmd.ExecuteNonQuery();
        return ConnectionString(name);
    }

    private static PostgresServer Start()
    {
        var binDir = FindBinDir() ?? throw new InvalidOperationException(
            "PostgreSQL server binaries (initdb, pg_ctl) were not found under /usr/lib/postgresql/*/bin. " +
            "Run scripts/test.sh, which installs them (apt-get install postgresql), or install them yourself. " +
            "The PostgreSQL integration tests cannot run without a real server.");
        var asPostgresUser = Environment.UserName == "root";
        var dataDir = Path.Combine(Path.GetTempPath(), $"newspush-pg-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
        Directory.CreateDirectory(dataDir);
        if (asPostgresUser)
        {
            Run("chown", $"postgres:postgres {dataDir}", asUser: false);
        }
        var port = LoopbackPort.Free();
        var server = new PostgresServer(binDir, dataDir, port, asPostgresUser);
        server.Pg("initdb", $"-D {dataDir}/data -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync");
        server.Pg("pg_ctl", $"-D {dataDir}/data -l {dataDir}/log.txt -w -t 60 " +
            $"-o \"-p {port} -k {dataDir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300\" start");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Stop();
        return server;
    }

    private void Stop()
    {
        try
        {
            Pg("pg_ctl", $"-D {dataDir}/data -m immediate -w stop");
            Directory.Delete(dataDir, recursive: true);
        }
        catch (InvalidOperationException)
        {
            // Best effort at process exit.
        }
        catch (IOException)
        {
        }
    }

    private void Pg(string tool, string arguments)
    {
        var exe = Path.Combine(binDir, tool);
        if (asPostgresUser)
        {
            Run("runuser", $"-u postgres -- {exe} {arguments}", asUser: false);
        }
        else
        {
            Run(exe, arguments, asUser: false);
        }
    }

    private static void Run(string file, string arguments, bool asUser)
    {
        _ = asUser;
        var psi = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {file}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000))
        {
            p.Kill(true);
            throw new InvalidOperationException($"{file} {arguments} timed out");
        }
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {arguments} failed ({p.ExitCode}): {stdout.Result} {stderr.Result}");
        }
    }

    private static string? FindBinDir()
    {
        const string root = "/usr/lib/postgresql";
        if (!Directory.Exists(root))
        {
            return null;
        }
        return Directory.GetDirectories(root)
            .Select(d => Path.Combine(d, "bin"))
            .Where(d => File.Exists(Path.Combine(d, "initdb")))
            .OrderByDescending(d => d, StringComparer.Ordinal)
            .FirstOrDefault();
    }
}
