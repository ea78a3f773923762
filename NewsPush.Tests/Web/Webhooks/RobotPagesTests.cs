using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NewsPush.Tests.Infrastructure;
using NewsPush.Web.Webhooks;

namespace NewsPush.Tests.Web.Webhooks;

/// <summary>
/// The newsroom's robot pages with production address rules (private networks not allowed): who may use them, what
/// they refuse and say, and that credentials never come back to the page.
/// </summary>
public sealed class RobotPagesTests(PublicDnsFactory factory) : IClassFixture<PublicDnsFactory>
{
    private static Dictionary<string, string> Form(string name, string kind, string url, string? secret = null) => new()
    {
        ["Name"] = name, ["Kind"] = kind, ["Url"] = url, ["Secret"] = secret ?? "", ["Keyword"] = "", ["MaxPerMinute"] = "0",
        ["ReceivesBreaking"] = "true", ["IsActive"] = "true",
    };

    [Theory]
    [InlineData("https://127.0.0.1/robot/send?access_token=a", "127.0.0.1 is a private or local address")]
    [InlineData("https://10.0.0.1/robot/send?access_token=a", "10.0.0.1 is a private or local address")]
    [InlineData("https://169.254.169.254/robot/send?access_token=a", "169.254.169.254 is a private or local address")]
    [InlineData("https://[::1]/robot/send?access_token=a", "[::1] is a private or local address")]
    [InlineData("https://localhost/robot/send?access_token=a", "localhost is a private or local address (127.0.0.1)")]
    [InlineData("https://intranet.example/robot/send?access_token=a", "intranet.example is a private or local address (10.1.2.3)")]
    [InlineData("https://nowhere.invalid/robot/send?access_token=a", "The host nowhere.invalid cannot be found.")]
    [InlineData("http://oapi.dingtalk.com/robot/send?access_token=a", "Only https:// addresses are allowed.")]
    [InlineData("https://user:pw@oapi.dingtalk.com/robot/send?access_token=a", "must not contain a user name or password")]
    [InlineData("https://oapi.dingtalk.com/robot/send", "A DingTalk robot URL ends in /robot/send?access_token=")]
    public async Task AnAddressThatIsNotPublicOrNotTheProvidersIsRefusedInWords(string url, string message)
    {
        using var client = await factory.CreateLoggedInClientAsync(NewsPushFactory.EditorEmail);
        var response = await client.PostFormAsync("/newsroom/robots/new", Form("Risky", "DingTalk", url, "SEC123"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(WebUtility.HtmlEncode(message), await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(await factory.WithDbAsync(db => db.WebhookEndpoints.AnyAsync(w => w.Name == "Risky")));
    }

    [Fact]
    public async Task ADigestNeedsATimeAndAKnownZoneAndIsListedOnceSaved()
    {
        using var editor = await factory.CreateLoggedInClientAsync(NewsPushFactory.EditorEmail);
        var column = await factory.WithDbAsync(db => db.Columns.OrderBy(c => c.Id).Select(c => new { c.Id, c.Name }).FirstAsync());
        var form = Form("Tech group", "WeCom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc-123");
        form["DigestColumnId"] = column.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        form["DigestLocalTime"] = "";
        form["DigestTimeZoneId"] = "Mars/Olympus";
        var refused = WebUtility.HtmlDecode(await (await editor.PostFormAsync("/newsroom/robots/new", form)).Content.ReadAsStringAsync());
        Assert.Contains("Give the time of day the digest goes out.", refused, StringComparison.Ordinal);
        Assert.Contains("\"Mars/Olympus\" is not a known time zone", refused, StringComparison.Ordinal);

        form["DigestLocalTime"] = "09:00";
        form["DigestTimeZoneId"] = "Asia/Shanghai";
        Assert.Equal(HttpStatusCode.Redirect, (await editor.PostFormAsync("/newsroom/robots/new", form)).StatusCode);
        Assert.Contains($"a daily digest of {column.Name} at 09:00 Asia/Shanghai", WebUtility.HtmlDecode(await editor.GetStringAsync("/newsroom/robots")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://intranet.example/services/T/B/x", "intranet.example is a private or local address (10.1.2.3)")]
    [InlineData("https://169.254.169.254/services/T/B/x", "169.254.169.254 is a private or local address")]
    [InlineData("https://hooks.slack.com/other/path", "A Slack incoming webhook URL looks like https://hooks.slack.com/services/")]
    public async Task AReadersWebhookOnAPrivateAddressIsRefusedOnTheirPreferences(string url, string message)
    {
        await factory.CreateUserAsync($"hook-{Guid.NewGuid():N}"[..20] + "@test.local");
        var email = (await factory.WithDbAsync(db => db.Users.Where(u => u.Email!.StartsWith("hook-")).OrderByDescending(u => u.Id).Select(u => u.Email).FirstAsync()))!;
        using var reader = await factory.CreateLoggedInClientAsync(email);
        var posted = await reader.PostFormAsync("/preferences", new Dictionary<string, string> { ["Name"] = "Mine", ["Kind"] = "Slack", ["Url"] = url, ["ReceivesBreaking"] = "true" },
            "/preferences/webhooks");
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        Assert.Contains(message, WebUtility.HtmlDecode(await reader.GetStringAsync("/preferences")), StringComparison.Ordinal);
        Assert.False(await factory.WithDbAsync(db => db.WebhookEndpoints.AnyAsync(w => w.Name == "Mine")));
    }

    [Fact]
    public async Task ReadersCannotSeeOrChangeRobotsAndFormsNeedTheirToken()
    {
        await factory.CreateUserAsync("robot-reader@test.local");
        using var reader = await factory.CreateLoggedInClientAsync("robot-reader@test.local");
        var denied = await reader.GetAsync("/newsroom/robots");
        Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);
        Assert.Contains("/account/access-denied", denied.Headers.Location!.OriginalString, StringComparison.OrdinalIgnoreCase);
        var token = HttpTestExtensions.AntiforgeryToken(await reader.GetStringAsync("/preferences"));
        var post = await reader.PostAsync("/newsroom/robots/new", new FormUrlEncodedContent(new Dictionary<string, string>(Form("Mine", "Slack", "https://hooks.slack.com/services/T/B/x"))
        {
            ["__RequestVerificationToken"] = token,
        }));
        Assert.Contains("/account/access-denied", post.Headers.Location!.OriginalString, StringComparison.OrdinalIgnoreCase);

        using var editor = await factory.CreateLoggedInClientAsync(NewsPushFactory.EditorEmail);
        var noToken = await editor.PostAsync("/newsroom/robots/new", new FormUrlEncodedContent(Form("NoToken", "Slack", "https://hooks.slack.com/services/T/B/x")));
        Assert.Equal(HttpStatusCode.BadRequest, noToken.StatusCode);
        Assert.False(await factory.WithDbAsync(db => db.WebhookEndpoints.AnyAsync(w => w.Name == "Mine" || w.Name == "NoToken")));
    }

    [Fact]
    public async Task ARobotsUrlAndSecretAreStoredProtectedAndOnlyHintsAreShown()
    {
        using var editor = await factory.CreateLoggedInClientAsync(NewsPushFactory.EditorEmail);
        var url = "https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef0123456789abcdefTAIL";
        var secret = "SECabcdefghijklmnopqrstuvwxyz0123456789SECRET";
        var created = await editor.PostFormAsync("/newsroom/robots/new", Form("Editors' group", "DingTalk", url, secret));
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);

        var list = WebUtility.HtmlDecode(await editor.GetStringAsync("/newsroom/robots"));
        Assert.Contains("Editors' group", list, StringComparison.Ordinal);
        Assert.Contains("oapi.dingtalk.com/…TAIL", list, StringComparison.Ordinal);
        Assert.DoesNotContain("0123456789abcdef", list, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", list.Replace("signed (SECabc…CRET)", "", StringComparison.Ordinal), StringComparison.Ordinal);
        var row = await factory.WithDbAsync(db => db.WebhookEndpoints.AsNoTracking().SingleAsync(w => w.Name == "Editors' group"));
        Assert.DoesNotContain("access_token", row.Url, StringComparison.Ordinal);
        Assert.DoesNotContain("abcdefghij", row.Secret, StringComparison.Ordinal);
        var edit = await editor.GetStringAsync($"/newsroom/robots/{row.Id}/edit");
        Assert.DoesNotContain("0123456789abcdef", edit, StringComparison.Ordinal);
        Assert.DoesNotContain("abcdefghij", edit, StringComparison.Ordinal);

        // The same URL twice is refused; removing asks first (data-confirm) and takes it away.
        var again = await editor.PostFormAsync("/newsroom/robots/new", Form("Twice", "DingTalk", url, secret));
        Assert.Contains("A robot with this URL exists already.", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains($"action=\"/newsroom/robots/{row.Id}/delete\"", list, StringComparison.Ordinal);
        Assert.Contains("data-confirm=\"Remove the robot", list, StringComparison.Ordinal);
        var removed = await editor.PostFormAsync("/newsroom/robots", postUrl: $"/newsroom/robots/{row.Id}/delete");
        Assert.Equal(HttpStatusCode.Redirect, removed.StatusCode);
        Assert.False(await factory.WithDbAsync(db => db.WebhookEndpoints.AnyAsync(w => w.Id == row.Id)));
        Assert.Contains(await factory.WithDbAsync(db => db.AuditLog.AsNoTracking().Select(a => a.Action).ToListAsync()), a => a == "robot.delete");
    }

    [Fact]
    public async Task AGenericWebhookGetsASecretShownOnceAndTheEmptyListSaysWhatToDo()
    {
        using var editor = await factory.CreateLoggedInClientAsync(NewsPushFactory.AdminEmail);
        await factory.WithDbAsync(async db => { await db.WebhookEndpoints.ExecuteDeleteAsync(); });
        Assert.Contains("No robots yet.", await editor.GetStringAsync("/newsroom/robots"), StringComparison.Ordinal);

        var created = await editor.PostFormAsync("/newsroom/robots/new", Form("Ops hook", "Generic", "https://hooks.example.com/newspush"));
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        var first = WebUtility.HtmlDecode(await editor.GetStringAsync("/newsroom/robots"));
        var secret = System.Text.RegularExpressions.Regex.Match(first, "<code[^>]*id=\"new-secret\">(whsec_[^<]+)</code>").Groups[1].Value;
        Assert.True(Convert.FromBase64String(secret["whsec_".Length..]).Length == 32, first);
        Assert.DoesNotContain(secret, WebUtility.HtmlDecode(await editor.GetStringAsync("/newsroom/robots")), StringComparison.Ordinal);
    }
}

/// <summary>
/// The test site with production address rules and a DNS of its own (this machine has none): public names resolve to a
/// public address, <c>intranet.example</c> to 10.1.2.3, <c>localhost</c> to loopback, <c>*.invalid</c> to nothing.
/// </summary>
public sealed class PublicDnsFactory() : NewsPushFactory(TestDatabase.Sqlite)
{
    public static Task<IPAddress[]> ResolveAsync(string host, CancellationToken ct) => Task.FromResult<IPAddress[]>(host switch
    {
        "localhost" => [IPAddress.Loopback],
        "intranet.example" => [IPAddress.Parse("10.1.2.3")],
        _ when host.EndsWith(".invalid", StringComparison.Ordinal) => throw new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.HostNotFound),
        _ => [IPAddress.Parse("93.184.215.14")],
    });

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton(new WebhookAddressPolicy(allowPrivateNetworks: false, ResolveAsync)));
    }
}
