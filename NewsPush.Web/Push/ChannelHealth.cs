using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NewsPush.Data;
using NewsPush.Data.Entities;

namespace NewsPush.Web.Push;

/// <summary>
/// The circuit breaker per channel, kept in <see cref="ChannelState"/> rows so every node sees the same state.
/// A fault pauses the channel: its deliveries wait without spending attempts. When <see cref="ChannelState.NextProbeAt"/>
/// comes, one node at a time (a conditional UPDATE is the lock) sends one delivery as a probe; success resumes the
/// channel, failure doubles the wait up to <see cref="DeliveryOptions.ProbeMaxSeconds"/>. A configuration fault
/// also tells every admin in their inbox, once per pause.
/// </summary>
public sealed partial class ChannelHealth(
    NewsPushDbContext db, TimeProvider clock, IOptions<DeliveryOptions> options, IEnumerable<IChannelPauseListener> listeners, ILogger<ChannelHealth> logger)
{
    public Task<List<ChannelState>> ListAsync(CancellationToken ct) => db.ChannelStates.AsNoTracking().OrderBy(c => c.Channel).ToListAsync(ct);

    /// <summary>Channels whose deliveries must not be claimed now (paused and not yet due for a probe, or probing on some node).</summary>
    public async Task<HashSet<DeliveryChannel>> PausedAsync(CancellationToken ct) =>
        (await db.ChannelStates.AsNoTracking().Where(c => c.IsPaused).Select(c => c.Channel).ToListAsync(ct)).ToHashSet();

    /// <summary>Takes the probe of a paused channel whose probe time has come; false when not due or another node has it.</summary>
    public async Task<bool> TryTakeProbeAsync(DeliveryChannel channel, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var until = now.AddSeconds(options.Value.LeaseSeconds);
        return await db.ChannelStates
            .Where(c => c.Channel == channel && c.IsPaused && c.NextProbeAt <= now && (c.ProbeLeaseUntil == null || c.ProbeLeaseUntil <= now))
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.ProbeLeaseUntil, until), ct) == 1;
    }

    /// <summary>Paused channels whose probe time has come.</summary>
    public async Task<List<DeliveryChannel>> DueForProbeAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return await db.ChannelStates.AsNoTracking()
            .Where(c => c.IsPaused && c.NextProbeAt <= now && (c.ProbeLeaseUntil == null || c.ProbeLeaseUntil <= now))
            .Select(c => c.Channel).ToListAsync(ct);
    }

    /// <summary>Pauses the channel, or keeps it paused with a longer wait after a failed probe.</summary>
    public async Task PauseAsync(DeliveryChannel channel, ChannelFault fault, CancellationToken ct)
    {
        var o = options.Value;
        var now = clock.GetUtcNow().UtcDateTime;
        var state = await FindOrAddAsync(channel, ct);
        var newlyPaused = !state.IsPaused;
        var newlyMisconfigured = fault.Kind == ChannelPauseKind.Configuration && (newlyPaused || state.PauseKind != ChannelPauseKind.Configuration);
        state.FailedProbes = newlyPaused ? 0 : state.FailedProbes + 1;
        var wait = Math.Min(o.ProbeBaseSeconds * Math.Pow(2, Math.Min(state.FailedProbes, 20)), o.ProbeMaxSeconds);
        state.IsPaused = true;
        state.PauseKind = fault.Kind;
        state.PausedAt = newlyPaused ? now : state.PausedAt;
        state.NextProbeAt = now.AddSeconds(wait);
        state.ProbeLeaseUntil = null;
        state.LastError = Trim(fault.Reason);
        state.LastErrorAt = now;
        state.UpdatedAt = now;
        if (newlyMisconfigured)
        {
            LogMisconfigured(logger, channel, state.LastError);
            await AlertAdminsAsync(channel, state.LastError, now, ct);
        }
        else if (newlyPaused)
        {
            LogPaused(logger, channel, state.LastError, wait);
        }
        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();
        if (newlyPaused || newlyMisconfigured)
        {
            foreach (var listener in listeners)
            {
                await listener.OnPausedAsync(channel, fault, ct);
            }
            db.ChangeTracker.Clear();
        }
    }

    /// <summary>Resumes the channel (after a successful probe, or by an admin); records the success.</summary>
    public async Task ResumeAsync(DeliveryChannel channel, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var resumed = await db.ChannelStates.Where(c => c.Channel == channel && c.IsPaused)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.IsPaused, false).SetProperty(c => c.FailedProbes, 0)
                .SetProperty(c => c.NextProbeAt, (DateTime?)null).SetProperty(c => c.ProbeLeaseUntil, (DateTime?)null)
                .SetProperty(c => c.LastSuccessAt, now).SetProperty(c => c.UpdatedAt, now), ct);
        if (resumed > 0)
        {
            LogResumed(logger, channel);
        }
    }

    /// <summary>Notes a delivered message on a healthy channel (for the admin page); one cheap UPDATE per batch.</summary>
    public Task RecordSuccessAsync(DeliveryChannel channel, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return db.ChannelStates.Where(c => c.Channel == channel).ExecuteUpdateAsync(s => s.SetProperty(c => c.LastSuccessAt, now), ct);
    }

    private async Task<ChannelState> FindOrAddAsync(DeliveryChannel channel, CancellationToken ct)
    {
        if (await db.ChannelStates.SingleOrDefaultAsync(c => c.Channel == channel, ct) is { } found)
        {
            return found;
        }
        db.ChannelStates.Add(new ChannelState { Channel = channel, UpdatedAt = clock.GetUtcNow().UtcDateTime });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another node added it first.
            db.ChangeTracker.Clear();
        }
        return await db.ChannelStates.SingleAsync(c => c.Channel == channel, ct);
    }

    private async Task AlertAdminsAsync(DeliveryChannel channel, string? reason, DateTime now, CancellationToken ct)
    {
        var admins = await (from u in db.Users
                            join ur in db.UserRoles on u.Id equals ur.UserId
                            join r in db.Roles on ur.RoleId equals r.Id
                            where r.Name == Roles.Admin && u.DeletedAt == null
                            select u.Id).Distinct().ToListAsync(ct);
        foreach (var admin in admins)
        {
            db.InboxMessages.Add(new InboxMessage
            {
                UserId = admin, Kind = InboxMessageKind.System, CreatedAt = now, Link = "/admin/deliveries",
                Title = $"The {channel} channel is paused: it needs a fix",
                Body = $"The {channel} service refused NewsPush: {reason}\nDeliveries wait and are not lost. Fix the setting, then resume the channel on the Deliveries page.",
            });
        }
    }

    private static string? Trim(string? s) => s is { Length: > 2000 } ? s[..2000] : s;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Channel {Channel} paused: {Reason}; next probe in {Seconds} s")]
    private static partial void LogPaused(ILogger logger, DeliveryChannel channel, string? reason, double seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Channel {Channel} paused: the service refuses our configuration: {Reason}")]
    private static partial void LogMisconfigured(ILogger logger, DeliveryChannel channel, string? reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Channel {Channel} resumed")]
    private static partial void LogResumed(ILogger logger, DeliveryChannel channel);
}

/// <summary>Hears that a channel paused (a feature that tells people, e.g. robots that receive alerts).</summary>
public interface IChannelPauseListener
{
    Task OnPausedAsync(DeliveryChannel channel, ChannelFault fault, CancellationToken ct);
}

/// <summary>Hears that deliveries of a channel ended Failed or Expired (not tests or alerts themselves).</summary>
public interface IDeliveryFailureListener
{
    Task OnEndedUnsentAsync(DeliveryChannel channel, int count, string? lastError, CancellationToken ct);
}
