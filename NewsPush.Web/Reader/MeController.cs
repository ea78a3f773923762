using NewsPush.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using NewsPush.Data.Entities;
using NewsPush.Web.Infrastructure.Email;

namespace NewsPush.Web.Reader;

/// <summary>The reader's own pages. Every query is scoped to the signed-in user's id from the cookie, never from input.</summary>
[Authorize, Route("me")]
public sealed class MeController(ReaderActivityService activity, UserManager<ApplicationUser> users, IOptions<ReaderOptions> options, IOptions<EmailOptions> email) : Controller
{
    private string UserId => User.RequiredUserId();

    [HttpGet("onboarding")]
    public async Task<IActionResult> Onboarding(CancellationToken ct) => View(await activity.OnboardingAsync(UserId, null, ct));

    [HttpPost("onboarding")]
    public async Task<IActionResult> Onboarding(OnboardingFormModel form, CancellationToken ct)
    {
        if (!ModelState.IsValid || form.ColumnIds.Count + form.TagIds.Count == 0)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return View(await activity.OnboardingAsync(UserId, "Pick at least one column or topic, so your first page is about what you like.", ct));
        }
        await activity.SetInterestsAsync(UserId, form.ColumnIds.Take(100).ToList(), form.TagIds.Take(100).ToList(), ct);
        TempData["Flash"] = "Thanks! Your \"For you\" list now follows your interests.";
        return Redirect("/");
    }

    [HttpGet("bookmarks")]
    public async Task<IActionResult> Bookmarks(int page = 1, CancellationToken ct = default)
    {
        page = Math.Clamp(page, 1, 10_000);
        var (items, pages) = await activity.BookmarksAsync(UserId, page, options.Value.PageSize, ct);
        return View(new BookmarksViewModel(items, new PagerViewModel(page, pages, "/me/bookmarks")));
    }

    [HttpGet("history")]
    public async Task<IActionResult> History(int page = 1, CancellationToken ct = default)
    {
        page = Math.Clamp(page, 1, 10_000);
        var (items, pages) = await activity.HistoryAsync(UserId, page, options.Value.PageSize, ct);
        return View(new HistoryViewModel(items, new PagerViewModel(page, pages, "/me/history")));
    }

    [HttpGet("follows")]
    public async Task<IActionResult> Follows(CancellationToken ct)
    {
        var user = await users.GetUserAsync(User);
        var feedUrl = user?.FeedToken is { } token ? $"{email.Value.BaseUrl(Request)}/feeds/me/{token}.atom" : null;
        return View(await activity.FollowsAsync(UserId, feedUrl, ct));
    }

    /// <summary>Creates a new private feed token (the old link stops working) or revokes it.</summary>
    [HttpPost("feed-token")]
    public async Task<IActionResult> FeedToken(bool revoke)
    {
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }
        user.FeedToken = revoke ? null : FeedService.NewToken();
        await users.UpdateAsync(user);
        TempData["Flash"] = revoke ? "Your private feed link no longer works." : "Your private feed has a new link; the old one no longer works.";
        return Redirect("/me/follows");
    }
}
