using NewsPush.Recommender.Evaluation;

namespace NewsPush.Web.Areas.Admin.Models;

public sealed record ModelVersionRowViewModel(
    int Id, string Version, string Trainer, DateTime CreatedAt, int TrainingExamples,
    double Auc, double Mrr, double Ndcg5, double Ndcg10, bool BeatBaselines, bool IsActive, DateTime? ActivatedAt,
    IReadOnlyList<MetricRow> Baselines);

public sealed record ModelVersionsViewModel(IReadOnlyList<ModelVersionRowViewModel> Versions, string? Message);
