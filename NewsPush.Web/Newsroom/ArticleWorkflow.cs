using NewsPush.Data.Entities;

namespace NewsPush.Web.Newsroom;

public enum WorkflowAction { Submit, ReturnToDraft, Schedule, Publish, Unschedule, Archive, Restore }

/// <summary>
/// The article workflow, in one place: draft → in review → scheduled or published → archived.
/// Anything not in the table is refused.
/// </summary>
public static class ArticleWorkflow
{
    private static readonly Dictionary<WorkflowAction, (ArticleStatus[] From, ArticleStatus To)> Transitions = new()
    {
        [WorkflowAction.Submit] = ([ArticleStatus.Draft], ArticleStatus.InReview),
        [WorkflowAction.ReturnToDraft] = ([ArticleStatus.InReview], ArticleStatus.Draft),
        [WorkflowAction.Schedule] = ([ArticleStatus.InReview], ArticleStatus.Scheduled),
        [WorkflowAction.Publish] = ([ArticleStatus.InReview, ArticleStatus.Scheduled], ArticleStatus.Published),
        [WorkflowAction.Unschedule] = ([ArticleStatus.Scheduled], ArticleStatus.InReview),
        [WorkflowAction.Archive] = ([ArticleStatus.Published], ArticleStatus.Archived),
        [WorkflowAction.Restore] = ([ArticleStatus.Archived], ArticleStatus.Draft),
    };

    public static bool CanApply(ArticleStatus from, WorkflowAction action) =>
        Transitions.TryGetValue(action, out var t) && t.From.Contains(from);

    public static ArticleStatus Target(WorkflowAction action) => Transitions[action].To;

    /// <summary>The actions an article in <paramref name="status"/> offers, for the editor's buttons.</summary>
    public static IReadOnlyList<WorkflowAction> ActionsFrom(ArticleStatus status) =>
        Transitions.Where(t => t.Value.From.Contains(status)).Select(t => t.Key).ToList();

    /// <summary>Applies <paramref name="action"/> to the article, or says why it cannot.</summary>
    public static string? Apply(Article article, WorkflowAction action, DateTime now, DateTime? scheduledAt = null)
    {
        if (!CanApply(article.Status, action))
        {
            return $"An article that is {Describe(article.Status)} cannot be {Past(action)}.";
        }
        switch (action)
        {
            case WorkflowAction.Schedule:
                if (scheduledAt is null || scheduledAt <= now)
                {
                    return "Choose a publication time in the future to schedule the article.";
                }
                article.ScheduledAt = scheduledAt;
                break;
            case WorkflowAction.Publish:
                article.PublishedAt = now;
                article.ScheduledAt = null;
                break;
            case WorkflowAction.Unschedule:
                article.ScheduledAt = null;
                break;
            case WorkflowAction.Restore:
                article.PublishedAt = null;
                break;
        }
        article.Status = Target(action);
        article.UpdatedAt = now;
        return null;
    }

    public static string Describe(ArticleStatus status) => status switch
    {
        ArticleStatus.Draft => "a draft",
        ArticleStatus.InReview => "in review",
        ArticleStatus.Scheduled => "scheduled",
        ArticleStatus.Published => "published",
        ArticleStatus.Archived => "archived",
        _ => status.ToString(),
    };

    public static string Label(WorkflowAction action) => action switch
    {
        WorkflowAction.Submit => "Submit for review",
        WorkflowAction.ReturnToDraft => "Return to draft",
        WorkflowAction.Schedule => "Schedule",
        WorkflowAction.Publish => "Publish now",
        WorkflowAction.Unschedule => "Unschedule",
        WorkflowAction.Archive => "Archive",
        WorkflowAction.Restore => "Restore as draft",
        _ => action.ToString(),
    };

    private static string Past(WorkflowAction action) => action switch
    {
        WorkflowAction.Submit => "submitted for review",
        WorkflowAction.ReturnToDraft => "returned to draft",
        WorkflowAction.Schedule => "scheduled",
        WorkflowAction.Publish => "published",
        WorkflowAction.Unschedule => "unscheduled",
        WorkflowAction.Archive => "archived",
        WorkflowAction.Restore => "restored",
        _ => action.ToString(),
    };
}
