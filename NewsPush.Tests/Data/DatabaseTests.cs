using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Data.Seeding;
using NewsPush.Tests.Infrastructure;

namespace NewsPush.Tests.Data;

/// <summary>The data layer against a real database; run once per provider by the subclasses below.</summary>
public abstract class DatabaseTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : NewsPushFactory
{
    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    [Fact]
    public async Task MigrationsApplyFromEmptyAndHomeShowsSeededArticles()
    {
        using var client = factory.CreateClient();
        var html = await client.GetStringAsync("/");

        var (applied, pending, title) = await factory.WithDbAsync(async db => (
            (await db.Database.GetAppliedMigrationsAsync()).Count(),
            (await db.Database.GetPendingMigrationsAsync()).Count(),
            await db.Articles.Where(a => a.Status == ArticleStatus.Published).OrderByDescending(a => a.PublishedAt).Select(a => a.Title).FirstAsync()));
        Assert.True(applied > 0);
        Assert.Equal(0, pending);
        Assert.Contains(title, System.Net.WebUtility.HtmlDecode(html));
    }

    [Fact]
    public async Task SeedingTwiceAddsNothing()
    {
        _ = factory.Server;
        async Task<int[]> CountsAsync() => await factory.WithDbAsync(async db => new[]
        {
            await db.Columns.CountAsync(), await db.Articles.CountAsync(), await db.Tags.CountAsync(),
            await db.Users.CountAsync(), await db.Interactions.CountAsync(), await db.Follows.CountAsync(),
            await db.DigestSchedules.CountAsync(),
        });
        var before = await CountsAsync();

        await using (var scope = factory.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<DataSeeder>().SeedAsync();
        }

        Assert.Equal(before, await CountsAsync());
        Assert.True(before[0] >= 8, "at least 8 columns");
        Assert.True(before[1] >= 48, "the configured 48 seeded articles (other tests may add more)");
    }

    [Fact]
    public async Task SeedsBothEnglishAndChineseArticles()
    {
        _ = factory.Server;
        var languages = await factory.WithDbAsync(db => db.Articles.Select(a => a.Language).Distinct().ToListAsync());
        Assert.Contains("en", languages);
        Assert.Contains("zh", languages);
    }

    [Fact]
    public async Task ArticleGraphRoundTripsWithUtcTimes()
    {
        _ = factory.Server;
        var published = new DateTime(2026, 3, 29, 1, 30, 15, DateTimeKind.Utc);
        var slug = Unique("round-trip");
        var id = await factory.WithDbAsync(async db =>
        {
            var column = await db.Columns.FirstAsync();
            var article = new Article
            {
                Column = column, Slug = slug, Title = "Round trip 往返", Summary = "s", BodyMarkdown = "# Body\n\n中文正文",
                Language = "zh", Status = ArticleStatus.Scheduled, ScheduledAt = published, CreatedAt = published, UpdatedAt = published,
                Tags = [new ArticleTag { Tag = new Tag { Name = slug, Slug = slug } }],
            };
            db.Articles.Add(article);
            await db.SaveChangesAsync();
            return article.Id;
        });

        var loaded = await factory.WithDbAsync(db => db.Articles.AsNoTracking().Include(a => a.Tags).ThenInclude(t => t.Tag).SingleAsync(a => a.Id == id));
        Assert.Equal("Round trip 往返", loaded.Title);
        Assert.Equal(ArticleStatus.Scheduled, loaded.Status);
        Assert.Equal(published, loaded.ScheduledAt);
        Assert.Equal(DateTimeKind.Utc, loaded.ScheduledAt!.Value.Kind);
        Assert.Equal(slug, Assert.Single(loaded.Tags).Tag!.Slug);
    }

    [Fact]
    public async Task PreferencesAndPushRecordsRoundTrip()
    {
        var user = await factory.CreateUserAsync($"{Unique("prefs")}@test.local");
        var now = new DateTime(2026, 11, 1, 6, 0, 0, DateTimeKind.Utc);
        var digestId = await factory.WithDbAsync(async db =>
        {
            var column = await db.Columns.FirstAsync();
            var article = await db.Articles.FirstAsync();
            db.ReaderPreferences.Add(new ReaderPreferences
            {
                UserId = user.Id, TimeZoneId = "Asia/Shanghai", DigestLocalTime = new TimeOnly(7, 30), DigestFrequency = DigestFrequency.Weekly,
                QuietHoursStart = new TimeOnly(22, 0), QuietHoursEnd = new TimeOnly(7, 0), WeeklyPushCap = 5, UpdatedAt = now,
                Topics = [new ReaderTopic { ColumnId = column.Id }],
            });
            var digest = new Digest { UserId = user.Id, WindowKey = "daily:2026-11-01", ScheduledFor = now, CreatedAt = now, Items = [new DigestItem { ArticleId = article.Id, Position = 1, Score = 0.9, Reason = "popular in World" }] };
            db.Digests.Add(digest);
            await db.SaveChangesAsync();
            db.Deliveries.Add(new Delivery { UserId = user.Id, ContentKind = DeliveryContentKind.Digest, ContentId = digest.Id, Channel = DeliveryChannel.Email, Status = DeliveryStatus.Failed, Attempts = 3, LastError = "550 mailbox unavailable", TrackingToken = Unique("t"), CreatedAt = now });
            await db.SaveChangesAsync();
            return digest.Id;
        });

        await factory.WithDbAsync(async db =>
        {
            var prefs = await db.ReaderPreferences.Include(p => p.Topics).SingleAsync(p => p.UserId == user.Id);
            Assert.Equal(new TimeOnly(7, 30), prefs.DigestLocalTime);
            Assert.Equal(new TimeOnly(22, 0), prefs.QuietHoursStart);
            Assert.Equal("Asia/Shanghai", prefs.TimeZoneId);
            Assert.Single(prefs.Topics);
            var delivery = await db.Deliveries.SingleAsync(d => d.ContentKind == DeliveryContentKind.Digest && d.ContentId == digestId);
            Assert.Equal(DeliveryStatus.Failed, delivery.Status);
            Assert.Equal("550 mailbox unavailable", delivery.LastError);
            Assert.Equal(0.9, (await db.DigestItems.SingleAsync(i => i.DigestId == digestId)).Score);
        });
    }

    [Fact]
    public async Task BulkInsertWritesWhatSaveChangesWouldAcrossManyStatements()
    {
        var user = await factory.CreateUserAsync($"{Unique("bulk")}@test.local");
        var created = new DateTime(2026, 3, 29, 1, 30, 15, 123, DateTimeKind.Utc);
        // 2,500 digests: several full multi-row statements plus a partial one.
        var keys = Enumerable.Range(0, 2500).Select(i => $"{Unique("bulk")}:{i}").ToList();
        await factory.WithDbAsync(async db =>
        {
            await using var tx = await db.Database.BeginTransactionAsync();
            await db.BulkInsertAsync(keys.ConvertAll(k => new Digest
            {
                UserId = user.Id, WindowKey = k, ScheduledFor = created, CreatedAt = created, Status = DigestStatus.Delivered,
            }), default);
            var digestId = await db.Digests.Where(d => d.WindowKey == keys[0]).Select(d => d.Id).SingleAsync();
            await db.BulkInsertAsync(new[]
            {
                new InboxMessage { UserId = user.Id, Kind = InboxMessageKind.Digest, DigestId = digestId, Title = "今日要闻 'quoted'", Body = "• one\n• two", CreatedAt = created },
            }, default);
            await tx.CommitAsync();
        });

        await factory.WithDbAsync(async db =>
        {
            var stored = await db.Digests.AsNoTracking().Where(d => d.UserId == user.Id).OrderBy(d => d.Id).ToListAsync();
            Assert.Equal(keys, stored.Select(d => d.WindowKey));
            Assert.All(stored, d => Assert.Equal(DigestStatus.Delivered, d.Status));
            Assert.All(stored, d => Assert.Equal(DateTimeKind.Utc, d.CreatedAt.Kind));
            Assert.Equal(created, stored[^1].CreatedAt);
            Assert.Null(stored[0].OpenedAt);
            Assert.Equal(keys.Count, stored.Select(d => d.Id).Distinct().Count());
            var message = await db.InboxMessages.AsNoTracking().SingleAsync(m => m.DigestId == stored[0].Id);
            Assert.Equal("今日要闻 'quoted'", message.Title);
            Assert.Equal(InboxMessageKind.Digest, message.Kind);
            Assert.Null(message.ReadAt);
        });
    }

    [Fact]
    public async Task BulkInsertSettingKeysGivesEachRowTheKeyItWasStoredUnder()
    {
        var user = await factory.CreateUserAsync($"{Unique("keys")}@test.local");
        // Enough digests for many JSON statements on SQLite, in one transaction with another table's rows between.
        var keys = Enumerable.Range(0, 2500).Select(i => $"{Unique("keys")}:{i}").ToList();
        var rows = keys.ConvertAll(k => new Digest { UserId = user.Id, WindowKey = k, CreatedAt = DateTime.UtcNow, Status = DigestStatus.Composed });
        var set = false;
        await factory.WithDbAsync(async db =>
        {
            await using var tx = await db.Database.BeginTransactionAsync();
            set = await db.BulkInsertSettingKeysAsync(rows[..1200], default);
            await db.BulkInsertAsync(new[] { new InboxMessage { UserId = user.Id, Kind = InboxMessageKind.System, Title = "between", Body = "", CreatedAt = DateTime.UtcNow } }, default);
            set &= await db.BulkInsertSettingKeysAsync(rows[1200..], default);
            await tx.CommitAsync();
        });

        // SQLite tells the keys it gave; PostgreSQL's are drawn from the sequence before the COPY.
        Assert.True(set);
        var stored = await factory.WithDbAsync(db => db.Digests.AsNoTracking().Where(d => d.UserId == user.Id).ToDictionaryAsync(d => d.WindowKey, d => d.Id));
        Assert.Equal(rows.Count, stored.Count);
        Assert.All(rows, r => Assert.Equal(stored[r.WindowKey], r.Id));
    }

    [Fact]
    public async Task BulkInsertStoresEachValueAsSaveChangesDoes()
    {
        var user = await factory.CreateUserAsync($"{Unique("bulkvalues")}@test.local");
        // Microseconds: what PostgreSQL keeps (SQLite keeps ticks).
        var at = new DateTime(2026, 12, 7, 14, 3, 9, DateTimeKind.Utc).AddTicks(1234560);
        Delivery Row(long endpoint) => new()
        {
            UserId = user.Id, Channel = DeliveryChannel.Email, ContentKind = DeliveryContentKind.Test, ContentId = long.MaxValue - 7, EndpointId = endpoint,
            Status = DeliveryStatus.Sent, Attempts = 3, Claims = 4, DeliverBy = at.AddHours(1), CreatedAt = at, SentAt = at, NextAttemptAt = null,
            LastError = "550 \"quoted\" 'single' \\ back\nline\ttab \u0001 今日要闻 😀 é", TrackingToken = Guid.NewGuid().ToString("N"),
        };
        var saved = Row(1);
        var bulk = Row(2);
        await factory.WithDbAsync(async db =>
        {
            db.Deliveries.Add(saved);
            await db.SaveChangesAsync();
            await using var tx = await db.Database.BeginTransactionAsync();
            await db.BulkInsertAsync(new[] { bulk }, default);
            await db.BulkInsertAsync(new[] { new DeliveryEvent { DeliveryId = saved.Id, Channel = DeliveryChannel.Email, ContentKind = DeliveryContentKind.Test, Type = DeliveryEventType.Sent, IsFirst = true, ArticleId = -1, OccurredAt = at } }, default);
            await tx.CommitAsync();
        });

        await factory.WithDbAsync(async db =>
        {
            var rows = await db.Deliveries.AsNoTracking().Where(d => d.UserId == user.Id).OrderBy(d => d.EndpointId).ToListAsync();
            Assert.Equal(2, rows.Count);
            var (a, b) = (rows[0], rows[1]);
            Assert.Equal((a.Channel, a.ContentKind, a.ContentId, a.Status, a.Attempts, a.Claims, a.DeliverBy, a.CreatedAt, a.SentAt, a.NextAttemptAt, a.LastError),
                (b.Channel, b.ContentKind, b.ContentId, b.Status, b.Attempts, b.Claims, b.DeliverBy, b.CreatedAt, b.SentAt, b.NextAttemptAt, b.LastError));
            Assert.Equal(saved.LastError, b.LastError);
            Assert.Equal(at, b.CreatedAt);
            var e = await db.DeliveryEvents.AsNoTracking().SingleAsync(x => x.DeliveryId == saved.Id);
            Assert.Equal((true, -1, DeliveryEventType.Sent, at), (e.IsFirst, e.ArticleId, e.Type, e.OccurredAt));
            // Where the database compares dates as text (SQLite), both rows must hold the same text and types.
            Assert.Equal(1, await db.Deliveries.CountAsync(d => d.Id == b.Id && d.CreatedAt == a.CreatedAt && d.SentAt >= a.CreatedAt && d.DeliverBy <= a.DeliverBy));
            if (db.Database.IsSqlite())
            {
                var connection = db.Database.GetDbConnection();
                await db.Database.OpenConnectionAsync();
                await using var command = connection.CreateCommand();
                command.CommandText = $"""SELECT quote("CreatedAt") || typeof("Attempts") || typeof("Status") || quote("DeliverBy") || quote("ContentId") || typeof("NextAttemptAt") FROM "Deliveries" WHERE "Id" IN ({a.Id}, {b.Id}) ORDER BY "EndpointId" """;
                await using var reader = await command.ExecuteReaderAsync();
                var raw = new List<string>();
                while (await reader.ReadAsync())
                {
                    raw.Add(reader.GetString(0));
                }
                Assert.Equal(raw[0], raw[1]);
            }
        });
    }

    [Fact]
    public async Task BulkInsertRolledBackWritesNothing()
    {
        var user = await factory.CreateUserAsync($"{Unique("bulk")}@test.local");
        var key = Unique("rollback");
        await factory.WithDbAsync(async db =>
        {
            await using var tx = await db.Database.BeginTransactionAsync();
            await db.BulkInsertAsync(new[] { new Digest { UserId = user.Id, WindowKey = key, CreatedAt = DateTime.UtcNow } }, default);
            await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() =>
                db.BulkInsertAsync(new[] { new Digest { UserId = user.Id, WindowKey = key, CreatedAt = DateTime.UtcNow } }, default));
            await tx.RollbackAsync();
        });
        Assert.False(await factory.WithDbAsync(db => db.Digests.AnyAsync(d => d.WindowKey == key)));
    }

    public static TheoryData<string> UniqueKeys => new() { "article-slug", "column-slug", "follow", "rating", "digest-window", "delivery-digest-channel", "delivery-campaign-channel", "device", "comment-report", "inbox-digest" };

    [Theory]
    [MemberData(nameof(UniqueKeys))]
    public async Task UniqueKeyRejectsDuplicate(string key)
    {
        var user = await factory.CreateUserAsync($"{Unique("dup")}@test.local");
        var now = DateTime.UtcNow;
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NewsPushDbContext>();
        var article = await db.Articles.FirstAsync();
        var column = await db.Columns.FirstAsync();
        var token = Unique("k");

        Func<object> make = key switch
        {
            "article-slug" => () => new Article { ColumnId = column.Id, Slug = token, Title = "t", CreatedAt = now, UpdatedAt = now },
            "column-slug" => () => new Column { Name = "c", Slug = token, CreatedAt = now },
            "follow" => () => new Follow { UserId = user.Id, Kind = FollowKind.Column, TargetId = column.Id, CreatedAt = now },
            "rating" => () => new Rating { UserId = user.Id, ArticleId = article.Id, Stars = 4, CreatedAt = now },
            "digest-window" => () => new Digest { UserId = user.Id, WindowKey = token, ScheduledFor = now, CreatedAt = now },
            "device" => () => new Device { UserId = user.Id, DeviceId = token, Token = "t", CreatedAt = now, LastSeenAt = now },
            _ => () => throw new InvalidOperationException(),
        };

        if (key is "delivery-digest-channel" or "delivery-campaign-channel" or "comment-report" or "inbox-digest")
        {
            var digest = new Digest { UserId = user.Id, WindowKey = token, ScheduledFor = now, CreatedAt = now };
            var campaign = new PushCampaign { ArticleId = article.Id, Title = "t", CreatedAt = now };
            var comment = new Comment { ArticleId = article.Id, AuthorId = user.Id, Body = "b", BodyHtml = "b", CreatedAt = now };
            db.AddRange(digest, campaign, comment);
            await db.SaveChangesAsync();
            make = key switch
            {
                "delivery-digest-channel" => () => new Delivery { UserId = user.Id, ContentKind = DeliveryContentKind.Digest, ContentId = digest.Id, Channel = DeliveryChannel.Email, TrackingToken = Unique("t"), CreatedAt = now },
                "delivery-campaign-channel" => () => new Delivery { UserId = user.Id, ContentKind = DeliveryContentKind.Breaking, ContentId = campaign.Id, Channel = DeliveryChannel.Inbox, TrackingToken = Unique("t"), CreatedAt = now },
                "comment-report" => () => new CommentReport { CommentId = comment.Id, ReporterId = user.Id, Reason = "spam", CreatedAt = now },
                _ => () => new InboxMessage { UserId = user.Id, DigestId = digest.Id, Title = "t", CreatedAt = now },
            };
        }

        db.Add(make());
        await db.SaveChangesAsync();
        db.ChangeTracker.Clear();

        db.Add(make());
        await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
    }
}

public sealed class SqliteDatabaseTests(SqliteFactory factory) : DatabaseTests<SqliteFactory>(factory);

public sealed class PostgreSqlDatabaseTests(PostgreSqlFactory factory) : DatabaseTests<PostgreSqlFactory>(factory);
