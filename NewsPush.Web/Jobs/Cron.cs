using Quartz;

namespace NewsPush.Web.Jobs;

/// <summary>Quartz cron syntax checks shared by options validation and the schedule editor.</summary>
public static class Cron
{
    public static bool IsValid(string? expression)
    {
        if (string.IsNullOrWhiteSpace(expression))
        {
            return false;
        }
        try
        {
            CronExpression.Parse(expression.Trim());
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
