using NewsPush.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace NewsPush.Web.Inbox;

/// <summary>The reader's inbox pages (站内信).</summary>
[Authorize, Route("inbox")]
public sealed class InboxController(InboxService inbox) : Controller
{
    private const int PageSize = 20;

    private string UserId => User.RequiredUserId();

    [HttpGet("")]
    public async Task<IActionResult> Index(int page = 1, bool archived = false, CancellationToken ct = default)
    {
        page = Math.Clamp(page, 1, InboxService.MaxPage(PageSize));
        return View(await inbox.ListAsync(UserId, page, PageSize, archived, ct));
    }

    [HttpGet("{kind}/{id:long}")]
    public async Task<IActionResult> Show(string kind, long id, CancellationToken ct)
    {
        if (!InboxKinds.TryParse(kind, out var k))
        {
            return NotFound();
        }
        var model = await inbox.OpenAsync(UserId, k, id, ct);
        return model is null ? NotFound() : View(model);
    }

    /// <summary>A broadcast's link followed from the inbox (a breaking push's click is counted), then the link itself.</summary>
    [HttpGet("broadcast/{id:long}/open")]
    public async Task<IActionResult> FollowLink(long id, CancellationToken ct) =>
        await inbox.FollowLinkAsync(UserId, id, ct) is { } link ? Redirect(link) : NotFound();

    [HttpPost("{kind}/{id:long}/archive")]
    public async Task<IActionResult> Archive(string kind, long id, CancellationToken ct)
    {
        if (!InboxKinds.TryParse(kind, out var k) || !await inbox.ArchiveAsync(UserId, k, id, ct))
        {
            return NotFound();
        }
        return RedirectToAction(nameof(Index));
    }

    [HttpPost("{kind}/{id:long}/read")]
    public async Task<IActionResult> Read(string kind, long id, CancellationToken ct)
    {
        if (!InboxKinds.TryParse(kind, out var k) || !await inbox.MarkReadAsync(UserId, k, id, ct))
        {
            return NotFound();
        }
        return RedirectToAction(nameof(Index));
    }

    [HttpPost("read-all")]
    public async Task<IActionResult> ReadAll(CancellationToken ct)
    {
        await inbox.MarkAllReadAsync(UserId, ct);
        return RedirectToAction(nameof(Index));
    }
}
