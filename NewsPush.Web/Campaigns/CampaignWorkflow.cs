using System.Globalization;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Web.Infrastructure;
using NewsPush.Web.Jobs;
using NewsPush.Web.Recommendations;
using CronExpression = Quartz.CronExpression;

namespace NewsPush.Web.Campaigns;

/// <summary>What an editor writes in the composer. Times are local to the newsroom's zone.</summary>
public sealed class CampaignForm
{
    public string Title { get; set; } = "";
    public string Message { get; set; } = "";
    public bool IsCritical { get; set; }
    public PushSegment Segment { get; set; }
    public List<int> TargetIds { get; set; } = [];
    public List<string> TimeZones { get; set; } = [];
    public int? ExcludePushedWithinHours { get; set; }
    /// <summary>Predicted interest: the top share of eligible readers by score (1–100 %), or <see cref="PredictedThreshold"/>.</summary>
    public double? PredictedTopPercent { get; set; }
    /// <summary>Predicted interest: the minimum score (the model's, as the preview's samples show it).</summary>
    public double? PredictedThreshold { get; set; }
    /// <summary>A language code ("en", "zh"; only its primary subtag counts) or empty for every language.</summary>
    public string? Language { get; set; }
    /// <summary>"now", "at" (<see cref="SendAt"/>) or "recurring" (<see cref="Cron"/>).</summary>
    public string When { get; set; } = "now";
    public DateTime? SendAt { get; set; }
    public string? Cron { get; set; }
}

/// <summary>
/// The life of a breaking-news push (审核): draft → in review → approved or scheduled → sending → sent, or cancelled.
/// A push needs a second editor's or an admin's approval, never its author's; an admin may send a critical push alone,
/// with a reason. Every transition is in the audit log. Only a draft can be edited.
/// </summary>
public sealed class CampaignWorkflow(
    NewsPushDbContext db, AuditLog audit, CampaignSender sender, IInterestPredictor predictor, IOptions<CampaignOptions> options, TimeProvider clock)
{
    public const int MaxTitle = 120;
    public const int MaxMessage = 400;

    public TimeZoneInfo NewsroomZone => TimeZones.TryFind(options.Value.NewsroomTimeZone, out var z) ? z : TimeZoneInfo.Utc;

    /// <summary>A draft from a published article: its title and summary, editable.</summary>
    public async Task<(PushCampaign? Campaign, string? Error)> CreateDraftAsync(int articleId, ClaimsPrincipal actor, CancellationToken ct)
    {
        var article = await db.Articles.AsNoTracking().SingleOrDefaultAsync(a => a.Id == articleId, ct);
        if (article is null || article.Status != ArticleStatus.Published)
        {
            return (null, "Only a published article can be pushed.");
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var c = new PushCampaign
        {
            ArticleId = article.Id, Title = Texts.Clip(article.Title, MaxTitle), Message = Texts.Clip(article.Summary, MaxMessage), Segment = PushSegment.Everyone,
            Language = LanguageCode(article.Language) ?? "",
            Status = CampaignStatus.Draft, CreatedById = actor.RequiredUserId(), CreatedAt = now, UpdatedAt = now,
        };
        db.PushCampaigns.Add(c);
        await db.SaveChangesAsync(ct);
        audit.Add(actor, "push.create", nameof(PushCampaign), Id(c), $"article {article.Id}");
        await db.SaveChangesAsync(ct);
        return (c, null);
    }

    /// <summary>Saves a draft; the errors name the fields (empty when saved).</summary>
    public async Task<Dictionary<string, string>> UpdateAsync(long id, CampaignForm form, ClaimsPrincipal actor, CancellationToken ct)
    {
        var errors = new Dictionary<string, string>();
        var c = await db.PushCampaigns.SingleOrDefaultAsync(x => x.Id == id, ct);
        if (c is null)
        {
            errors[""] = "No such push.";
            return errors;
        }
        if (c.Status != CampaignStatus.Draft)
        {
            errors[""] = "Only a draft can be changed: send it back to draft first.";
            return errors;
        }
        var now = clock.GetUtcNow().UtcDateTime;
        Validate(form, now, errors, out var sendAtUtc, out var nextRun);
        if (form.Segment == PushSegment.PredictedInterested && !errors.ContainsKey(nameof(form.Segment)) && await predictor.WhyUnavailableAsync(c.ArticleId, ct) is { } why)
        {
            errors[nameof(form.Segment)] = why;
        }
        if (errors.Count > 0)
        {
            return errors;
        }
        c.Title = form.Title.Trim();
        c.Message = form.Message.Trim();
        c.IsCritical = form.IsCritical;
        c.Segment = form.Segment;
        c.TargetIds = string.Join(',', form.TargetIds.Distinct());
        c.SegmentTargetId = form.TargetIds.Count > 0 ? form.TargetIds[0] : null;
        c.TimeZoneFilter = string.Join(',', form.TimeZones.Select(z => z.Trim()).Distinct());
        c.ExcludePushedWithinHours = form.ExcludePushedWithinHours is > 0 ? form.ExcludePushedWithinHours : null;
        var predicted = form.Segment == PushSegment.PredictedInterested;
        c.PredictedTopPercent = predicted ? form.PredictedTopPercent : null;
        c.PredictedThreshold = predicted && form.PredictedTopPercent is null ? form.PredictedThreshold : null;
        c.Language = LanguageCode(form.Language) ?? "";
        c.ScheduledAt = sendAtUtc;
        c.Cron = form.When == "recurring" ? form.Cron!.Trim() : null;
        c.ScheduleTimeZoneId = form.When == "now" ? null : NewsroomZone.Id;
        c.NextRunAt = nextRun;
        c.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
        audit.Add(actor, "push.edit", nameof(PushCampaign), Id(c), c.Title);
        await db.SaveChangesAsync(ct);
        return errors;
    }

    public async Task<string?> SubmitAsync(long id, ClaimsPrincipal actor, CancellationToken ct) =>
        await MoveAsync(id, actor, "push.submit", c => c.Status == CampaignStatus.Draft ? null : "Only a draft can be sent for review.", (c, now) =>
        {
            c.Status = CampaignStatus.PendingApproval;
            c.SubmittedAt = now;
            c.ReviewNote = null;
        }, ct);

    /// <summary>A second editor or an admin approves: it is scheduled, or starts sending now.</summary>
    public async Task<string?> ApproveAsync(long id, ClaimsPrincipal actor, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return await MoveAsync(id, actor, "push.approve", c =>
            c.Status != CampaignStatus.PendingApproval ? "Only a push in review can be approved."
            : c.CreatedById == actor.RequiredUserId() ? "You wrote this push: another editor or an admin must approve it."
            : c.ScheduledAt is { } at && at <= now && c.Cron is null ? "Its time has passed: send it back to draft and choose a new one." : null,
            (c, _) =>
            {
                c.ApprovedById = actor.RequiredUserId();
                c.ApprovedAt = now;
                c.Status = c.Cron is not null || c.ScheduledAt > now ? CampaignStatus.Scheduled : CampaignStatus.Sending;
            }, ct);
    }

    public async Task<string?> SendBackAsync(long id, string? note, ClaimsPrincipal actor, CancellationToken ct) =>
        await MoveAsync(id, actor, "push.send-back", c => c.Status is CampaignStatus.PendingApproval or CampaignStatus.Scheduled ? null : "Only a push in review or scheduled can go back to draft.",
            (c, _) =>
            {
                c.Status = CampaignStatus.Draft;
                c.ReviewNote = string.IsNullOrWhiteSpace(note) ? null : Texts.Clip(note.Trim(), 1000);
                c.ApprovedById = null;
                c.ApprovedAt = null;
            }, ct, note);

    /// <summary>An admin sends a critical push at once, without a second approval, saying why.</summary>
    public async Task<string?> SendCriticalAloneAsync(long id, string? reason, ClaimsPrincipal actor, CancellationToken ct)
    {
        if (!actor.IsInRole(Roles.Admin))
        {
            return "Only an admin may send a push without a second approval.";
        }
        if (string.IsNullOrWhiteSpace(reason))
        {
            return "Say why it cannot wait for a second editor.";
        }
        var now = clock.GetUtcNow().UtcDateTime;
        return await MoveAsync(id, actor, "push.send-critical-alone", c =>
            c.Status is not (CampaignStatus.Draft or CampaignStatus.PendingApproval) ? "Only a draft or a push in review can be sent this way."
            : !c.IsCritical ? "Only a critical push may skip the second approval: mark it critical first." : null,
            (c, _) =>
            {
                c.Status = CampaignStatus.Sending;
                c.ApprovedById = actor.RequiredUserId();
                c.ApprovedAt = now;
                c.CriticalReason = Texts.Clip(reason.Trim(), 500);
                c.ScheduledAt = null;
                c.Cron = null;
                c.NextRunAt = null;
            }, ct, reason);
    }

    /// <summary>Stops the push: nothing more is queued, queued deliveries are withdrawn and the inbox part leaves every inbox; notifications already sent stay sent.</summary>
    public async Task<string?> CancelAsync(long id, ClaimsPrincipal actor, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var error = await MoveAsync(id, actor, "push.cancel", c => c.Status is CampaignStatus.Sent or CampaignStatus.Cancelled ? "This push is already " + c.Status.ToString().ToLowerInvariant() + "." : null,
            (c, _) =>
            {
                c.Status = CampaignStatus.Cancelled;
                c.CancelledAt = now;
                c.CancelledById = actor.RequiredUserId();
                c.NextRunAt = null;
            }, ct);
        if (error is null)
        {
            await sender.SuppressQueuedAsync(id, $"The push was cancelled at {now:yyyy-MM-dd HH:mm} UTC before this went out.", ct);
        }
        return error;
    }

    /// <summary>The next runs of a recurring push, in the newsroom's zone (the composer's preview).</summary>
    public IReadOnlyList<DateTime> NextRuns(string cron, DateTime fromUtc, int count)
    {
        var runs = new List<DateTime>(count);
        if (!Cron.IsValid(cron))
        {
            return runs;
        }
        var expression = new CronExpression(cron.Trim(), NewsroomZone);
        var at = new DateTimeOffset(fromUtc, TimeSpan.Zero);
        while (runs.Count < count && expression.GetNextValidTimeAfter(at) is { } next)
        {
            runs.Add(TimeZoneInfo.ConvertTimeFromUtc(next.UtcDateTime, NewsroomZone));
            at = next;
        }
        return runs;
    }

    /// <summary>The first run of <paramref name="cron"/> in <paramref name="zoneId"/> after <paramref name="afterUtc"/> (UTC), if any.</summary>
    public static DateTime? NextRunUtc(string cron, string? zoneId, DateTime afterUtc) =>
        new CronExpression(cron, TimeZones.TryFind(zoneId, out var z) ? z : TimeZoneInfo.Utc)
            .GetNextValidTimeAfter(new DateTimeOffset(afterUtc, TimeSpan.Zero))?.UtcDateTime;

    private void Validate(CampaignForm form, DateTime now, Dictionary<string, string> errors, out DateTime? sendAtUtc, out DateTime? nextRun)
    {
        sendAtUtc = null;
        nextRun = null;
        if (string.IsNullOrWhiteSpace(form.Title))
        {
            errors[nameof(form.Title)] = "Give the notification a title.";
        }
        else if (form.Title.Trim().Length > MaxTitle)
        {
            errors[nameof(form.Title)] = $"A title has at most {MaxTitle} characters: phones cut longer ones.";
        }
        form.Message ??= "";
        if (form.Message.Trim().Length > MaxMessage)
        {
            errors[nameof(form.Message)] = $"The text has at most {MaxMessage} characters.";
        }
        if (form.Segment is PushSegment.ColumnFollowers or PushSegment.TagFollowers && form.TargetIds.Count == 0)
        {
            errors[nameof(form.TargetIds)] = form.Segment == PushSegment.ColumnFollowers ? "Choose at least one column." : "Choose at least one tag.";
        }
        if (form.Segment == PushSegment.PredictedInterested)
        {
            if (form.PredictedTopPercent is null && form.PredictedThreshold is null)
            {
                errors[nameof(form.PredictedTopPercent)] = "Choose the top share of readers (e.g. 10 %) or a minimum predicted interest.";
            }
            else if (form.PredictedTopPercent is { } top && (double.IsNaN(top) || top <= 0 || top > 100))
            {
                errors[nameof(form.PredictedTopPercent)] = "A share between 0 and 100 %.";
            }
            else if (form.PredictedTopPercent is null && form.PredictedThreshold is { } min && !double.IsFinite(min))
            {
                errors[nameof(form.PredictedThreshold)] = "A minimum score is a number, e.g. 0.5.";
            }
        }
        if (!string.IsNullOrWhiteSpace(form.Language) && LanguageCode(form.Language) is null)
        {
            errors[nameof(form.Language)] = $"\"{form.Language.Trim()}\" is not a language code: use one such as en or zh, or leave it empty for every language.";
        }
        foreach (var zone in form.TimeZones)
        {
            if (!TimeZones.TryFind(zone, out _))
            {
                errors[nameof(form.TimeZones)] = $"\"{zone}\" is not a time zone.";
            }
        }
        if (form.ExcludePushedWithinHours is < 0 or > 168)
        {
            errors[nameof(form.ExcludePushedWithinHours)] = "Between 0 and 168 hours.";
        }
        switch (form.When)
        {
            case "now":
                break;
            case "at" when form.SendAt is { } local:
                var utc = TimeZones.ToUtc(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), NewsroomZone);
                if (utc <= now)
                {
                    errors[nameof(form.SendAt)] = "Choose a time in the future (newsroom time, " + NewsroomZone.Id + ").";
                }
                sendAtUtc = utc;
                break;
            case "at":
                errors[nameof(form.SendAt)] = "Choose when to send it.";
                break;
            case "recurring" when Cron.IsValid(form.Cron):
                nextRun = NextRunUtc(form.Cron!.Trim(), NewsroomZone.Id, now);
                if (nextRun is null)
                {
                    errors[nameof(form.Cron)] = "This schedule never fires again.";
                }
                break;
            case "recurring":
                errors[nameof(form.Cron)] = "Give a Quartz cron schedule, e.g. \"0 30 11,17 ? * FRI\" (Fridays 11:30 and 17:30).";
                break;
            default:
                errors[nameof(form.When)] = "Send now, at a time, or on a schedule.";
                break;
        }
    }

    private async Task<string?> MoveAsync(long id, ClaimsPrincipal actor, string action, Func<PushCampaign, string?> refuse, Action<PushCampaign, DateTime> change,
        CancellationToken ct, string? details = null)
    {
        var c = await db.PushCampaigns.SingleOrDefaultAsync(x => x.Id == id, ct);
        if (c is null)
        {
            return "No such push.";
        }
        if (refuse(c) is { } why)
        {
            return why;
        }
        var from = c.Status;
        var now = clock.GetUtcNow().UtcDateTime;
        change(c, now);
        c.UpdatedAt = now;
        audit.Add(actor, action, nameof(PushCampaign), Id(c), $"{from} → {c.Status}" + (details is null ? "" : ": " + Texts.Clip(details, 200)));
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return "Someone changed this push at the same moment: reload and try again.";
        }
        return null;
    }

    private static string Id(PushCampaign c) => c.Id.ToString(CultureInfo.InvariantCulture);

    /// <summary>The primary subtag of a BCP 47 tag, lower case ("zh-Hans-CN" → "zh"); null when it is not one.</summary>
    public static string? LanguageCode(string? tag) => Languages.Primary(tag);
}
