using NewsPush.Data.Entities;
using NewsPush.Web.Newsroom;

namespace NewsPush.Tests.Web.Editor;

/// <summary>The state machine itself: every (status, action) pair is either in the table or refused.</summary>
public sealed class ArticleWorkflowTests
{
    private static readonly DateTime Now = new(2026, 11, 25, 12, 0, 0, DateTimeKind.Utc);

    private static readonly HashSet<(ArticleStatus, WorkflowAction)> Legal =
    [
        (ArticleStatus.Draft, WorkflowAction.Submit),
        (ArticleStatus.InReview, WorkflowAction.ReturnToDraft),
        (ArticleStatus.InReview, WorkflowAction.Schedule),
        (ArticleStatus.InReview, WorkflowAction.Publish),
        (ArticleStatus.Scheduled, WorkflowAction.Publish),
        (ArticleStatus.Scheduled, WorkflowAction.Unschedule),
        (ArticleStatus.Published, WorkflowAction.Archive),
        (ArticleStatus.Archived, WorkflowAction.Restore),
    ];

    public static TheoryData<ArticleStatus, WorkflowAction> AllPairs()
    {
        var data = new TheoryData<ArticleStatus, WorkflowAction>();
        foreach (var s in Enum.GetValues<ArticleStatus>())
        {
            foreach (var a in Enum.GetValues<WorkflowAction>())
            {
                data.Add(s, a);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(AllPairs))]
    public void AppliesLegalTransitionsAndRefusesEveryOther(ArticleStatus from, WorkflowAction action)
    {
        var article = new Article { Status = from, Title = "t", ScheduledAt = from == ArticleStatus.Scheduled ? Now.AddHours(1) : null };
        var error = ArticleWorkflow.Apply(article, action, Now, Now.AddHours(2));
        if (Legal.Contains((from, action)))
        {
            Assert.Null(error);
            Assert.Equal(ArticleWorkflow.Target(action), article.Status);
        }
        else
        {
            Assert.NotNull(error);
            Assert.Equal(from, article.Status);
        }
    }

    [Fact]
    public void RefusesSchedulingInThePast()
    {
        var article = new Article { Status = ArticleStatus.InReview };
        Assert.NotNull(ArticleWorkflow.Apply(article, WorkflowAction.Schedule, Now, Now.AddMinutes(-1)));
        Assert.Equal(ArticleStatus.InReview, article.Status);
    }

    [Fact]
    public void PublishingSetsPublishedAtAndClearsSchedule()
    {
        var article = new Article { Status = ArticleStatus.Scheduled, ScheduledAt = Now.AddHours(1) };
        Assert.Null(ArticleWorkflow.Apply(article, WorkflowAction.Publish, Now));
        Assert.Equal(Now, article.PublishedAt);
        Assert.Null(article.ScheduledAt);
    }
}
