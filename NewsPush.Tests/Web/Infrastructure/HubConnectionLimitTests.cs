using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using NewsPush.Tests.Infrastructure;
using NewsPush.Web.Infrastructure.Realtime;

namespace NewsPush.Tests.Web.Infrastructure;

/// <summary>The site allowing three hub connections per user.</summary>
public sealed class HubLimitFactory : NewsPushFactory
{
    public HubLimitFactory() : base(TestDatabase.Sqlite) => Settings["Realtime:MaxConnectionsPerUser"] = "3";
}

/// <summary>One account cannot hold an unlimited number of live-badge connections.</summary>
public sealed class HubConnectionLimitTests(HubLimitFactory factory) : IClassFixture<HubLimitFactory>
{
    private static Task<Exception?> ClosedAsync(HubConnection connection)
    {
        var closed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.Closed += e =>
        {
            closed.TrySetResult(e);
            return Task.CompletedTask;
        };
        return closed.Task;
    }

    /// <summary>The server counts a connection once its OnConnectedAsync ran, a moment after the client's start returns.</summary>
    private static async Task OpenBecomesAsync(HubConnectionLimiter limiter, string userId, int expected)
    {
        for (var i = 0; i < 1500 && limiter.OpenFor(userId) != expected; i++)
        {
            await Task.Delay(20);
        }
        Assert.Equal(expected, limiter.OpenFor(userId));
    }

    [Fact]
    public async Task ConnectionPastTheLimitIsClosedAndAFreedPlaceCanBeUsedAgain()
    {
        var reader = await factory.CreateUserAsync($"hub-{Guid.NewGuid():N}@test.local");
        var other = await factory.CreateUserAsync($"hubo-{Guid.NewGuid():N}@test.local");
        using var client = await factory.CreateLoggedInClientAsync(reader.Email!);
        using var otherClient = await factory.CreateLoggedInClientAsync(other.Email!);
        var limiter = factory.Services.GetRequiredService<HubConnectionLimiter>();
        var open = new List<HubConnection>();
        for (var i = 0; i < 3; i++)
        {
            var c = factory.NotificationHubConnection(client);
            await c.StartAsync();
            open.Add(c);
        }
        await OpenBecomesAsync(limiter, reader.Id, 3);

        await using var extra = factory.NotificationHubConnection(client);
        var extraClosed = ClosedAsync(extra);
        try
        {
            await extra.StartAsync();
        }
        catch (Exception)
        {
            // Refused during the start: as good as closed right after it.
        }
        if (extra.State != HubConnectionState.Disconnected)
        {
            var error = await extraClosed.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Contains(NotificationHub.TooManyConnections, error?.Message, StringComparison.Ordinal);
        }
        Assert.Equal(HubConnectionState.Disconnected, extra.State);
        await OpenBecomesAsync(limiter, reader.Id, 3);

        // Another reader is not affected.
        await using var others = factory.NotificationHubConnection(otherClient);
        await others.StartAsync();
        Assert.Equal(HubConnectionState.Connected, others.State);

        // Closing a tab frees a place.
        await open[0].DisposeAsync();
        await OpenBecomesAsync(limiter, reader.Id, 2);
        await using var again = factory.NotificationHubConnection(client);
        await again.StartAsync();
        Assert.Equal(HubConnectionState.Connected, again.State);
        await OpenBecomesAsync(limiter, reader.Id, 3);
        foreach (var c in open.Skip(1))
        {
            await c.DisposeAsync();
        }
    }
}
