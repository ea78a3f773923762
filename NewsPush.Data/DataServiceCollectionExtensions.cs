using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using NewsPush.Data.Seeding;

namespace NewsPush.Data;

public static class DataServiceCollectionExtensions
{
    /// <summary>Registers <see cref="NewsPushDbContext"/> on the configured provider, and the seeder.</summary>
    public static IServiceCollection AddNewsPushData(this IServiceCollection services, IConfiguration configuration, string contentRoot)
    {
        var options = configuration.GetSection(DatabaseOptions.SectionName).Get<DatabaseOptions>() ?? new DatabaseOptions();
        services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SeedOptions>().BindConfiguration(SeedOptions.SectionName);

        var connectionString = ResolveConnectionString(options, contentRoot);
        switch (options.Provider)
        {
            case DatabaseProvider.Sqlite:
                services.AddDbContext<NewsPushDbContext, SqliteNewsPushDbContext>(o => ConfigureSqlite(o, connectionString));
                break;
            case DatabaseProvider.PostgreSql:
                services.AddDbContext<NewsPushDbContext, PostgreSqlNewsPushDbContext>(o => ConfigurePostgreSql(o, connectionString));
                break;
            case DatabaseProvider.SqlServer:
                services.AddDbContext<NewsPushDbContext, SqlServerNewsPushDbContext>(o => ConfigureSqlServer(o, connectionString));
                break;
            default:
                throw new InvalidOperationException($"Unknown database provider '{options.Provider}'. Use Sqlite, PostgreSql or SqlServer.");
        }

        services.AddScoped<DataSeeder>();
        services.AddScoped<DatabaseInitializer>();
        return services;
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

        var folder = Path.GetFullPath(Path.Combine(contentRoot, options.DataFolder));
        Directory.CreateDirectory(folder);
        return $"Data Source={Path.Combine(folder, "newspush.db")}";
    }

    internal static void ConfigureSqlite(DbContextOptionsBuilder o, string connectionString) =>
        o.UseSqlite(connectionString, s => s.MigrationsAssembly(typeof(NewsPushDbContext).Assembly.FullName));

    internal static void ConfigurePostgreSql(DbContextOptionsBuilder o, string connectionString) =>
        o.UseNpgsql(connectionString, s => s.MigrationsAssembly(typeof(NewsPushDbContext).Assembly.FullName));

    internal static void ConfigureSqlServer(DbContextOptionsBuilder o, string connectionString) =>
        o.UseSqlServer(connectionString, s => s.MigrationsAssembly(typeof(NewsPushDbContext).Assembly.FullName).EnableRetryOnFailure());
}
