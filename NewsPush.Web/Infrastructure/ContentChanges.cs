using Microsoft.Extensions.Primitives;

namespace NewsPush.Web.Infrastructure;

/// <summary>
/// "The published content changed" (an article, column or comment was saved): a change token that memory-cache entries
/// built from content expire with. <c>ReaderCache</c> signals it (on this node, and on the others when they are told);
/// features below the reader site (the fallback recommender) cache with it without depending on the reader site.
/// </summary>
public sealed class ContentChanges
{
    private CancellationTokenSource source = new();

    public IChangeToken Token => new CancellationChangeToken(Volatile.Read(ref source).Token);

    public void Signal()
    {
        var old = Interlocked.Exchange(ref source, new CancellationTokenSource());
        old.Cancel();
        old.Dispose();
    }
}
