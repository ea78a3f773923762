using System.Data.Common;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;
using NewsPush.Data;
using NewsPush.Data.Entities;

namespace NewsPush.Web.Analytics;

/// <summary>What one roll-up run read.</summary>
public sealed record RollupResult(long Deliveries, long Events, long Interactions)
{
    public long Total => Deliveries + Events + Interactions;
}

/// <summary>
/// Keeps the roll-ups up to date incrementally. Three append-only sources are read in id order past their watermark:
/// the outbox (each row is a "queued"), the delivery events and the reader interactions. Each step adds its batch's
/// counts to the hour and day buckets of when each thing happened — a late open lands in its own hour, however old the
/// push — and moves the watermark in the same transaction, conditionally on it still being where the step read it: a
/// re-run, a crash mid-step or a second node never counts a row twice.
/// </summary>
public sealed class RollupBuilder(NewsPushDbContext db, TimeProvider clock, IOptions<AnalyticsOptions> options)
{
    public const string DeliveriesMark = "deliveries";
    public const string EventsMark = "delivery-events";
    public const string InteractionsMark = "interactions";
    public const string InboxPartsMark = "inbox-parts";

    /// <summary>The digest run a digest belongs to: the UTC day its digests were composed, counted from 1970-01-01.</summary>
    public static long DigestRunOf(DateTime createdAt) => (long)(createdAt.Date - DateTime.UnixEpoch).TotalDays;

    public static DateTime DayOfRun(long run) => DateTime.SpecifyKind(DateTime.UnixEpoch.AddDays(run), DateTimeKind.Utc);

    public async Task<RollupResult> RunAsync(CancellationToken ct)
    {
        long deliveries = 0, events = 0, interactions = 0;
        while (!ct.IsCancellationRequested)
        {
            var step = await DeliveriesStepAsync(ct) + 0L;
            deliveries += step;
            var e = await EventsStepAsync(ct);
            events += e;
            var i = await InteractionsStepAsync(ct);
            interactions += i;
            var p = await InboxPartsStepAsync(ct);
            deliveries += p;
            if (step + e + i + p == 0)
            {
                break;
            }
        }
        return new RollupResult(deliveries, events, interactions);
    }

    private DateTime Cutoff => clock.GetUtcNow().UtcDateTime.AddSeconds(-options.Value.SettleSeconds);

    private static DateTime Hour(DateTime t) => DateTime.SpecifyKind(new DateTime(t.Year, t.Month, t.Day, t.Hour, 0, 0), DateTimeKind.Utc);

    private static DateTime Day(DateTime t) => DateTime.SpecifyKind(t.Date, DateTimeKind.Utc);

    private readonly record struct DeliveryKey(DateTime Hour, DeliveryContentKind Kind, long ContentId, DeliveryChannel Channel, DeliveryEventType Metric, int ArticleId);

    private async Task<int> DeliveriesStepAsync(CancellationToken ct)
    {
        var mark = await MarkAsync(DeliveriesMark, ct);
        var cutoff = Cutoff;
        var rows = await db.Deliveries.AsNoTracking().Where(d => d.Id > mark).OrderBy(d => d.Id).Take(options.Value.BatchSize)
            .Select(d => new
            {
                d.Id, d.Channel, d.ContentKind, d.ContentId, d.CreatedAt,
                DigestAt = d.ContentKind == DeliveryContentKind.Digest ? db.Digests.Where(x => x.Id == d.ContentId).Select(x => (DateTime?)x.CreatedAt).FirstOrDefault() : null,
            })
            .ToListAsync(ct);
        var settled = rows.TakeWhile(r => r.CreatedAt <= cutoff).ToList();
        if (settled.Count == 0)
        {
            return 0;
        }
        var counts = settled
            .GroupBy(r => new DeliveryKey(Hour(r.CreatedAt), r.ContentKind, ContentOf(r.ContentKind, r.ContentId, r.DigestAt), r.Channel, DeliveryEventType.Queued, 0))
            .ToDictionary(g => g.Key, g => (Total: (long)g.Count(), Unique: (long)g.Count()));
        return await CommitDeliveryCountsAsync(DeliveriesMark, mark, settled[^1].Id, counts, settled.Count, ct);
    }

    /// <summary>
    /// A breaking push's inbox part is one broadcast for all (no outbox rows): queued and sent to the readers it reached,
    /// at once, when it was stored. Broadcasts are read in id order like the other sources; one waits (and the ones after
    /// it) until its readers are counted (<c>CampaignSender</c> counts them right after storing it, or when the fan-out
    /// resumes). Broadcasts of no push (an admin's) count nothing but move the watermark.
    /// </summary>
    private async Task<int> InboxPartsStepAsync(CancellationToken ct)
    {
        var mark = await MarkAsync(InboxPartsMark, ct);
        var cutoff = Cutoff;
        var rows = await db.Broadcasts.AsNoTracking().Where(b => b.Id > mark).OrderBy(b => b.Id).Take(options.Value.BatchSize)
            .Select(b => new { b.Id, b.CampaignId, b.CreatedAt, b.AudienceCount })
            .ToListAsync(ct);
        // A part still uncounted an hour on was stored by a fan-out that died and never resumed (the push cancelled
        // meanwhile): it counts nothing rather than hold back every later push.
        var abandoned = cutoff.AddHours(-1);
        var settled = rows.TakeWhile(r => r.CreatedAt <= cutoff && (r.CampaignId is null || r.AudienceCount is not null || r.CreatedAt <= abandoned)).ToList();
        if (settled.Count == 0)
        {
            return 0;
        }
        var counts = new Dictionary<DeliveryKey, (long Total, long Unique)>();
        foreach (var r in settled.Where(r => r.CampaignId is not null && r.AudienceCount > 0))
        {
            foreach (var metric in (ReadOnlySpan<DeliveryEventType>)[DeliveryEventType.Queued, DeliveryEventType.Sent])
            {
                var key = new DeliveryKey(Hour(r.CreatedAt), DeliveryContentKind.Breaking, r.CampaignId!.Value, DeliveryChannel.Inbox, metric, 0);
                var n = (long)r.AudienceCount!.Value;
                counts[key] = counts.TryGetValue(key, out var c) ? (c.Total + n, c.Unique + n) : (n, n);
            }
        }
        return await CommitDeliveryCountsAsync(InboxPartsMark, mark, settled[^1].Id, counts, settled.Count, ct);
    }

    private async Task<int> EventsStepAsync(CancellationToken ct)
    {
        var mark = await MarkAsync(EventsMark, ct);
        var cutoff = Cutoff;
        var rows = await db.DeliveryEvents.AsNoTracking().Where(e => e.Id > mark).OrderBy(e => e.Id).Take(options.Value.BatchSize)
            .Select(e => new
            {
                e.Id, e.Channel, e.ContentKind, e.ContentId, e.Type, e.IsFirst, e.ArticleId, e.OccurredAt,
                DigestAt = e.ContentKind == DeliveryContentKind.Digest ? db.Digests.Where(x => x.Id == e.ContentId).Select(x => (DateTime?)x.CreatedAt).FirstOrDefault() : null,
            })
            .ToListAsync(ct);
        var settled = rows.TakeWhile(r => r.OccurredAt <= cutoff).ToList();
        if (settled.Count == 0)
        {
            return 0;
        }
        var counts = settled
            .GroupBy(r => new DeliveryKey(Hour(r.OccurredAt), r.ContentKind, ContentOf(r.ContentKind, r.ContentId, r.DigestAt), r.Channel, r.Type, r.Type == DeliveryEventType.Clicked ? r.ArticleId : 0))
            .ToDictionary(g => g.Key, g => (Total: (long)g.Count(), Unique: (long)g.Count(x => x.IsFirst)));
        return await CommitDeliveryCountsAsync(EventsMark, mark, settled[^1].Id, counts, settled.Count, ct);
    }

    private static long ContentOf(DeliveryContentKind kind, long contentId, DateTime? digestAt) =>
        kind == DeliveryContentKind.Digest ? (digestAt is { } at ? DigestRunOf(at) : 0) : contentId;

    private async Task<int> CommitDeliveryCountsAsync(string name, long mark, long last, Dictionary<DeliveryKey, (long Total, long Unique)> hourly, int read, CancellationToken ct)
    {
        // The day buckets are the sums of their hours.
        var all = new Dictionary<(RollupGrain, DeliveryKey), (long Total, long Unique)>();
        foreach (var (k, v) in hourly)
        {
            all[(RollupGrain.Hour, k)] = v;
            var day = (RollupGrain.Day, k with { Hour = Day(k.Hour) });
            all[day] = all.TryGetValue(day, out var s) ? (s.Total + v.Total, s.Unique + v.Unique) : v;
        }
        var buckets = all.Keys.Select(k => k.Item2.Hour).Distinct().ToList();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var existing = new Dictionary<(RollupGrain, DeliveryKey), DeliveryRollup>();
        foreach (var chunk in buckets.Chunk(200))
        {
            foreach (var r in await db.DeliveryRollups.Where(r => chunk.Contains(r.BucketStart)).ToListAsync(ct))
            {
                existing[(r.Grain, new DeliveryKey(r.BucketStart, r.ContentKind, r.ContentId, r.Channel, r.Metric, r.ArticleId))] = r;
            }
        }
        foreach (var (key, v) in all)
        {
            if (existing.TryGetValue(key, out var row))
            {
                row.Total += v.Total;
                row.Unique += v.Unique;
            }
            else
            {
                var k = key.Item2;
                db.DeliveryRollups.Add(new DeliveryRollup
                {
                    Grain = key.Item1, BucketStart = k.Hour, ContentKind = k.Kind, ContentId = k.ContentId, Channel = k.Channel,
                    Metric = k.Metric, ArticleId = k.ArticleId, Total = v.Total, Unique = v.Unique,
                });
            }
        }
        return await CommitAsync(tx, name, mark, last, read, ct);
    }

    private readonly record struct InteractionKey(DateTime Hour, int ColumnId, string Source, int ModelVersionId, InteractionType Type);

    private async Task<int> InteractionsStepAsync(CancellationToken ct)
    {
        var mark = await MarkAsync(InteractionsMark, ct);
        var cutoff = Cutoff;
        var rows = await db.Interactions.AsNoTracking().Where(i => i.Id > mark).OrderBy(i => i.Id).Take(options.Value.BatchSize)
            .Select(i => new
            {
                i.Id, i.UserId, i.Type, i.Value, i.Source, i.OccurredAt,
                ColumnId = db.Articles.Where(a => a.Id == i.ArticleId).Select(a => a.ColumnId).FirstOrDefault(),
            })
            .ToListAsync(ct);
        var settled = rows.TakeWhile(r => r.OccurredAt <= cutoff).ToList();
        if (settled.Count == 0)
        {
            return 0;
        }
        var versions = await db.ModelVersions.AsNoTracking().Where(v => v.ActivatedAt != null)
            .OrderBy(v => v.ActivatedAt).Select(v => new { v.Id, At = v.ActivatedAt!.Value }).ToListAsync(ct);
        int VersionAt(DateTime t)
        {
            var id = 0;
            foreach (var v in versions)
            {
                if (v.At > t)
                {
                    break;
                }
                id = v.Id;
            }
            return id;
        }
        var hourly = settled
            .GroupBy(r => new InteractionKey(Hour(r.OccurredAt), r.ColumnId, r.Source ?? "", VersionAt(r.OccurredAt), r.Type))
            .ToDictionary(g => g.Key, g => (Count: (long)g.Count(), Sum: g.Sum(x => x.Value)));
        var all = new Dictionary<(RollupGrain, InteractionKey), (long Count, double Sum)>();
        foreach (var (k, v) in hourly)
        {
            all[(RollupGrain.Hour, k)] = v;
            var day = (RollupGrain.Day, k with { Hour = Day(k.Hour) });
            all[day] = all.TryGetValue(day, out var s) ? (s.Count + v.Count, s.Sum + v.Sum) : v;
        }
        var readers = settled.Where(r => r.ColumnId != 0 && r.Type is InteractionType.Click or InteractionType.Dwell)
            .Select(r => (r.ColumnId, Day: Day(r.OccurredAt), r.UserId)).Distinct().ToList();

        var buckets = all.Keys.Select(k => k.Item2.Hour).Distinct().ToList();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var existing = new Dictionary<(RollupGrain, InteractionKey), InteractionRollup>();
        foreach (var chunk in buckets.Chunk(200))
        {
            foreach (var r in await db.InteractionRollups.Where(r => chunk.Contains(r.BucketStart)).ToListAsync(ct))
            {
                existing[(r.Grain, new InteractionKey(r.BucketStart, r.ColumnId, r.Source, r.ModelVersionId, r.Type))] = r;
            }
        }
        foreach (var (key, v) in all)
        {
            if (existing.TryGetValue(key, out var row))
            {
                row.Count += v.Count;
                row.ValueSum += v.Sum;
            }
            else
            {
                var k = key.Item2;
                db.InteractionRollups.Add(new InteractionRollup
                {
                    Grain = key.Item1, BucketStart = k.Hour, ColumnId = k.ColumnId, Source = k.Source,
                    ModelVersionId = k.ModelVersionId, Type = k.Type, Count = v.Count, ValueSum = v.Sum,
                });
            }
        }
        await InsertReadersAsync(readers, ct);
        return await CommitAsync(tx, InteractionsMark, mark, settled[^1].Id, settled.Count, ct);
    }

    /// <summary>Adds (column, day, reader) rows that are not there yet: one multi-row statement per few hundred.</summary>
    private async Task InsertReadersAsync(List<(int ColumnId, DateTime Day, string UserId)> readers, CancellationToken ct)
    {
        if (readers.Count == 0)
        {
            return;
        }
        var provider = db.Database.ProviderName ?? "";
        var connection = db.Database.GetDbConnection();
        foreach (var chunk in readers.Chunk(300))
        {
            await using var command = connection.CreateCommand();
            command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            var sql = new StringBuilder();
            var values = new StringBuilder();
            for (var i = 0; i < chunk.Length; i++)
            {
                Add(command, $"@c{i}", chunk[i].ColumnId);
                Add(command, $"@d{i}", chunk[i].Day);
                Add(command, $"@u{i}", chunk[i].UserId);
                values.Append(i == 0 ? "" : ",").Append($"(@c{i},@d{i},@u{i})");
            }
            if (provider.Contains("SqlServer", StringComparison.Ordinal))
            {
                sql.Append("INSERT INTO [ColumnReaderDays] ([ColumnId],[Day],[UserId]) SELECT v.c, v.d, v.u FROM (VALUES ").Append(values)
                    .Append(") AS v(c, d, u) WHERE NOT EXISTS (SELECT 1 FROM [ColumnReaderDays] r WHERE r.[ColumnId] = v.c AND r.[Day] = v.d AND r.[UserId] = v.u)");
            }
            else
            {
                // SQLite and PostgreSQL both know the upsert clause.
                sql.Append("INSERT INTO \"ColumnReaderDays\" (\"ColumnId\",\"Day\",\"UserId\") VALUES ").Append(values).Append(" ON CONFLICT DO NOTHING");
            }
            command.CommandText = sql.ToString();
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var p = command.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        command.Parameters.Add(p);
    }

    private async Task<long> MarkAsync(string name, CancellationToken ct) =>
        await db.AnalyticsWatermarks.AsNoTracking().Where(w => w.Name == name).Select(w => (long?)w.LastId).FirstOrDefaultAsync(ct) ?? 0;

    /// <summary>Moves the watermark from where this step read it; if another run moved it meanwhile, nothing of this step counts.</summary>
    private async Task<int> CommitAsync(Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction tx, string name, long mark, long last, int read, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var moved = await db.AnalyticsWatermarks.Where(w => w.Name == name && w.LastId == mark)
            .ExecuteUpdateAsync(s => s.SetProperty(w => w.LastId, last).SetProperty(w => w.UpdatedAt, now), ct);
        if (moved == 0)
        {
            if (mark != 0 || await db.AnalyticsWatermarks.AnyAsync(w => w.Name == name, ct))
            {
                await tx.RollbackAsync(ct);
                db.ChangeTracker.Clear();
                return 0;
            }
            db.AnalyticsWatermarks.Add(new AnalyticsWatermark { Name = name, LastId = last, UpdatedAt = now });
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        db.ChangeTracker.Clear();
        return read;
    }
}
