using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Tests.Infrastructure;

namespace NewsPush.Tests.Data;

/// <summary>
/// The migration that gives every existing reader a preferences row (registration used to create none, so they
/// never got a digest), run on a database stopped at the migration before it.
/// </summary>
public abstract class PreferencesMigrationTests : IDisposable
{
    private const string Migration = "PreferencesForEveryReader";

    protected abstract NewsPushDbContext NewContext();

    public virtual void Dispose() => GC.SuppressFinalize(this);

    [Fact]
    public async Task ReadersWithoutPreferencesGetTheDefaultsAndNoOneElseChanges()
    {
        await using (var db = NewContext())
        {
            var all = db.Database.GetMigrations().ToList();
            var before = all[all.FindIndex(m => m.EndsWith("_" + Migration, StringComparison.Ordinal)) - 1];
            await db.GetService<IMigrator>().MigrateAsync(before);

            var now = new DateTime(2026, 11, 1, 9, 0, 0, DateTimeKind.Utc);
            ApplicationUser User(string name, DateTime? deleted = null) => new()
            {
                Id = name, UserName = name + "@test.local", NormalizedUserName = name.ToUpperInvariant() + "@TEST.LOCAL", Email = name + "@test.local",
                DisplayName = name, CreatedAt = now, DeletedAt = deleted, SecurityStamp = Guid.NewGuid().ToString(),
            };
            db.Users.AddRange(User("never-asked"), User("chose-already"), User("deleted", now));
            db.ReaderPreferences.Add(new ReaderPreferences
            {
                UserId = "chose-already", EmailEnabled = false, DigestLocalTime = new TimeOnly(9, 30), TimeZoneId = "Europe/Paris", UpdatedAt = now,
            });
            await db.SaveChangesAsync();
        }

        await using (var db = NewContext())
        {
            await db.Database.MigrateAsync();
            var rows = await db.ReaderPreferences.AsNoTracking().OrderBy(p => p.UserId).ToListAsync();

            Assert.Equal(["chose-already", "never-asked"], rows.Select(p => p.UserId));
            var added = rows[1];
            Assert.Equal((true, true, false, false, DigestFrequency.Daily, new TimeOnly(7, 0), DayOfWeek.Monday, "UTC", 14, (DateTime?)null),
                (added.InboxEnabled, added.EmailEnabled, added.WebPushEnabled, added.WebhookEnabled, added.DigestFrequency, added.DigestLocalTime,
                    added.DigestDayOfWeek, added.TimeZoneId, added.WeeklyPushCap, added.EmailUnsubscribedAt));
            Assert.Equal(ReaderPreferences.DefaultDigestTime, added.DigestLocalTime);
            Assert.Equal((false, new TimeOnly(9, 30), "Europe/Paris"), (rows[0].EmailEnabled, rows[0].DigestLocalTime, rows[0].TimeZoneId));
        }
    }
}

public sealed class SqlitePreferencesMigrationTests : PreferencesMigrationTests
{
    private readonly string file = Path.Combine(Path.GetTempPath(), $"np-migration-{Guid.NewGuid():N}.db");

    protected override NewsPushDbContext NewContext() =>
        new SqliteNewsPushDbContext(new DbContextOptionsBuilder<SqliteNewsPushDbContext>().UseSqlite($"Data Source={file};Pooling=False").Options);

    public override void Dispose()
    {
        File.Delete(file);
        base.Dispose();
    }
}

public sealed class PostgreSqlPreferencesMigrationTests : PreferencesMigrationTests
{
    private readonly string connectionString = PostgresServer.Instance.CreateDatabase("npmig");

    protected override NewsPushDbContext NewContext() =>
        new PostgreSqlNewsPushDbContext(new DbContextOptionsBuilder<PostgreSqlNewsPushDbContext>().UseNpgsql(connectionString).Options);
}
