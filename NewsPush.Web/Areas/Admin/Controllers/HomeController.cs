using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NewsPush.Web.Areas.Admin.Models;
using NewsPush.Web.Newsroom;

namespace NewsPush.Web.Areas.Admin.Controllers;

/// <summary>The administration menu: one page that reaches every admin and newsroom page.</summary>
[Area("Admin"), Authorize(Policy = NewsroomServiceCollectionExtensions.AdminPolicy), Route("admin")]
public sealed class HomeController : Controller
{
    [HttpGet("")]
    public IActionResult Index() => View(AdminMenu.Sections);
}
