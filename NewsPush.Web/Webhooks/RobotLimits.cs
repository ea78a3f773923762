using NewsPush.Data.Entities;

namespace NewsPush.Web.Webhooks;

/// <summary>
/// Each provider's rate rule (research notes B): DingTalk and WeCom 20 a minute, Feishu 100 a minute and 5 a second,
/// Slack about 1 a second; generic webhooks as configured (60 a minute by default). A configured limit may only be
/// lower than the provider's.
/// </summary>
public readonly record struct RobotLimits(int PerMinute, int? PerSecond)
{
    public static RobotLimits For(WebhookKind kind, int configuredPerMinute)
    {
        var (providerMinute, perSecond) = kind switch
        {
            WebhookKind.DingTalk or WebhookKind.WeCom => (20, (int?)null),
            WebhookKind.Feishu => (100, 5),
            WebhookKind.Slack => (60, 1),
            _ => (int.MaxValue, null),
        };
        var minute = configuredPerMinute > 0 ? Math.Min(configuredPerMinute, providerMinute) : providerMinute == int.MaxValue ? 60 : providerMinute;
        return new RobotLimits(minute, perSecond);
    }

    /// <summary>How many requests may go now, given the times of those sent in the last minute; and when one more may go when none.</summary>
    public int Free(IReadOnlyList<DateTime> sentLastMinute, DateTime now, out DateTime reopensAt)
    {
        var recent = sentLastMinute.Where(t => t > now.AddMinutes(-1)).Order().ToList();
        var free = PerMinute - recent.Count;
        reopensAt = now;
        if (free <= 0)
        {
            // The request that falls out of the window first frees the next slot.
            reopensAt = recent[recent.Count - PerMinute].AddMinutes(1);
            free = 0;
        }
        if (PerSecond is { } perSecond)
        {
            var lastSecond = recent.Where(t => t > now.AddSeconds(-1)).ToList();
            var freeSecond = perSecond - lastSecond.Count;
            if (freeSecond <= 0)
            {
                var secondReopens = lastSecond[lastSecond.Count - perSecond].AddSeconds(1);
                reopensAt = free == 0 && reopensAt > secondReopens ? reopensAt : secondReopens;
                return 0;
            }
            free = Math.Min(free, freeSecond);
        }
        return free;
    }
}
