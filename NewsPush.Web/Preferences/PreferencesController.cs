using NewsPush.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace NewsPush.Web.Preferences;

/// <summary>The reader's push preferences, and the login-free one-click unsubscribe.</summary>
public sealed class PreferencesController(PreferencesService preferences, UnsubscribeTokens tokens) : Controller
{
    [Authorize, HttpGet("preferences")]
    public async Task<IActionResult> Edit(bool saved = false, CancellationToken ct = default)
    {
        var model = await preferences.GetAsync(User.RequiredUserId(), ct);
        model.Saved = saved;
        return View(model);
    }

    [Authorize, HttpPost("preferences")]
    public async Task<IActionResult> Edit(PreferencesViewModel model, CancellationToken ct)
    {
        if (!ModelState.IsValid)
        {
            await preferences.FillChoicesAsync(model, ct);
            return View(model);
        }
        await preferences.SaveAsync(User.RequiredUserId(), model, ct);
        return RedirectToAction(nameof(Edit), new { saved = true });
    }

    /// <summary>The link in the e-mail body: a page with one button (link scanners must not unsubscribe anyone).</summary>
    [HttpGet("unsubscribe")]
    public IActionResult Unsubscribe(string? token)
    {
        var valid = tokens.ReadUserId(token) is not null;
        Response.StatusCode = valid ? 200 : 400;
        return View("Unsubscribe", new UnsubscribeViewModel(token ?? "", valid, Done: false));
    }

    /// <summary>RFC 8058 one-click (the mail client POSTs "List-Unsubscribe=One-Click") and the page's button.</summary>
    [HttpPost("unsubscribe"), IgnoreAntiforgeryToken]
    public async Task<IActionResult> UnsubscribeConfirmed([FromQuery] string? token, [FromForm(Name = "token")] string? formToken, CancellationToken ct)
    {
        var t = token ?? formToken;
        var userId = tokens.ReadUserId(t);
        if (userId is null || !await preferences.UnsubscribeEmailAsync(userId, ct))
        {
            Response.StatusCode = 400;
            return View("Unsubscribe", new UnsubscribeViewModel(t ?? "", Valid: false, Done: false));
        }
        return View("Unsubscribe", new UnsubscribeViewModel(t!, Valid: true, Done: true));
    }
}

public sealed record UnsubscribeViewModel(string Token, bool Valid, bool Done);
