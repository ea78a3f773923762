using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NewsPush.Web.Newsroom;

namespace NewsPush.Web.Areas.Admin.Controllers;

[Area("Admin"), Authorize(Policy = NewsroomServiceCollectionExtensions.AdminPolicy), Route("admin")]
public sealed class HomeController : Controller
{
    [HttpGet("")]
    public IActionResult Index() => RedirectToAction("Index", "Users", new { area = "Admin" });
}
