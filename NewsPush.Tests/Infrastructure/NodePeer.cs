using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using NewsPush.Tests.Web.Push;

namespace NewsPush.Tests.Infrastructure;

/// <summary>
/// A test peer written for node (a script that prints <c>LISTENING &lt;port&gt;</c> once it listens on a free loopback
/// port, with a JSON control API under <c>/_control/</c>): started as an xunit fixture, its stderr kept for failure
/// messages, killed on dispose. <see cref="SendAsync{T}"/> throws <see cref="HttpRequestException"/> with the peer's
/// answer when it refuses a control call.
/// </summary>
public abstract class NodePeer(string name, string script, string? requiredModule) : IAsyncLifetime, IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    protected static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly TaskCompletionSource<string?> listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly StringBuilder stderr = new();
    private Process? process;
    private HttpClient? http;
    private int disposed;

    /// <summary>http://127.0.0.1:&lt;port&gt;, no trailing slash.</summary>
    public string BaseUrl { get; private set; } = "";

    /// <summary>The one client for the control API.</summary>
    public HttpClient Http => http ?? throw new InvalidOperationException($"the {name} is not started");

    /// <summary>What node wrote to stderr so far (for failure messages).</summary>
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

    public async Task InitializeAsync()
    {
        var root = SmtpSink.RepoRoot();
        if (requiredModule is not null && !Directory.Exists(Path.Combine(root, "node_modules", requiredModule)))
        {
            throw new InvalidOperationException($"npm test peers are missing: run `npm ci` in {root} (scripts/test.sh does).");
        }
        var psi = new ProcessStartInfo("node") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = root };
        psi.ArgumentList.Add(Path.Combine(root, script));
        process = Process.Start(psi) ?? throw new InvalidOperationException("could not start node");
        process.OutputDataReceived += (_, e) => listening.TrySetResult(e.Data);
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
        process.Exited += (_, _) => listening.TrySetResult(null);
        process.EnableRaisingEvents = true;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        string? line = null;
        try
        {
            line = await listening.Task.WaitAsync(StartTimeout);
        }
        catch (TimeoutException)
        {
        }
        if (line is null || !line.StartsWith("LISTENING ", StringComparison.Ordinal))
        {
            process.WaitForExit(1000);
            throw new InvalidOperationException($"the {name} did not start: {line} {StandardError}");
        }
        BaseUrl = $"http://127.0.0.1:{int.Parse(line["LISTENING ".Length..], CultureInfo.InvariantCulture)}";
        http = new HttpClient { BaseAddress = new Uri(BaseUrl + "/"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public Task DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return Task.CompletedTask;
        }
        http?.Dispose();
        if (process is not null)
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
        }
        return Task.CompletedTask;
    }

    ValueTask IAsyncDisposable.DisposeAsync() => new(DisposeAsync());

    /// <summary>One control call: the body as JSON, the answer read as <typeparamref name="T"/> (default for an empty one).</summary>
    protected async Task<T?> SendAsync<T>(HttpMethod method, string path, object? body)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, options: Json);
        }
        using var response = await Http.SendAsync(request);
        if (!response.IsSuccessStatusCode)
        {
            var text = await response.Content.ReadAsStringAsync();
            throw new HttpRequestException($"the {name} answered {method} /{path} with {(int)response.StatusCode}: {text}", null, response.StatusCode);
        }
        if (response.Content.Headers.ContentLength == 0)
        {
            return default;
        }
        return await response.Content.ReadFromJsonAsync<T>(Json);
    }
}
