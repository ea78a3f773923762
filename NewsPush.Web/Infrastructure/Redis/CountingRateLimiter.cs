using System.Diagnostics;
using System.Threading.RateLimiting;

namespace NewsPush.Web.Infrastructure.Redis;

/// <summary>
/// A fixed-window limiter for ASP.NET Core's rate-limiting policies whose counts are <see cref="RateCounters"/> (shared by
/// every node when Redis is configured). Counting may need a round trip, so the synchronous attempt never grants: the
/// middleware then asks <see cref="AcquireAsyncCore"/>, which counts once. All state is in the counters, so the
/// partitioned limiter may drop an idle instance at any time.
/// </summary>
public sealed class CountingRateLimiter(RateCounters counters, TimeProvider clock, string key, int permitLimit, TimeSpan window) : RateLimiter
{
    private long lastUsed = Stopwatch.GetTimestamp();

    public override TimeSpan? IdleDuration => Stopwatch.GetElapsedTime(Interlocked.Read(ref lastUsed));

    public override RateLimiterStatistics? GetStatistics() => null;

    protected override RateLimitLease AttemptAcquireCore(int permitCount) => Lease.NotYet;

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref lastUsed, Stopwatch.GetTimestamp());
        if (permitCount == 0)
        {
            return Lease.Granted;
        }
        var (count, ends) = await counters.HitAsync(key, window);
        if (count <= permitLimit)
        {
            return Lease.Granted;
        }
        var wait = ends - clock.GetUtcNow();
        return new Lease(false, wait > TimeSpan.Zero ? wait : TimeSpan.FromSeconds(1));
    }

    private sealed class Lease(bool acquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public static readonly Lease Granted = new(true, null);
        public static readonly Lease NotYet = new(false, null);

        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = metadataName == MetadataName.RetryAfter.Name ? retryAfter : null;
            return metadata is not null;
        }
    }
}
