using System.Threading.Channels;
using NewsPush.Data;
using NewsPush.Data.Entities;

namespace NewsPush.Web.Interactions;

/// <summary>
/// Takes interaction events off the request path: <see cref="Record"/> only enqueues; a background
/// writer stores them in batches. If the queue is full (a storm), the oldest events are dropped —
/// they are training signal, not records anyone is owed.
/// </summary>
public sealed class InteractionRecorder
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
            db.Interactions.AddRange(batch);
            await db.SaveChangesAsync(ct);
        }
        finally
        {
            flushing.Release();
        }
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
