namespace NewsPush.Web.Webhooks;

/// <summary>
/// The typed HttpClient robots are sent through: its handler connects only to addresses <see cref="WebhookAddressPolicy"/>
/// allows (checked at connect time) and never follows a redirect. Never throws for what the robot answers.
/// </summary>
public sealed class WebhookClient(HttpClient http)
{
    public async Task<RobotReply> SendAsync(RobotTarget robot, RobotPost post, DateTimeOffset now, CancellationToken ct)
    {
        using var request = RobotMessages.Build(robot, post, now);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            var body = await ReadAsync(response, ct);
            var retryAfter = response.Headers.RetryAfter switch
            {
                { Delta: { } delta } => delta,
                { Date: { } date } => date - now,
                _ => response.Headers.TryGetValues("x-ogw-ratelimit-reset", out var reset) && int.TryParse(reset.FirstOrDefault(), out var seconds)
                    ? TimeSpan.FromSeconds(seconds) : (TimeSpan?)null,
            };
            return RobotReplies.Read(robot.Kind, response.StatusCode, retryAfter is { } r && r < TimeSpan.Zero ? TimeSpan.Zero : retryAfter, body, response.Headers.Location);
        }
        catch (HttpRequestException ex) when (ex is WebhookAddressRefusedException || ex.InnerException is WebhookAddressRefusedException)
        {
            var refused = ex as WebhookAddressRefusedException ?? (WebhookAddressRefusedException)ex.InnerException!;
            return new RobotReply(RobotVerdict.NeedsFix, refused.Message);
        }
        catch (HttpRequestException ex)
        {
            return new RobotReply(RobotVerdict.Transient, $"The robot's service cannot be reached: {ex.Message}");
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return new RobotReply(RobotVerdict.Transient, "The robot's service did not answer in time.");
        }
    }

    /// <summary>At most 4 KB of the answer: enough for any provider's error, never a whole page.</summary>
    private static async Task<string> ReadAsync(HttpResponseMessage response, CancellationToken ct)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        var buffer = new byte[4096];
        var read = 0;
        int n;
        while (read < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(read), ct)) > 0)
        {
            read += n;
        }
        return System.Text.Encoding.UTF8.GetString(buffer, 0, read).Trim();
    }
}
