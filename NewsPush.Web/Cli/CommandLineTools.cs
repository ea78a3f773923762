namespace NewsPush.Web.Cli;

/// <summary>
/// Entry point for `dotnet run --project NewsPush.Web -- &lt;command&gt; …`. Each command builds the
/// same host as the site (configuration, database, services) without starting the web server.
/// </summary>
public static class CommandLineTools
{
    private static readonly Dictionary<string, Func<IServiceProvider, string[], CancellationToken, Task<int>>> Commands =
        new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Features add their commands here (name → handler taking the arguments after the name).</summary>
    public static void Register(string name, Func<IServiceProvider, string[], CancellationToken, Task<int>> handler) => Commands[name] = handler;

    public static bool IsCommand(string[] args)
    {
        CommandRegistrations.RegisterAll();
        return args.Length > 0 && Commands.ContainsKey(args[0]);
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var commandArgs = args.Skip(1).TakeWhile(a => a != "--").ToArray();
        var hostArgs = args.SkipWhile(a => a != "--").Skip(1).ToArray();
        var builder = WebApplication.CreateBuilder(hostArgs);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddNewsPush();
        await using var app = builder.Build();
        await app.InitializeDatabaseAsync();
        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
        await using var scope = app.Services.CreateAsyncScope();
        return await Commands[args[0]](scope.ServiceProvider, commandArgs, cts.Token);
    }
}

/// <summary>One line per feature that has command-line tools.</summary>
internal static class CommandRegistrations
{
    private static bool registered;

    public static void RegisterAll()
    {
        if (registered)
        {
            return;
        }
        registered = true;
        // e.g. RecommenderCommands.Register();  BenchCommands.Register();
        RecommenderCommands.Register();
        DigestBenchCommand.Register();
        WebPushKeysCommand.Register();
    }
}
