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
        var now = new DateTime(2026, 11, 1, 9, 0, 0, DateTimeKind.Utc);
        await using (var db = NewContext())
        {
            var all = db.Database.GetMigrations().ToList();
            var before = all[all.FindIndex(m => m.EndsWith("_" + Migration, StringComparison.Ordinal)) - 1];
            await db.GetService<IMigrator>().MigrateAsync(before);

            // Rows in the schema as it stood then (SQL, not today's entities, which have columns added since).
            async Task UserAsync(string name, DateTime? deleted = null, int daysAgo = 0)
            {
                var created = now.AddDays(-daysAgo);
                var (userName, normalized, email, stamp, no) = (name + "@test.local", name.ToUpperInvariant() + "@TEST.LOCAL", name + "@test.local", Guid.NewGuid().ToString(), false);
                await db.Database.ExecuteSqlAsync($"""
                    INSERT INTO "AspNetUsers" ("Id", "UserName", "NormalizedUserName", "Email", "NormalizedEmail", "EmailConfirmed", "SecurityStamp",
                        "PhoneNumberConfirmed", "TwoFactorEnabled", "LockoutEnabled", "AccessFailedCount", "DisplayName", "CreatedAt", "DeletedAt", "CommentingBlocked")
                    VALUES ({name}, {userName}, {normalized}, {email}, {normalized}, {no}, {stamp}, {no}, {no}, {no}, {0}, {name}, {created}, {deleted}, {no})
                    """);
            }
            await UserAsync("never-asked", daysAgo: 10);
            await UserAsync("chose-already", daysAgo: 20);
            await UserAsync("deleted", now);
            var (yes, no2, time, zone) = (true, false, new TimeOnly(9, 30), "Europe/Paris");
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO "ReaderPreferences" ("UserId", "InboxEnabled", "EmailEnabled", "WebPushEnabled", "WebhookEnabled", "DigestFrequency", "DigestLocalTime",
                    "DigestDayOfWeek", "TimeZoneId", "WeeklyPushCap", "UpdatedAt")
                VALUES ({"chose-already"}, {yes}, {no2}, {no2}, {no2}, {(int)DigestFrequency.Daily}, {time}, {(int)DayOfWeek.Monday}, {zone}, {14}, {now})
                """);
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
            // A later migration (ReaderJoinedAt) copies when each account was made onto its row, for the audience rule.
            Assert.Equal([now.AddDays(-20), now.AddDays(-10)], rows.Select(r => DateTime.SpecifyKind(r.JoinedAt, DateTimeKind.Utc)));
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
