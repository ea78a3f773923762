namespace NewsPush.Web.Push;

/// <summary>Wakes the dispatcher as soon as new deliveries are queued, instead of waiting for the next poll.</summary>
public sealed class DeliverySignal
{
    private readonly SemaphoreSlim signal = new(0, 1);

    public void Notify()
    {
        if (signal.CurrentCount == 0)
        {
            try { signal.Release(); } catch (SemaphoreFullException) { }
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => signal.WaitAsync(timeout, ct);
}
