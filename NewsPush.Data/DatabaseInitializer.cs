using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NewsPush.Data.Seeding;

namespace NewsPush.Data;

/// <summary>Applies migrations and seeds demo content at start-up.</summary>
public sealed class DatabaseInitializer(NewsPushDbContext db, DataSeeder seeder, IOptions<DatabaseOptions> options, ILogger<DatabaseInitializer> logger)
{
    public async Task InitializeAsync(CancellationToken ct = default)
    {
        if (options.Value.MigrateOnStartup)
        {
            var pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
            if (pending.Count > 0)
            {
                logger.LogInformation("Applying {Count} migration(s) on {Provider}", pending.Count, db.Database.ProviderName);
                await db.Database.MigrateAsync(ct);
            }
            if (db.Database.IsSqlite())
            {
                // WAL lets readers proceed while the interaction logger and jobs write.
                await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
            }
        }
        await seeder.SeedAsync(ct);
    }
}
