using Microsoft.Extensions.Primitives;

namespace NewsPush.Web.Reader;

/// <summary>
/// Expiry signal for cached reader pages: when any article is saved, every cached list and article is
/// dropped at once, so a publish or correction shows immediately (on this node; other nodes within the
/// cache lifetime).
/// </summary>
public sealed class ReaderCache
{
    private CancellationTokenSource source = new();

    public IChangeToken Token => new CancellationChangeToken(Volatile.Read(ref source).Token);

    public void Invalidate()
    {
        var old = Interlocked.Exchange(ref source, new CancellationTokenSource());
        old.Cancel();
        old.Dispose();
    }
}
