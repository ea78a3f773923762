using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using NewsPush.Data;
using NewsPush.Data.Entities;

namespace NewsPush.Tests.Infrastructure;

public enum TestDatabase { Sqlite, PostgreSql }

/// <summary>
/// The whole site in memory over a real, empty database of its own (a temp SQLite file or a fresh
/// PostgreSQL database), migrated and seeded with a small demo set at start-up.
/// </summary>
public class NewsPushFactory(TestDatabase database) : WebApplicationFactory<Program>
{
    public const string AdminEmail = "admin@test.local";
    public const string EditorEmail = "editor@test.local";
    public const string Password = "correct horse battery staple";

    private readonly string workDir = Path.Combine(Path.GetTempPath(), "newspush-tests", Guid.NewGuid().ToString("N"));
    private string? connectionString;

    public TestDatabase Database => database;

    public string WorkDir => workDir;

    public string MailPickupFolder => Path.Combine(workDir, "mail");

    /// <summary>Settings a test class adds or overrides before the host starts.</summary>
    public Dictionary<string, string?> Settings { get; } = new();

    /// <summary>
    /// The database of this site: <c>Settings["Database:ConnectionString"]</c> when a test sets it (e.g. a second
    /// node on the first one's database), otherwise a new one.
    /// </summary>
    public string ConnectionString => connectionString ??= Settings.GetValueOrDefault("Database:ConnectionString") ?? database switch
    {
        TestDatabase.Sqlite => $"Data Source={Path.Combine(workDir, "test.db")}",
        TestDatabase.PostgreSql => PostgresServer.Instance.CreateDatabase(),
        _ => throw new ArgumentOutOfRangeException(nameof(database)),
    };

    /// <summary>The site's real address after <see cref="StartOnLoopbackPort"/>; null while it runs in memory (TestServer).</summary>
    public Uri? LoopbackAddress { get; private set; }

    /// <summary>Starts the site on Kestrel at a free loopback port (for browsers) and returns its address, e.g. http://127.0.0.1:41235/.</summary>
    public Uri StartOnLoopbackPort()
    {
        UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        StartServer();
        var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        LoopbackAddress = new Uri(address);
        return LoopbackAddress;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        Directory.CreateDirectory(workDir);
        builder.UseEnvironment("Testing");
        var settings = new Dictionary<string, string?>
        {
            ["Database:Provider"] = database == TestDatabase.Sqlite ? "Sqlite" : "PostgreSql",
            ["Database:ConnectionString"] = ConnectionString,
            ["Database:DataFolder"] = workDir,
            ["Seed:AdminEmail"] = AdminEmail,
            ["Seed:AdminPassword"] = Password,
            ["Seed:EditorEmail"] = EditorEmail,
            ["Seed:EditorPassword"] = Password,
            ["Seed:DemoReaderPassword"] = Password,
            ["Seed:ArticleCount"] = "48",
            ["Seed:DemoReaderCount"] = "3",
            ["Email:PickupFolder"] = MailPickupFolder,
            ["Email:PublicBaseUrl"] = "http://localhost",
            // Test output shows failures, not the app's routine logs (expected constraint violations included).
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "None",
            ["Logging:LogLevel:Quartz"] = "Warning",
            // Sites of the test process that use the one Redis keep apart (a test of several nodes gives them one prefix).
            ["Redis:KeyPrefix"] = $"test-{Guid.NewGuid():N}:",
        };
        foreach (var (k, v) in Settings)
        {
            settings[k] = v;
        }
        // Also as host settings: Program reads a few while it registers services (Redis:ConnectionString decides
        // whether SignalR gets the backplane), before the app configuration below is added.
        foreach (var (k, v) in settings)
        {
            builder.UseSetting(k, v);
        }
        builder.ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(settings));
    }

    public async Task<T> WithDbAsync<T>(Func<NewsPushDbContext, Task<T>> action)
    {
        await using var scope = Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<NewsPushDbContext>());
    }

    public async Task WithDbAsync(Func<NewsPushDbContext, Task> action)
    {
        await using var scope = Services.CreateAsyncScope();
        await action(scope.ServiceProvider.GetRequiredService<NewsPushDbContext>());
    }

    /// <summary>Creates a confirmed user with the given roles (Reader when none given).</summary>
    public async Task<ApplicationUser> CreateUserAsync(string email, params string[] roles)
    {
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        // Joined "now" by the site's clock (a test's fake clock where it has one), as registering would say.
        var now = scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;
        var user = new ApplicationUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = email.Split('@')[0], CreatedAt = now, OnboardedAt = now };
        var result = await users.CreateAsync(user, Password);
        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Select(e => e.Description)));
        await users.AddToRolesAsync(user, roles.Length == 0 ? [Roles.Reader] : roles);
        return user;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(workDir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}

public sealed class SqliteFactory() : NewsPushFactory(TestDatabase.Sqlite);

public sealed class PostgreSqlFactory() : NewsPushFactory(TestDatabase.PostgreSql);
