using Quartz;

namespace NewsPush.Web.Analytics;

/// <summary>Brings the roll-ups up to date (once across a cluster, never twice at once).</summary>
[DisallowConcurrentExecution]
public sealed partial class RollupJob(RollupBuilder builder, ILogger<RollupJob> logger) : IJob
{
    public static readonly JobKey Key = new("analytics-rollup", "analytics");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken ct)
    {
        var result = await builder.RunAsync(ct);
        if (result.Total > 0)
        {
            LogRolledUp(logger, result.Deliveries, result.Events, result.Interactions);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Analytics roll-up: {Deliveries} deliveries, {Events} delivery events, {Interactions} interactions.")]
    private static partial void LogRolledUp(ILogger logger, long deliveries, long events, long interactions);
}
