namespace NewsPush.Web.Infrastructure.Realtime;

/// <summary>
/// Live nudges are hints sent after the database commit: they never fail or hold up the request. A send that
/// throws (Redis down behind the SignalR backplane) or takes longer than <see cref="Timeout"/> is logged and
/// dropped; open pages re-read the unread count when their connection comes back.
/// </summary>
public static partial class Nudges
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    /// <summary>False when the nudge was not sent (callers with many stop trying for this batch).</summary>
    public static async Task<bool> TrySendAsync(Func<Task> send, ILogger logger)
    {
        Task task;
        try
        {
            task = send();
        }
        catch (Exception ex)
        {
            LogFailed(logger, ex);
            return false;
        }
        try
        {
            await task.WaitAsync(Timeout);
            return true;
        }
        catch (Exception ex)
        {
            // The send may still be running: observe its end so its exception is not left unobserved.
            _ = task.ContinueWith(t => _ = t.Exception, TaskScheduler.Default);
            LogFailed(logger, ex);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Live nudge not sent (best effort; badges re-read the count on reconnect)")]
    private static partial void LogFailed(ILogger logger, Exception ex);
}
