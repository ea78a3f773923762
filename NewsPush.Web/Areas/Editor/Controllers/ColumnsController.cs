using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NewsPush.Web.Areas.Editor.Models;
using NewsPush.Web.Newsroom;

namespace NewsPush.Web.Areas.Editor.Controllers;

[Area("Editor"), Authorize(Policy = NewsroomServiceCollectionExtensions.EditorPolicy), Route("editor/columns")]
public sealed class ColumnsController(ColumnService columns) : Controller
{
    [HttpGet("")]
    public async Task<IActionResult> Index(CancellationToken ct) => View(new ColumnsViewModel(await columns.ListAsync(ct), TempData["Message"] as string));

    [HttpPost("")]
    public async Task<IActionResult> Create([Required, StringLength(100)] string name, [StringLength(100)] string? slug, [StringLength(500)] string? description, CancellationToken ct) =>
        Done(ModelState.IsValid ? await columns.CreateAsync(name, slug, description, User, ct) : "Give the column a name (up to 100 characters).", "Column created.");

    [HttpPost("{id:int}/rename")]
    public async Task<IActionResult> Rename(int id, [Required, StringLength(100)] string name, [StringLength(500)] string? description, CancellationToken ct) =>
        Done(ModelState.IsValid ? await columns.RenameAsync(id, name, description, User, ct) : "Give the column a name (up to 100 characters).", "Column renamed.");

    [HttpPost("{id:int}/move")]
    public async Task<IActionResult> Move(int id, int offset, CancellationToken ct) => Done(await columns.MoveAsync(id, offset, User, ct), "Order changed.");

    [HttpPost("{id:int}/visibility")]
    public async Task<IActionResult> Visibility(int id, bool hidden, CancellationToken ct) =>
        Done(await columns.SetHiddenAsync(id, hidden, User, ct), hidden ? "Column hidden." : "Column shown.");

    private RedirectToActionResult Done(string? error, string success)
    {
        TempData["Message"] = error ?? success;
        return RedirectToAction(nameof(Index));
    }
}
