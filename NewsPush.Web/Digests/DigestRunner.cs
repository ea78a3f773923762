using System.Data.Common;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Web.Infrastructure;
using NewsPush.Web.Infrastructure.Realtime;
using NewsPush.Web.Push;
using NewsPush.Web.Push.Channels;
using NewsPush.Web.Recommendations;

namespace NewsPush.Web.Digests;

public sealed record DigestRunResult(int Due, int Composed, int Merged, int Skipped, int AlreadyDone);

/// <summary>
/// One digest run for a frequency: finds the readers whose local time has come, composes their digests in
/// batches and records them with their deliveries (the outbox) in one transaction per batch. The unique key
/// (UserId, WindowKey) makes a second run, or a run after a crash, complete only what is missing.
/// The in-site inbox is not sent through the outbox: the reader's inbox message, its delivery row (already Sent)
/// and the Sent event are written in the digest's own transaction (ADR-023); the other channels wait in the outbox.
/// </summary>
public sealed partial class DigestRunner(
    NewsPushDbContext db,
    IArticleRecommender recommender,
    TimeProvider clock,
    AudiencePlanner planner,
    DeliverySignal signal,
    ReaderNotifier notifier,
    IOptions<DigestOptions> options,
    IOptions<DeliveryOptions> deliveryOptions,
    IServiceScopeFactory scopes,
    ILogger<DigestRunner> logger)
{
    /// <summary>Prepared batches waiting for the writer: one, so ranking runs at most one batch ahead of the commits.</summary>
    private const int BatchesAhead = 1;

    public async Task<DigestRunResult> RunAsync(DigestFrequency frequency, CancellationToken ct)
    {
        var o = options.Value;
        var now = clock.GetUtcNow().UtcDateTime;
        // Two connections: this scope's reads (pages, history, ranking) run one batch ahead of the writer's, which holds
        // the batch transactions. Batches are disjoint sets of readers, so what batch n+1 reads is not what batch n writes.
        await using var writeScope = scopes.CreateAsyncScope();
        var writeDb = writeScope.ServiceProvider.GetRequiredService<NewsPushDbContext>();
        await using var readPass = await SqliteWritePass.OpenAsync(db, ct, forReads: true);
        await using var writePass = await SqliteWritePass.OpenAsync(writeDb, ct);
        var freshSince = now.AddDays(-o.FreshnessDays);
        var freshRows = await db.Articles.AsNoTracking()
            .PubliclyVisible(now).Where(a => a.PublishedAt >= freshSince)
            .Select(a => new { a.Id, a.ColumnId, a.Title })
            .ToListAsync(ct);
        var fresh = freshRows.ToDictionary(a => a.Id, a => new DigestCandidate(a.Id, a.ColumnId));
        // The inbox message lists the stories by title; carried-over stories that are no longer fresh are added per batch.
        var titles = freshRows.ToDictionary(a => a.Id, a => a.Title);
        var composer = new DigestComposer(o.ItemsPerDigest, o.MaxPerColumn);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var batches = Channel.CreateBounded<PreparedBatch>(new BoundedChannelOptions(BatchesAhead) { SingleReader = true, SingleWriter = true });
        // Ranking and composing batch n+1 (mostly this process's CPU) while batch n is written and committed (mostly SQLite's,
        // or the server's): on two cores the run takes about the longer of the two, not their sum. A crash anywhere leaves
        // only whole batches committed, as before: each batch is still one transaction, and the next run skips done windows.
        var preparing = Task.Run(() => PrepareAllAsync(frequency, fresh, titles, composer, now, batches.Writer, stop.Token), stop.Token);
        int due = 0, composed = 0, merged = 0, skipped = 0, already = 0;
        try
        {
            await foreach (var batch in batches.Reader.ReadAllAsync(stop.Token))
            {
                var result = await WriteWithRetriesAsync(writeDb, batch, now, stop.Token);
                due += result.Due;
                composed += result.Composed;
                merged += result.Merged;
                skipped += result.Skipped;
                already += result.AlreadyDone;
                signal.Notify();
            }
        }
        catch
        {
            await stop.CancelAsync();
            try
            {
                await preparing;
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                // The writer's failure is the one to report.
            }
            throw;
        }
        await preparing;
        LogRun(logger, frequency, due, composed, merged, skipped, already);
        return new DigestRunResult(due, composed, merged, skipped, already);
    }

    /// <summary>The reader pages in key order, each due batch ranked and composed, handed to the writer; the channel ends with the last page or the first failure.</summary>
    private async Task PrepareAllAsync(DigestFrequency frequency, Dictionary<int, DigestCandidate> fresh, Dictionary<int, string> titles, DigestComposer composer,
        DateTime now, ChannelWriter<PreparedBatch> batches, CancellationToken ct)
    {
        var o = options.Value;
        var catchUp = TimeSpan.FromHours(o.CatchUpHours);
        var lastUserId = "";
        try
        {
            while (true)
            {
                var page = await db.ReaderPreferences.AsNoTracking()
                    // The cursor on the user's side too: without it PostgreSQL merge-joins from the first user on every page
                    // (a walk of the users' key that grew with the run: quadratic over a million readers).
                    .Where(p => p.DigestFrequency == frequency && string.Compare(p.UserId, lastUserId) > 0
                        && string.Compare(p.User!.Id, lastUserId) > 0 && p.User.DeletedAt == null)
                    .Where(AudiencePlanner.HasAnyChannel)
                    .OrderBy(p => p.UserId)
                    .Take(o.BatchSize)
                    .Select(p => new ReaderRow(p.UserId,
                        new DigestTiming(p.DigestFrequency, p.DigestLocalTime, p.DigestDayOfWeek, p.TimeZoneId, p.QuietHoursStart, p.QuietHoursEnd)))
                    .ToListAsync(ct);
                if (page.Count == 0)
                {
                    break;
                }
                lastUserId = page[^1].UserId;
                var dueReaders = new List<(ReaderRow Reader, DigestWindow Window)>();
                foreach (var r in page)
                {
                    if (DigestWindowCalculator.Due(r.Timing, now, catchUp) is { } w)
                    {
                        dueReaders.Add((r, w));
                    }
                }
                if (dueReaders.Count > 0)
                {
                    await batches.WriteAsync(await PrepareBatchAsync(dueReaders, fresh, titles, composer, now, ct), ct);
                }
            }
            batches.Complete();
        }
        catch (Exception ex)
        {
            batches.Complete(ex);
            throw;
        }
    }

    /// <summary>
    /// Writes one batch; when another run inserted some of its windows first (a unique key refuses the batch), drops those
    /// readers, as the next pass would see them done, and writes the rest.
    /// </summary>
    private async Task<DigestRunResult> WriteWithRetriesAsync(NewsPushDbContext writeDb, PreparedBatch batch, DateTime now, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (batch.Digests.Count > 0)
                {
                    // The execution strategy re-runs the whole transaction on providers that retry (SQL Server).
                    await writeDb.Database.CreateExecutionStrategy().ExecuteAsync(() => WriteBatchAsync(writeDb, batch, now, ct));
                    // After the commit, queued: a nudge never fails or delays the digest, and catches up after a Redis outage.
                    notifier.InboxChanged(batch.Inbox.Select(d => d.Delivery.UserId).Distinct());
                }
                var written = batch.Digests.Count;
                return new DigestRunResult(batch.Due, written - batch.Skipped, batch.Digests.Count(d => d.MergedIds.Count > 0), batch.Skipped, batch.Due - written);
            }
            catch (Exception ex) when (attempt < 3 && ex is DbUpdateException or DbException)
            {
                LogConcurrentRun(logger, ex.InnerException?.Message ?? ex.Message);
                writeDb.ChangeTracker.Clear();
                batch = await WithoutDoneAsync(writeDb, batch, ct);
            }
        }
    }

    private static async Task<PreparedBatch> WithoutDoneAsync(NewsPushDbContext writeDb, PreparedBatch batch, CancellationToken ct)
    {
        var done = (await writeDb.Digests.AsNoTracking()
                .Where(d => batch.Ids.Contains(d.UserId) && batch.Keys.Contains(d.WindowKey))
                .Select(d => new { d.UserId, d.WindowKey })
                .ToListAsync(ct))
            .Select(d => (d.UserId, d.WindowKey)).ToHashSet();
        bool Done(Digest d) => done.Contains((d.UserId, d.WindowKey));
        var digests = batch.Digests.Where(d => !Done(d.Digest)).ToList();
        return batch with
        {
            Digests = digests,
            Deliveries = batch.Deliveries.Where(d => !Done(d.Digest)).ToList(),
            Inbox = batch.Inbox.Where(d => !Done(d.Digest)).ToList(),
            Skipped = digests.Count(d => d.Digest.Status == DigestStatus.Skipped),
            Ids = digests.Select(d => d.Digest.UserId).ToList(),
        };
    }

    /// <summary>What one batch reads, ranks and composes, ready for the writer; nothing of it is written yet.</summary>
    private async Task<PreparedBatch> PrepareBatchAsync(
        List<(ReaderRow Reader, DigestWindow Window)> dueReaders,
        Dictionary<int, DigestCandidate> fresh,
        Dictionary<int, string> titles,
        DigestComposer composer,
        DateTime now,
        CancellationToken ct)
    {
        var o = options.Value;
        var ids = dueReaders.Select(d => d.Reader.UserId).ToList();
        var keys = dueReaders.Select(d => d.Window.Key).Distinct().ToList();
        var done = (await db.Digests.AsNoTracking()
                .Where(d => ids.Contains(d.UserId) && keys.Contains(d.WindowKey))
                .Select(d => new { d.UserId, d.WindowKey })
                .ToListAsync(ct))
            .Select(d => (d.UserId, d.WindowKey)).ToHashSet();
        var todo = dueReaders.Where(d => !done.Contains((d.Reader.UserId, d.Window.Key))).ToList();
        if (todo.Count == 0)
        {
            return new PreparedBatch(dueReaders.Count, [], [], [], 0, [], keys);
        }
        ids = todo.Select(d => d.Reader.UserId).ToList();

        var sentSince = now.AddDays(-o.NotAlreadySentDays);
        // The readers' digests first, then their items by key, flat: as joins through DigestItems these two reads took
        // PostgreSQL 84 and 22 ms a batch over a million readers (its statistics behind tables that grow from empty in one
        // run); each of these is one index range per reader, whatever the planner believes about the table's size.
        var sentDigests = await db.Digests.AsNoTracking()
            .Where(d => ids.Contains(d.UserId) && d.CreatedAt >= sentSince)
            .Select(d => new { d.Id, d.UserId })
            .ToListAsync(ct);
        var unopenedDigests = await db.Digests.AsNoTracking()
            .Where(d => ids.Contains(d.UserId) && d.OpenedAt == null && d.MergedIntoId == null
                && (d.Status == DigestStatus.Composed || d.Status == DigestStatus.Delivered))
            .Select(d => new { d.Id, d.UserId, d.CreatedAt })
            .ToListAsync(ct);
        var earlierIds = sentDigests.Select(d => d.Id).Concat(unopenedDigests.Select(d => d.Id)).Distinct().ToList();
        var earlierItems = (earlierIds.Count == 0 ? [] : await db.DigestItems.AsNoTracking()
                .Where(i => earlierIds.Contains(i.DigestId))
                .Select(i => new EarlierItem(i.DigestId, i.ArticleId, i.Position, i.Score, i.Reason))
                .ToListAsync(ct))
            .ToLookup(i => i.DigestId);
        var sent = sentDigests
            .GroupBy(d => d.UserId).ToDictionary(g => g.Key, g => (IReadOnlySet<int>)g.SelectMany(d => earlierItems[d.Id]).Select(i => i.ArticleId).ToHashSet());
        var topics = (await db.ReaderTopics.AsNoTracking().Where(t => ids.Contains(t.UserId)).Select(t => new { t.UserId, t.ColumnId }).ToListAsync(ct))
            .GroupBy(x => x.UserId).ToDictionary(g => g.Key, g => (IReadOnlySet<int>)g.Select(x => x.ColumnId).ToHashSet());
        // Which channels each reader gets (and whether the weekly cap leaves any) is the planner's decision.
        var plans = await planner.PlanAsync(ids, now, respectQuietHours: false, ct);
        // The newest unopened digest per reader is merged into the new one instead of sending a second.
        var unopened = unopenedDigests
            .Select(d => new { d.Id, d.UserId, d.CreatedAt, Items = earlierItems[d.Id].ToList() })
            .GroupBy(d => d.UserId)
            .ToDictionary(g => g.Key, g => g.OrderByDescending(d => d.CreatedAt).ToList());
        var ranking = await recommender.RecommendManyAsync(ids, o.ItemsPerDigest * 3, ct);

        var deliverBy = now.AddHours(deliveryOptions.Value.DeadlineHours);
        var digests = new List<(Digest Digest, List<long> MergedIds)>();
        var deliveries = new List<(Digest Digest, Delivery Delivery)>();
        var inbox = new List<(Digest Digest, Delivery Delivery)>();
        int skipped = 0;
        foreach (var (reader, window) in todo)
        {
            var endpoints = plans.TryGetValue(reader.UserId, out var plan) ? plan.Endpoints : [];
            var allowed = endpoints.Count;
            var previous = unopened.GetValueOrDefault(reader.UserId) ?? [];
            var carried = allowed == 0 ? [] : previous
                .SelectMany(p => p.Items)
                .Select(i => new DigestItem { ArticleId = i.ArticleId, Position = i.Position, Score = i.Score, Reason = i.Reason })
                .ToList();
            var items = composer.Compose(
                ranking.GetValueOrDefault(reader.UserId) ?? [],
                fresh,
                sent.GetValueOrDefault(reader.UserId) ?? new HashSet<int>(),
                topics.GetValueOrDefault(reader.UserId),
                carried);
            var digest = new Digest
            {
                UserId = reader.UserId, WindowKey = window.Key, ScheduledFor = window.DueAtUtc, CreatedAt = now,
                Status = allowed == 0 || items.Count == 0 ? DigestStatus.Skipped : DigestStatus.Composed,
                Items = items,
            };
            if (digest.Status == DigestStatus.Skipped)
            {
                // The window is used up: the cap or an empty ranking means no digest this time, not a later flood.
                digest.Items = [];
                skipped++;
                digests.Add((digest, []));
                continue;
            }
            foreach (var endpoint in endpoints)
            {
                var delivery = new Delivery
                {
                    UserId = reader.UserId, Channel = endpoint.Channel, EndpointId = endpoint.EndpointId, ContentKind = DeliveryContentKind.Digest,
                    Status = DeliveryStatus.Queued, TrackingToken = TrackingTokens.New(now), CreatedAt = now, DeliverBy = deliverBy,
                };
                if (endpoint.Channel == DeliveryChannel.Inbox)
                {
                    // Delivered by this transaction's inbox message, as the dispatcher would have recorded it after one attempt.
                    delivery.Status = DeliveryStatus.Sent;
                    delivery.SentAt = now;
                    delivery.Attempts = 1;
                    delivery.Claims = 1;
                    digest.Status = DigestStatus.Delivered;
                    inbox.Add((digest, delivery));
                }
                deliveries.Add((digest, delivery));
            }
            digests.Add((digest, previous.Select(p => p.Id).ToList()));
        }

        var missing = inbox.SelectMany(d => d.Digest.Items).Select(i => i.ArticleId).Where(id => !titles.ContainsKey(id)).Distinct().ToList();
        if (missing.Count > 0)
        {
            foreach (var a in await db.Articles.AsNoTracking().Where(a => missing.Contains(a.Id)).Select(a => new { a.Id, a.Title }).ToListAsync(ct))
            {
                titles[a.Id] = a.Title;
            }
        }
        // The messages as InboxChannel.Render would write them; the writer only sets their keys.
        var posts = new List<InboxPost>(inbox.Count);
        foreach (var (digest, delivery) in inbox)
        {
            var stories = digest.Items.Where(i => titles.ContainsKey(i.ArticleId)).OrderBy(i => i.Position).ToList();
            posts.Add(new InboxPost(digest, delivery, new InboxMessage
            {
                UserId = delivery.UserId, Kind = InboxMessageKind.Digest, CreatedAt = now,
                Title = Texts.Clip(DigestContentSource.Title(digest.WindowKey, stories.Count), 300),
                Body = InboxChannel.DigestBody(stories.Select(i => (titles[i.ArticleId], i.Reason))),
            }));
        }
        return new PreparedBatch(dueReaders.Count, digests, deliveries, posts, skipped, ids, keys);
    }

    private static async Task WriteBatchAsync(NewsPushDbContext db, PreparedBatch batch, DateTime now, CancellationToken ct)
    {
        var (digests, deliveries, inbox, ids, keys) = (batch.Digests, batch.Deliveries, batch.Inbox, batch.Ids, batch.Keys);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // SQLite tells the keys it gave, PostgreSQL hands them out before the COPY; elsewhere they are read back by (UserId, WindowKey).
        if (!await db.BulkInsertSettingKeysAsync(digests.ConvertAll(d => d.Digest), ct))
        {
            var inserted = (await db.Digests.AsNoTracking()
                    .Where(d => ids.Contains(d.UserId) && keys.Contains(d.WindowKey))
                    .Select(d => new { d.Id, d.UserId, d.WindowKey })
                    .ToListAsync(ct))
                .ToDictionary(d => (d.UserId, d.WindowKey), d => d.Id);
            foreach (var (digest, _) in digests)
            {
                digest.Id = inserted[(digest.UserId, digest.WindowKey)];
            }
        }
        foreach (var (digest, _) in digests)
        {
            foreach (var item in digest.Items)
            {
                item.DigestId = digest.Id;
            }
        }
        await db.BulkInsertAsync(digests.SelectMany(d => d.Digest.Items).ToList(), ct);
        foreach (var (digest, delivery) in deliveries)
        {
            delivery.ContentId = digest.Id;
        }
        var deliveryKeysSet = await db.BulkInsertSettingKeysAsync(deliveries.ConvertAll(d => d.Delivery), ct);
        if (inbox.Count > 0)
        {
            await WriteInboxAsync(db, inbox, deliveryKeysSet, now, ct);
        }

        var mergedIds = digests.SelectMany(d => d.MergedIds).ToList();
        if (mergedIds.Count > 0)
        {
            // Each merged digest points at its reader's newest digest: the one just written in this transaction.
            await db.Digests.Where(d => mergedIds.Contains(d.Id))
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, DigestStatus.Merged)
                    .SetProperty(d => d.MergedIntoId, d => db.Digests.Where(n => n.UserId == d.UserId).Max(n => (long?)n.Id)), ct);
            // The merged digest is not sent any more, and the reader's inbox shows only the new one.
            await db.Deliveries.Where(d => d.ContentKind == DeliveryContentKind.Digest && mergedIds.Contains(d.ContentId) && d.Status == DeliveryStatus.Queued)
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, DeliveryStatus.Suppressed).SetProperty(d => d.LastError, "merged into a newer digest"), ct);
            await db.InboxMessages.Where(m => m.DigestId != null && mergedIds.Contains(m.DigestId.Value) && m.ArchivedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.ArchivedAt, now), ct);
        }
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// The inbox part of the batch, in its transaction: one message per digest (unique DigestId and DeliveryId, so a
    /// second run or the dispatcher cannot post it again) and the Sent event the analytics count.
    /// </summary>
    private static async Task WriteInboxAsync(NewsPushDbContext db, List<InboxPost> inbox, bool deliveryKeysSet, DateTime now, CancellationToken ct)
    {
        if (!deliveryKeysSet)
        {
            // Keys the provider did not tell: the inbox rows read back by the unique (ContentKind, ContentId, …) index.
            var digestIds = inbox.ConvertAll(d => d.Digest.Id);
            var deliveryIds = await db.Deliveries.AsNoTracking()
                .Where(d => d.ContentKind == DeliveryContentKind.Digest && digestIds.Contains(d.ContentId) && d.Channel == DeliveryChannel.Inbox)
                .Select(d => new { d.Id, d.ContentId, d.UserId, d.EndpointId })
                .ToDictionaryAsync(d => (d.ContentId, d.UserId, d.EndpointId), d => d.Id, ct);
            foreach (var (digest, delivery, _) in inbox)
            {
                delivery.Id = deliveryIds[(digest.Id, delivery.UserId, delivery.EndpointId)];
            }
        }
        var messages = new List<InboxMessage>(inbox.Count);
        var events = new List<DeliveryEvent>(inbox.Count);
        foreach (var (digest, delivery, message) in inbox)
        {
            message.DeliveryId = delivery.Id;
            message.DigestId = digest.Id;
            messages.Add(message);
            events.Add(DeliveryEventLog.For(delivery, DeliveryEventType.Sent, true, now));
        }
        await db.BulkInsertAsync(messages, ct);
        await db.AppendAsync(events, ct);
    }

    /// <summary>One batch as the writer takes it: the digests (with the ids of the unopened ones they merge), every channel's delivery, and the inbox posts.</summary>
    private sealed record PreparedBatch(
        int Due,
        List<(Digest Digest, List<long> MergedIds)> Digests,
        List<(Digest Digest, Delivery Delivery)> Deliveries,
        List<InboxPost> Inbox,
        int Skipped,
        List<string> Ids,
        List<string> Keys);

    private sealed record InboxPost(Digest Digest, Delivery Delivery, InboxMessage Message);

    private sealed record EarlierItem(long DigestId, int ArticleId, int Position, double Score, string Reason);

    private sealed record ReaderRow(string UserId, DigestTiming Timing);

    [LoggerMessage(Level = LogLevel.Information, Message = "Digest run {Frequency}: {Due} due, {Composed} composed, {Merged} merged, {Skipped} skipped, {Already} already done")]
    private static partial void LogRun(ILogger logger, DigestFrequency frequency, int due, int composed, int merged, int skipped, int already);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Digest batch collided with another run; retrying: {Reason}")]
    private static partial void LogConcurrentRun(ILogger logger, string reason);
}
