using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace NewsPush.Web.Devices.Fcm;

/// <summary>The FCM HTTP v1 client: options from "Push:Fcm", one token source per process, the typed HttpClient.</summary>
public static class FcmServiceCollectionExtensions
{
    public static IServiceCollection AddFcm(this IServiceCollection services)
    {
        services.AddOptions<FcmOptions>().BindConfiguration(FcmOptions.SectionName).ValidateDataAnnotations()
            .Validate(o => Uri.TryCreate(o.Endpoint, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttps || u.Scheme == Uri.UriSchemeHttp),
                "Push:Fcm:Endpoint must be an absolute https: URL (http: only for a local test peer).")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<FcmAccessTokens>();
        services.AddHttpClient<FcmClient>((sp, http) =>
            {
                http.Timeout = TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<FcmOptions>>().Value.RequestTimeoutSeconds);
            })
            .ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
            {
                // Connections to FCM are kept and reused; recycled every few minutes to follow DNS.
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                MaxConnectionsPerServer = sp.GetRequiredService<IOptions<FcmOptions>>().Value.Parallelism,
                ConnectTimeout = TimeSpan.FromSeconds(10),
                AllowAutoRedirect = false,
                EnableMultipleHttp2Connections = true,
            })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            // The delivery channel logs each outcome itself; the factory's per-request log scopes cost several percent of a send.
            .RemoveAllLoggers();
        return services;
    }
}
