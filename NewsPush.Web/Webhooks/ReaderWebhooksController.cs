using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NewsPush.Web.Infrastructure;

namespace NewsPush.Web.Webhooks;

/// <summary>Adds and removes a reader's own webhooks from their preferences page (every action checks the owner).</summary>
[Authorize, Route("preferences/webhooks")]
public sealed class ReaderWebhooksController(ReaderWebhooks hooks) : Controller
{
    public const string Anchor = "/preferences#own-webhooks";

    [HttpPost(""), ValidateAntiForgeryToken]
    public async Task<IActionResult> Add(ReaderWebhookForm form, CancellationToken ct)
    {
        if (!ModelState.IsValid)
        {
            TempData["WebhookErrors"] = string.Join("\n", ModelState.Values.SelectMany(v => v.Errors).Select(e => e.ErrorMessage));
            return Redirect(Anchor);
        }
        var (_, secret, errors) = await hooks.AddAsync(User.RequiredUserId(), form, ct);
        if (errors.Count > 0)
        {
            TempData["WebhookErrors"] = string.Join("\n", errors);
            return Redirect(Anchor);
        }
        TempData["WebhookMessage"] = $"\"{form.Name.Trim()}\" was added: your digests{(form.ReceivesBreaking ? " and breaking news" : "")} go there too. \"Send a test\" above tries it.";
        if (secret is not null)
        {
            TempData["WebhookSecret"] = secret;
        }
        return Redirect(Anchor);
    }

    [HttpPost("{id:long}/delete"), ValidateAntiForgeryToken]
    public async Task<IActionResult> Delete(long id, CancellationToken ct)
    {
        if (!await hooks.RemoveAsync(User.RequiredUserId(), id, ct))
        {
            return NotFound();
        }
        TempData["WebhookMessage"] = "The webhook was removed.";
        return Redirect(Anchor);
    }
}
