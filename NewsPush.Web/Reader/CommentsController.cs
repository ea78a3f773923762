using NewsPush.Data;
using NewsPush.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;

namespace NewsPush.Web.Reader;

[Authorize]
public sealed class CommentsController(ArticleQueries queries, CommentService comments) : Controller
{
    private string UserId => User.RequiredUserId();

    [HttpPost("/article/{slug}/comments"), EnableRateLimiting(RateLimitOptions.CommentPolicy)]
    public async Task<IActionResult> Add(string slug, [Bind(Prefix = "NewComment")] CommentFormModel form, CancellationToken ct)
    {
        var article = await queries.ArticleAsync(slug, ct);
        if (article is null)
        {
            return NotFound();
        }
        if (ModelState.IsValid && string.IsNullOrWhiteSpace(form.Body))
        {
            ModelState.AddModelError("NewComment.Body", "Write something before posting.");
        }
        if (ModelState.IsValid)
        {
            var (result, id) = await comments.AddAsync(UserId, article.Id, form, ct);
            switch (result)
            {
                case CommentResult.Ok:
                    return Redirect($"{Slugs.ArticlePath(slug)}#comment-{id}");
                case CommentResult.Blocked:
                    ModelState.AddModelError("", "A moderator has blocked you from commenting.");
                    break;
                default:
                    ModelState.AddModelError("", "The comment you replied to no longer exists.");
                    break;
            }
        }
        var model = await queries.PageAsync(slug, UserId, form, ct);
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return View("~/Views/Articles/Article.cshtml", model);
    }

    [HttpGet("/comments/{id:long}/edit")]
    public async Task<IActionResult> Edit(long id, CancellationToken ct)
    {
        var model = await comments.ForEditAsync(id, UserId, ct);
        return model is null ? NotFound() : View(model);
    }

    [HttpPost("/comments/{id:long}/edit")]
    public async Task<IActionResult> Edit(long id, [Bind(Prefix = "Form")] CommentFormModel form, CancellationToken ct)
    {
        var existing = await comments.ForEditAsync(id, UserId, ct);
        if (existing is null)
        {
            return NotFound();
        }
        if (!ModelState.IsValid || string.IsNullOrWhiteSpace(form.Body))
        {
            if (ModelState.IsValid)
            {
                ModelState.AddModelError("Form.Body", "Write something before saving.");
            }
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return View(existing with { Form = form });
        }
        var (result, slug) = await comments.EditAsync(id, UserId, form.Body, ct);
        return result == CommentResult.Ok ? Redirect($"{Slugs.ArticlePath(slug!)}#comment-{id}") : NotFound();
    }

    [HttpPost("/comments/{id:long}/delete")]
    public async Task<IActionResult> Delete(long id, CancellationToken ct)
    {
        var (result, slug) = await comments.DeleteAsync(id, UserId, ct);
        return result switch
        {
            CommentResult.Ok => Redirect($"{Slugs.ArticlePath(slug!)}#comments"),
            // Someone else's comment: as if it did not exist.
            _ => NotFound(),
        };
    }

    [HttpGet("/comments/{id:long}/report")]
    public async Task<IActionResult> Report(long id, CancellationToken ct)
    {
        var model = await comments.ForReportAsync(id, ct);
        return model is null ? NotFound() : View(model);
    }

    [HttpPost("/comments/{id:long}/report")]
    public async Task<IActionResult> Report(long id, [Bind(Prefix = "Form")] ReportFormModel form, CancellationToken ct)
    {
        var model = await comments.ForReportAsync(id, ct);
        if (model is null)
        {
            return NotFound();
        }
        if (!ModelState.IsValid || string.IsNullOrWhiteSpace(form.Reason))
        {
            if (ModelState.IsValid)
            {
                ModelState.AddModelError("Form.Reason", "Say briefly what is wrong with this comment.");
            }
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return View(model with { Form = form });
        }
        await comments.ReportAsync(id, UserId, form.Reason, ct);
        TempData["Flash"] = "Thank you. A moderator will look at this comment.";
        return Redirect($"{Slugs.ArticlePath(model.ArticleSlug)}#comment-{id}");
    }
}
