using Quartz;

namespace NewsPush.Web.Jobs;

/// <summary>Quartz cron syntax checks shared by options validation and the schedule editor.</summary>
public static class Cron
{
    public static bool IsValid(string? expression) => Validate(expression) is null;

    /// <summary>Null when <paramref name="expression"/> is a valid Quartz cron expression, else why not, in words for the form.</summary>
    public static string? Validate(string? expression)
    {
        if (string.IsNullOrWhiteSpace(expression))
        {
            return "Enter a cron expression.";
        }
        try
        {
            CronExpression.Parse(expression.Trim());
            return null;
        }
        catch (FormatException e)
        {
            return $"Not a valid Quartz cron expression (seconds minutes hours day-of-month month day-of-week [year]): {e.Message}";
        }
    }
}
