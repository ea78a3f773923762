using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NewsPush.Web.Newsroom;

namespace NewsPush.Web.Areas.Editor.Controllers;

[Area("Editor"), Authorize(Policy = NewsroomServiceCollectionExtensions.EditorPolicy), Route("editor")]
public sealed class HomeController : Controller
{
    [HttpGet("")]
    public IActionResult Index() => RedirectToAction("Index", "Articles", new { area = "Editor" });
}
