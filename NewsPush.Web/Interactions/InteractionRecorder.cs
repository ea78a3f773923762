using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NewsPush.Data;
using NewsPush.Data.Entities;

namespace NewsPush.Web.Interactions;

/// <summary>
/// Takes interaction events off the request path: <see cref="Record"/> only enqueues; a background
/// writer stores them in batches. If the queue is full (a storm), the oldest events are dropped —
/// they are training signal, not records anyone is owed. A reader's events beyond
/// <see cref="InteractionOptions.DailyCapPerReader"/> a day are dropped when written (the count is the database's, so
/// it holds across restarts and nodes, give or take batches written at the same moment).
/// </summary>
public sealed class InteractionRecorder(IOptions<InteractionOptions> options, TimeProvider clock)
{
    private readonly Channel<Interaction> queue = Channel.CreateBounded<Interaction>(
        new BoundedChannelOptions(100_000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    public void Record(Interaction interaction) => queue.Writer.TryWrite(interaction);

    public void Record(string userId, int articleId, InteractionType type, double value, string? source, DateTime at) =>
        Record(new Interaction { UserId = userId, ArticleId = articleId, Type = type, Value = value, Source = source, OccurredAt = at });

    internal ChannelReader<Interaction> Reader => queue.Reader;

    // One flush at a time: a caller that flushes (shutdown, tests) must also wait for a batch the
    // background writer has already taken off the queue but not yet saved.
    private readonly SemaphoreSlim flushing = new(1, 1);

    /// <summary>Writes everything queued so far, including any batch being written right now.</summary>
    public async Task FlushAsync(IServiceProvider services, CancellationToken ct)
    {
        await flushing.WaitAsync(ct);
        try
        {
            var batch = new List<Interaction>();
            while (queue.Reader.TryRead(out var item))
            {
                batch.Add(item);
            }
            if (batch.Count == 0)
            {
                return;
            }
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<NewsPushDbContext>();
            batch = await WithinDailyCapAsync(db, batch, ct);
            if (batch.Count == 0)
            {
                return;
            }
            // One multi-row insert (SQLite: JSON rows; PostgreSQL: COPY) in one transaction, not a change-tracked entity an event.
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            await db.BulkInsertAsync(batch, ct);
            await transaction.CommitAsync(ct);
        }
        finally
        {
            flushing.Release();
        }
    }

    /// <summary>The batch less each reader's events beyond the day's cap (counting what is stored for today already).</summary>
    private async Task<List<Interaction>> WithinDailyCapAsync(NewsPushDbContext db, List<Interaction> batch, CancellationToken ct)
    {
        var cap = options.Value.DailyCapPerReader;
        var today = clock.GetUtcNow().UtcDateTime.Date;
        var kept = new List<Interaction>(batch.Count);
        foreach (var chunk in batch.Select(i => i.UserId).Distinct().Chunk(500))
        {
            var stored = await db.Interactions.Where(i => chunk.Contains(i.UserId) && i.OccurredAt >= today)
                .GroupBy(i => i.UserId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
            var users = chunk.ToHashSet();
            foreach (var g in batch.Where(i => users.Contains(i.UserId)).GroupBy(i => i.UserId))
            {
                kept.AddRange(g.Take(Math.Max(0, cap - stored.GetValueOrDefault(g.Key))));
            }
        }
        return kept;
    }
}

/// <summary>Drains <see cref="InteractionRecorder"/> every second or every 500 events.</summary>
public sealed class InteractionWriter(InteractionRecorder recorder, IServiceProvider services, ILogger<InteractionWriter> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await recorder.Reader.WaitToReadAsync(stoppingToken);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
                await recorder.FlushAsync(services, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Writing interactions failed; retrying");
            }
        }
        await recorder.FlushAsync(services, CancellationToken.None);
    }
}
