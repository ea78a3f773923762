using Quartz;

namespace NewsPush.Web.Recommendations;

/// <summary>Scheduled retraining (cron from <see cref="RecommenderOptions.RetrainCron"/>); only delegates.</summary>
[DisallowConcurrentExecution]
public sealed class RetrainModelJob(ModelTrainingService training) : IJob
{
    public static readonly JobKey Key = new("recommender-retrain", "recommender");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken ct) =>
        await training.TrainFromDatabaseAsync(null, ct);
}
