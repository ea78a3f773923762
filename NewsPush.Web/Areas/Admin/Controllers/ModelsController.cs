using NewsPush.Web.Infrastructure;
using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Recommender.Evaluation;
using NewsPush.Web.Areas.Admin.Models;
using NewsPush.Web.Recommendations;
using Quartz;

namespace NewsPush.Web.Areas.Admin.Controllers;

/// <summary>Model versions with their offline metrics next to the baselines; activate, roll back, retrain.</summary>
[Area("Admin")]
[Authorize(Roles = Roles.Admin)]
[Route("admin/models")]
public sealed class ModelsController(NewsPushDbContext db, ModelTrainingService training, ISchedulerFactory schedulers, TimeProvider clock) : Controller
{
    [HttpGet("")]
    public async Task<IActionResult> Index(CancellationToken ct)
    {
        var versions = await db.ModelVersions.AsNoTracking().OrderByDescending(m => m.CreatedAt).Take(100).ToListAsync(ct);
        var rows = versions.Select(m => new ModelVersionRowViewModel(m.Id, m.Version, m.Trainer, m.CreatedAt, m.TrainingExamples,
            m.Auc, m.Mrr, m.Ndcg5, m.Ndcg10, m.BeatBaselines, m.IsActive, m.ActivatedAt, Baselines(m.MetricsJson))).ToList();
        return View(new ModelVersionsViewModel(rows, TempData["Message"] as string));
    }

    [HttpPost("{id:int}/activate")]
    public async Task<IActionResult> Activate(int id, CancellationToken ct)
    {
        var version = await db.ModelVersions.AsNoTracking().Where(m => m.Id == id).Select(m => m.Version).FirstOrDefaultAsync(ct);
        if (version is null)
        {
            return NotFound();
        }
        if (!await training.ActivateAsync(id, ct))
        {
            TempData["Message"] = $"Model {version} cannot be activated: its files are missing from the model folder.";
            return RedirectToAction(nameof(Index));
        }
        await AuditAsync("model.activate", version, ct);
        TempData["Message"] = $"Model {version} is now active.";
        return RedirectToAction(nameof(Index));
    }

    [HttpPost("deactivate")]
    public async Task<IActionResult> Deactivate(CancellationToken ct)
    {
        await training.DeactivateAllAsync(ct);
        await AuditAsync("model.deactivate", null, ct);
        TempData["Message"] = "No model is active: readers get popular-and-fresh lists.";
        return RedirectToAction(nameof(Index));
    }

    [HttpPost("train")]
    public async Task<IActionResult> Train(CancellationToken ct)
    {
        var scheduler = await schedulers.GetScheduler(ct);
        if (await scheduler.GetJobDetail(RetrainModelJob.Key, ct) is null)
        {
            TempData["Message"] = "Scheduled retraining is disabled (Recommender:RetrainEnabled); train from the command line.";
            return RedirectToAction(nameof(Index));
        }
        await scheduler.TriggerJob(RetrainModelJob.Key, ct);
        await AuditAsync("model.train", null, ct);
        TempData["Message"] = "Training started; the new version appears here when it finishes.";
        return RedirectToAction(nameof(Index));
    }

    private async Task AuditAsync(string action, string? version, CancellationToken ct)
    {
        db.AuditLog.Add(new AuditLogEntry
        {
            ActorId = User.UserId(),
            ActorName = User.Identity?.Name,
            Action = action,
            EntityType = nameof(ModelVersion),
            EntityId = version,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        });
        await db.SaveChangesAsync(ct);
    }

    private static List<MetricRow> Baselines(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.TryGetProperty(nameof(EvaluationReport.Baselines), out var b)
                ? b.Deserialize<List<MetricRow>>() ?? []
                : [];
        }
        catch (JsonException)
        {
            return [];
        }
    }
}
