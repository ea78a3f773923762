using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using NewsPush.Data.Entities;
using NewsPush.Tests.Infrastructure;
using NewsPush.Tests.Web.Push;

namespace NewsPush.Tests.Web.Devices;

/// <summary>The push test site (fake clock, dispatcher run by the test) with helpers for the apps' side of the API.</summary>
public class DeviceFactory : PushFactory
{
    public DeviceFactory() : this(TestDatabase.Sqlite)
    {
    }

    protected DeviceFactory(TestDatabase database) : base(database)
    {
    }

    /// <summary>Signs in as the app does (<c>POST /api/auth/login</c>) and answers the token response.</summary>
    public async Task<JsonElement> AppLoginAsync(string email, string? password = null)
    {
        using var anonymous = ApiClient();
        var response = await anonymous.PostAsJsonAsync("/api/auth/login", new { email, password = password ?? Password });
        Assert.True(response.IsSuccessStatusCode, $"app login answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>A client that calls the API as the app: a bearer token, no cookies.</summary>
    public async Task<HttpClient> AppClientAsync(string email)
    {
        var tokens = await AppLoginAsync(email);
        return BearerClient(tokens.GetProperty("accessToken").GetString()!);
    }

    public HttpClient BearerClient(string accessToken)
    {
        var client = ApiClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return client;
    }

    /// <summary>A client without cookies that follows no redirects: to the in-memory server, or to the real port in browser tests.</summary>
    public HttpClient ApiClient() => LoopbackAddress is { } address
        ? new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = address }
        : CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });

    /// <summary>A reader (inbox on, e-mail off) and the app client signed in as them.</summary>
    public async Task<(ApplicationUser Reader, HttpClient App)> ReaderWithAppAsync(string prefix, Action<ReaderPreferences>? configure = null)
    {
        var reader = await CreateReaderAsync(prefix, p =>
        {
            p.EmailEnabled = false;
            configure?.Invoke(p);
        });
        return (reader, await AppClientAsync(reader.Email!));
    }

    public Task<Device?> DeviceAsync(string deviceId) => WithDbAsync(db => db.Devices.AsNoTracking().SingleOrDefaultAsync(d => d.DeviceId == deviceId));

    public static object Android(string deviceId, string token, string? timeZone = "Europe/London") =>
        new { deviceId, platform = "android", token, appVersion = "3.1.0", locale = "en-GB", timeZone };

    public static object Ios(string deviceId, string token, string? timeZone = "Europe/London") =>
        new { deviceId, platform = "ios", token, appVersion = "3.1.0", locale = "en-GB", timeZone };

    /// <summary>A token of FCM's shape (152 characters of base64url and a colon).</summary>
    public static string FcmToken() => ("f" + Guid.NewGuid().ToString("N") + ":APA91b" + string.Concat(Enumerable.Repeat(Guid.NewGuid().ToString("N"), 4)))[..152];

    /// <summary>An APNs device token: 32 random bytes in hex.</summary>
    public static string ApnsToken() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
}

public sealed class DevicePostgreSqlFactory() : DeviceFactory(TestDatabase.PostgreSql);
