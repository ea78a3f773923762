using NewsPush.Web.Digests;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NewsPush.Web.Areas.Admin.Models;
using NewsPush.Web.Newsroom;

namespace NewsPush.Web.Areas.Admin.Controllers;

[Area("Admin"), Authorize(Policy = NewsroomServiceCollectionExtensions.AdminPolicy), Route("admin/jobs")]
public sealed class JobsController(JobMonitorService jobs, DigestScheduleService schedules) : Controller
{
    [HttpGet("")]
    public async Task<IActionResult> Index(CancellationToken ct) =>
        View(new JobsViewModel(await jobs.ListAsync(ct), await schedules.ListAsync(ct), TempData["Message"] as string));

    [HttpPost("pause")]
    public async Task<IActionResult> Pause(string name, string group, bool pause, CancellationToken ct) =>
        Done(await jobs.PauseAsync(name, group, pause, User, ct), pause ? "Job paused." : "Job resumed.");

    [HttpPost("run")]
    public async Task<IActionResult> Run(string name, string group, CancellationToken ct) =>
        Done(await jobs.RunNowAsync(name, group, User, ct), "Job started.");

    [HttpGet("schedules/{id:int}")]
    public async Task<IActionResult> Schedule(int id, CancellationToken ct)
    {
        var schedule = await schedules.FindAsync(id, ct);
        if (schedule is null)
        {
            return NotFound();
        }
        return View(new ScheduleEditViewModel(schedule.Id, schedule.Name, schedule.CronExpression, schedule.IsEnabled, PreviewOrEmpty(schedule.CronExpression), null));
    }

    /// <summary>Saves the cron, or with <paramref name="preview"/> only shows its next fire times.</summary>
    [HttpPost("schedules/{id:int}")]
    public async Task<IActionResult> Schedule(int id, string cronExpression, bool isEnabled, string? preview, CancellationToken ct)
    {
        var schedule = await schedules.FindAsync(id, ct);
        if (schedule is null)
        {
            return NotFound();
        }
        var error = DigestScheduleService.Validate(cronExpression);
        if (error is null && preview is null)
        {
            error = await schedules.UpdateAsync(id, cronExpression, isEnabled, User, ct);
            if (error is null)
            {
                return Done(null, $"Schedule '{schedule.Name}' saved.");
            }
        }
        if (error is not null)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }
        return View(new ScheduleEditViewModel(id, schedule.Name, cronExpression ?? "", isEnabled, error is null ? PreviewOrEmpty(cronExpression!) : [], error));
    }

    private IReadOnlyList<DateTimeOffset> PreviewOrEmpty(string cron) => DigestScheduleService.Validate(cron) is null ? schedules.Preview(cron) : [];

    private RedirectToActionResult Done(string? error, string success)
    {
        TempData["Message"] = error ?? success;
        return RedirectToAction(nameof(Index));
    }
}
