namespace NewsPush.Data.Entities;

/// <summary>A trained recommender model with its offline metrics and the baselines' metrics.</summary>
public class ModelVersion
{
    public int Id { get; set; }
    public string Version { get; set; } = "";
    public string Trainer { get; set; } = "";
    public string ModelPath { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    public int TrainingExamples { get; set; }
    public double Auc { get; set; }
    public double Mrr { get; set; }
    public double Ndcg5 { get; set; }
    public double Ndcg10 { get; set; }
    /// <summary>Full metric table (model and baselines) as JSON.</summary>
    public string MetricsJson { get; set; } = "{}";
    public bool IsActive { get; set; }
    public bool BeatBaselines { get; set; }
    public DateTime? ActivatedAt { get; set; }
}

/// <summary>
/// One file of a model version's folder (<c>model.json</c>, <c>model.zip</c>), kept in the database so that every web node
/// can serve the active version, whichever node trained it: a node without the folder writes it from these rows.
/// </summary>
public class ModelVersionFile
{
    public int ModelVersionId { get; set; }
    public ModelVersion? ModelVersion { get; set; }
    public string Name { get; set; } = "";
    public byte[] Content { get; set; } = [];
}

public class AuditLogEntry
{
    public long Id { get; set; }
    public string? ActorId { get; set; }
    public string? ActorName { get; set; }
    public string Action { get; set; } = "";
    public string EntityType { get; set; } = "";
    public string? EntityId { get; set; }
    public string? Details { get; set; }
    public DateTime CreatedAt { get; set; }
}
