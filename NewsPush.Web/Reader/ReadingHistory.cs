using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Web.Recommendations;

namespace NewsPush.Web.Reader;

/// <summary>
/// Reading history off the request path: an article page only notes the read (and a dwell beacon its seconds) in memory;
/// <see cref="ReadingHistoryWriter"/> writes what gathered, one upsert per reader and article, every
/// <see cref="ReaderOptions.HistoryFlushMilliseconds"/>. Once a reader's new reads are written, their kept personalized
/// lists are dropped (<see cref="ReaderFeedCache"/>), so the feeds leave out what was read within that interval; the
/// history page flushes before it reads.
/// A batch that cannot be written (the database down) is put back and tried again, so no read is lost; a crash loses
/// at most the last interval's reads, as view counts do.
/// </summary>
public sealed partial class ReadingHistory(IOptions<ReaderOptions> options, ReaderFeedCache feeds, ILogger<ReadingHistory> logger)
{
    private sealed class Entry
    {
        public DateTime FirstAt;
        public DateTime LastAt;
        public int Reads;
        public double Dwell;
    }

    private sealed class Bucket
    {
        public readonly Dictionary<int, Entry> Articles = [];

        /// <summary>Set (under the lock) when a flush has taken this bucket: a late writer must use the new buffer.</summary>
        public bool Taken;
    }

    // Reader → their pending articles. A bucket is locked while changed or taken.
    private ConcurrentDictionary<string, Bucket> pending = new(StringComparer.Ordinal);
    private int pendingCount;
    private readonly SemaphoreSlim flushing = new(1, 1);

    /// <summary>How many (reader, article) pairs wait to be written.</summary>
    public int PendingCount => Volatile.Read(ref pendingCount);

    public void Opened(string userId, int articleId, DateTime at) => Note(userId, articleId, at, at, 1, 0);

    public void Dwelled(string userId, int articleId, double seconds, DateTime at) => Note(userId, articleId, at, at, 0, seconds);

    private void Note(string userId, int articleId, DateTime firstAt, DateTime lastAt, int reads, double dwell, bool putBack = false)
    {
        if (!putBack && Volatile.Read(ref pendingCount) >= options.Value.HistoryMaxPending)
        {
            LogDropped(logger, options.Value.HistoryMaxPending);
            return;
        }
        while (true)
        {
            var bucket = pending.GetOrAdd(userId, _ => new Bucket());
            lock (bucket)
            {
                if (bucket.Taken)
                {
                    continue; // a flush swapped the buffer after we found this bucket
                }
                if (!bucket.Articles.TryGetValue(articleId, out var entry))
                {
                    bucket.Articles[articleId] = entry = new Entry { FirstAt = firstAt, LastAt = lastAt };
                    Interlocked.Increment(ref pendingCount);
                }
                entry.LastAt = lastAt > entry.LastAt ? lastAt : entry.LastAt;
                entry.FirstAt = firstAt < entry.FirstAt ? firstAt : entry.FirstAt;
                entry.Reads += reads;
                entry.Dwell += dwell;
                return;
            }
        }
    }

    /// <summary>The articles this reader opened that are not written yet.</summary>
    public IReadOnlyCollection<int> PendingArticles(string userId)
    {
        if (!pending.TryGetValue(userId, out var bucket))
        {
            return [];
        }
        lock (bucket)
        {
            return bucket.Articles.Where(a => a.Value.Reads > 0).Select(a => a.Key).ToList();
        }
    }

    /// <summary>Writes everything noted so far; a caller that arrives during a flush waits for it.</summary>
    public async Task FlushAsync(IServiceProvider services, CancellationToken ct)
    {
        await flushing.WaitAsync(ct);
        try
        {
            if (pending.IsEmpty)
            {
                return;
            }
            var batch = Interlocked.Exchange(ref pending, new ConcurrentDictionary<string, Bucket>(StringComparer.Ordinal));
            var rows = new List<(string UserId, int ArticleId, Entry Entry)>();
            foreach (var (userId, bucket) in batch)
            {
                lock (bucket)
                {
                    bucket.Taken = true;
                    rows.AddRange(bucket.Articles.Select(a => (userId, a.Key, a.Value)));
                }
            }
            Interlocked.Add(ref pendingCount, -rows.Count);
            var chunks = rows.GroupBy(r => r.UserId).Chunk(200).ToList();
            for (var i = 0; i < chunks.Count; i++)
            {
                try
                {
                    feeds.Evict(await WriteAsync(services, chunks[i], ct));
                }
                catch
                {
                    // What is not written goes back into the buffer (merged with what came since), for the next batch.
                    foreach (var (userId, articleId, e) in chunks.Skip(i).SelectMany(c => c).SelectMany(g => g))
                    {
                        Note(userId, articleId, e.FirstAt, e.LastAt, e.Reads, e.Dwell, putBack: true);
                    }
                    throw;
                }
            }
        }
        finally
        {
            flushing.Release();
        }
    }

    /// <summary>Writes one chunk; returns the readers whose history gained an article (what their feeds leave out).</summary>
    private static async Task<List<string>> WriteAsync(IServiceProvider services, IGrouping<string, (string UserId, int ArticleId, Entry Entry)>[] chunk, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NewsPushDbContext>();
        return db.Database.IsSqlite() || db.Database.IsNpgsql()
            ? await ReadingHistoryUpsert.WriteAsync(db, [.. chunk.SelectMany(g => g).Select(r => new ReadingHistoryUpsert.Row(r.UserId, r.ArticleId, r.Entry.FirstAt, r.Entry.LastAt, r.Entry.Reads, r.Entry.Dwell))], ct)
            : await WriteTrackedAsync(services, chunk, ct);
    }

    /// <summary>SQL Server: through the change tracker (read the stored rows, add to them, insert what is new).</summary>
    private static async Task<List<string>> WriteTrackedAsync(IServiceProvider services, IGrouping<string, (string UserId, int ArticleId, Entry Entry)>[] chunk, CancellationToken ct)
    {
        var userIds = chunk.Select(g => g.Key).ToList();
        var articleIds = chunk.SelectMany(g => g.Select(r => r.ArticleId)).Distinct().ToList();
        for (var attempt = 1; ; attempt++)
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<NewsPushDbContext>();
            // Readers deleted since (or articles removed) are left out rather than failing the batch.
            var users = (await db.Users.Where(u => userIds.Contains(u.Id) && u.DeletedAt == null).Select(u => u.Id).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
            var articles = (await db.Articles.Where(a => articleIds.Contains(a.Id)).Select(a => a.Id).ToListAsync(ct)).ToHashSet();
            var existing = (await db.ArticleReads.Where(r => userIds.Contains(r.UserId) && articleIds.Contains(r.ArticleId)).ToListAsync(ct))
                .ToDictionary(r => (r.UserId, r.ArticleId));
            var gained = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (userId, articleId, e) in chunk.SelectMany(g => g))
            {
                if (existing.TryGetValue((userId, articleId), out var row))
                {
                    row.LastReadAt = e.LastAt > row.LastReadAt ? e.LastAt : row.LastReadAt;
                    row.ReadCount += e.Reads;
                    row.DwellSeconds += e.Dwell;
                }
                else if (e.Reads > 0 && users.Contains(userId) && articles.Contains(articleId))
                {
                    // Dwell alone makes no row (as before: a beacon for an article never opened is ignored).
                    db.ArticleReads.Add(new ArticleRead { UserId = userId, ArticleId = articleId, FirstReadAt = e.FirstAt, LastReadAt = e.LastAt, ReadCount = e.Reads, DwellSeconds = e.Dwell });
                    gained.Add(userId);
                }
            }
            try
            {
                await db.SaveChangesAsync(ct);
                return [.. gained];
            }
            catch (DbUpdateException) when (attempt < 3)
            {
                // Another node inserted one of these rows first: read again and add to it.
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading history buffer full ({Max} pending): a read was not recorded")]
    private static partial void LogDropped(ILogger logger, int max);
}

/// <summary>Writes <see cref="ReadingHistory"/> every interval, and once more at shutdown.</summary>
public sealed partial class ReadingHistoryWriter(ReadingHistory history, IServiceProvider services, IOptions<ReaderOptions> options, ILogger<ReadingHistoryWriter> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(Math.Max(50, options.Value.HistoryFlushMilliseconds)));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await history.FlushAsync(services, stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogFailed(logger, ex, history.PendingCount);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        try
        {
            await history.FlushAsync(services, CancellationToken.None);
        }
        catch (Exception ex)
        {
            LogFailed(logger, ex, history.PendingCount);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Writing reading history failed; {Pending} reads kept to try again")]
    private static partial void LogFailed(ILogger logger, Exception ex, int pending);
}
