using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.DependencyInjection;
using NewsPush.Data.Seeding;

namespace NewsPush.Data;

public static class DataServiceCollectionExtensions
{
    /// <summary>Registers <see cref="NewsPushDbContext"/> on the configured provider, and the seeder.</summary>
    public static IServiceCollection AddNewsPushData(this IServiceCollection services, string contentRoot)
    {
        services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SeedOptions>().BindConfiguration(SeedOptions.SectionName);

        // The provider is read when the first context is made, not now, so that configuration added
        // after registration (tests, command-line tools) still decides it.
        services.AddSingleton(sp => new ResolvedDatabase(sp.GetRequiredService<IOptions<DatabaseOptions>>().Value, contentRoot));
        // Pooled: a request leases a context (reset when it is given back) instead of building one and its services;
        // the options are built once (they depend only on singletons: the connection string and the interceptors).
        services.AddDbContextPool<SqliteNewsPushDbContext>((sp, o) => ConfigureSqlite(o, sp.GetRequiredService<ResolvedDatabase>().ConnectionString));
        services.AddDbContextPool<PostgreSqlNewsPushDbContext>((sp, o) => ConfigurePostgreSql(o, sp.GetRequiredService<ResolvedDatabase>().ConnectionString));
        services.AddDbContextPool<SqlServerNewsPushDbContext>((sp, o) => ConfigureSqlServer(o, sp.GetRequiredService<ResolvedDatabase>().ConnectionString));
        services.AddScoped<NewsPushDbContext>(sp => sp.GetRequiredService<ResolvedDatabase>().Options.Provider switch
        {
            DatabaseProvider.Sqlite => sp.GetRequiredService<SqliteNewsPushDbContext>(),
            DatabaseProvider.PostgreSql => sp.GetRequiredService<PostgreSqlNewsPushDbContext>(),
            DatabaseProvider.SqlServer => sp.GetRequiredService<SqlServerNewsPushDbContext>(),
            var other => throw new InvalidOperationException($"Unknown database provider '{other}'. Use Sqlite, PostgreSql or SqlServer."),
        });

        services.AddScoped<DataSeeder>();
        services.AddScoped<DatabaseInitializer>();
        return services;
    }

    private sealed class ResolvedDatabase(DatabaseOptions options, string contentRoot)
    {
        public DatabaseOptions Options { get; } = options;
        public string ConnectionString { get; } = ResolveConnectionString(options, contentRoot);
    }

    public static string ResolveConnectionString(DatabaseOptions options, string contentRoot)
    {
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return options.ConnectionString;
        }

        if (options.Provider != DatabaseProvider.Sqlite)
        {
            throw new InvalidOperationException(
                $"Database:ConnectionString is required for the {options.Provider} provider.");
        }

        var folder = options.ResolveDataFolder(contentRoot);
        Directory.CreateDirectory(folder);
        return $"Data Source={Path.Combine(folder, "newspush.db")}";
    }

    internal static void ConfigureSqlite(DbContextOptionsBuilder o, string connectionString) =>
        // One JSON parameter per list (json_each) rather than one parameter per element: Microsoft.Data.Sqlite binds
        // parameters by name in quadratic time, which made the 1,000-id lists of the delivery engine its largest cost.
        o.UseSqlite(connectionString, s => s.MigrationsAssembly(typeof(NewsPushDbContext).Assembly.FullName).UseParameterizedCollectionMode(ParameterTranslationMode.Parameter))
            .AddInterceptors(SqliteMemoryMap.Instance);

    internal static void ConfigurePostgreSql(DbContextOptionsBuilder o, string connectionString) =>
        o.UseNpgsql(connectionString, s => s.MigrationsAssembly(typeof(NewsPushDbContext).Assembly.FullName));

    internal static void ConfigureSqlServer(DbContextOptionsBuilder o, string connectionString) =>
        o.UseSqlServer(connectionString, s => s.MigrationsAssembly(typeof(NewsPushDbContext).Assembly.FullName).EnableRetryOnFailure());
}
