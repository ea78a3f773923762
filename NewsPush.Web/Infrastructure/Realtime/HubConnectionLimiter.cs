namespace NewsPush.Web.Infrastructure.Realtime;

/// <summary>
/// Open hub connections per user on this node. Each tab holds one; a script opening thousands would hold as many
/// sockets and group entries, so past <see cref="RealtimeOptions.MaxConnectionsPerUser"/> the hub closes the new one.
/// </summary>
public sealed class HubConnectionLimiter
{
    private readonly Dictionary<string, int> open = new(StringComparer.Ordinal);

    public bool TryAcquire(string userId, int limit)
    {
        lock (open)
        {
            var count = open.GetValueOrDefault(userId);
            if (count >= limit)
            {
                return false;
            }
            open[userId] = count + 1;
            return true;
        }
    }

    public void Release(string userId)
    {
        lock (open)
        {
            if (open.TryGetValue(userId, out var count))
            {
                if (count <= 1)
                {
                    open.Remove(userId);
                }
                else
                {
                    open[userId] = count - 1;
                }
            }
        }
    }

    public int OpenFor(string userId)
    {
        lock (open)
        {
            return open.GetValueOrDefault(userId);
        }
    }
}
