using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace NewsPush.Web.Devices.Apns;

/// <summary>The APNs client: options, the one provider token, and the typed HTTP/2 client.</summary>
public static class ApnsServiceCollectionExtensions
{
    public static IServiceCollection AddApns(this IServiceCollection services)
    {
        services.AddOptions<ApnsOptions>().BindConfiguration(ApnsOptions.SectionName).ValidateDataAnnotations()
            .Validate(o => Uri.TryCreate(o.Endpoint, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttps || u.Scheme == Uri.UriSchemeHttp),
                $"{ApnsOptions.SectionName}:Endpoint must be an absolute https: URL (http: only for a local test peer).")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ApnsProviderToken>();
        services.TryAddSingleton<ApnsStreamLimit>();
        services.AddHttpClient<ApnsClient>((sp, http) =>
            {
                http.Timeout = TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<ApnsOptions>>().Value.RequestTimeoutSeconds);
                http.DefaultRequestVersion = System.Net.HttpVersion.Version20;
                http.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact;
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                // Streams are multiplexed; a second connection opens only when the first has as many as APNs allows (a
                // cold burst waits for the first answer: ApnsStreamLimit).
                EnableMultipleHttp2Connections = true,
                // Long-lived connections are what APNs wants; recycled now and then to follow DNS.
                PooledConnectionLifetime = TimeSpan.FromMinutes(15),
                ConnectTimeout = TimeSpan.FromSeconds(10),
                AllowAutoRedirect = false,
            })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            // The delivery channel logs outcomes; the factory's per-request scopes would cost on every send.
            .RemoveAllLoggers();
        return services;
    }
}
