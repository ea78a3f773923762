using NewsPush.Web.Infrastructure.Redis;
using NewsPush.Web.Infrastructure;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Web.Reader.Search;

namespace NewsPush.Web.Reader;

public static class ReaderServiceCollectionExtensions
{
    /// <summary>The reader site: queries, search (one full-text provider per database), comments, feeds, rate limits.</summary>
    public static IServiceCollection AddReaderSite(this IServiceCollection services)
    {
        services.AddOptions<ReaderOptions>().BindConfiguration(ReaderOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();

        services.AddSingleton<MarkdownRenderer>();
        services.AddScoped<ArticleQueries>();
        services.AddScoped<ReaderActivityService>();
        services.AddScoped<CommentService>();
        services.AddScoped<FeedService>();
        services.AddSingleton<ViewCounter>();
        services.AddSingleton<ReaderCache>();
        services.AddOptions<BeaconOptions>().BindConfiguration(BeaconOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<BeaconLimiter>();
        // Anonymous reader pages are the same for everyone: serve them from memory. The default policy
        // already skips signed-in readers and responses that set cookies.
        services.AddOutputCache(o => o.AddPolicy(ReaderCache.Policy, b => b.Expire(TimeSpan.FromSeconds(30)).Tag(ReaderCache.Policy).AddPolicy<ArticlePageTagPolicy>()));
        services.AddHostedService<ViewCountWriter>();
        services.AddSingleton<ReadingHistory>();
        services.AddHostedService<ReadingHistoryWriter>();
        services.AddSingleton<ReaderStateCache>();

        services.AddSingleton<IFullTextProvider, SqliteFullText>();
        services.AddSingleton<IFullTextProvider, PostgreSqlFullText>();
        services.AddSingleton<IFullTextProvider, SqlServerFullText>();
        services.AddSingleton<SearchResultCache>();
        services.AddScoped<ArticleSearchService>();
        services.AddSingleton<SearchIndexInterceptor>();
        services.ConfigureDbContext<SqliteNewsPushDbContext>((sp, o) => o.AddInterceptors(sp.GetRequiredService<SearchIndexInterceptor>()));
        services.ConfigureDbContext<PostgreSqlNewsPushDbContext>((sp, o) => o.AddInterceptors(sp.GetRequiredService<SearchIndexInterceptor>()));
        services.ConfigureDbContext<SqlServerNewsPushDbContext>((sp, o) => o.AddInterceptors(sp.GetRequiredService<SearchIndexInterceptor>()));
        services.AddHostedService<SearchIndexBackfill>();

        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = (context, _) =>
            {
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retry))
                {
                    context.HttpContext.Response.Headers.RetryAfter = ((int)retry.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }
                return ValueTask.CompletedTask;
            };
            AddPolicy(o, RateLimitOptions.LoginPolicy, r => r.Login);
            AddPolicy(o, RateLimitOptions.CommentPolicy, r => r.Comment);
        });
        return services;
    }

    /// <summary>Rate limiting, view counting and output caching; after authentication, so limits partition by user and signed-in pages are never cached.</summary>
    public static WebApplication UseReaderSite(this WebApplication app)
    {
        app.UseRateLimiter();
        app.UseMiddleware<ArticleViewCountingMiddleware>();
        app.UseOutputCache();
        return app;
    }

    private static void AddPolicy(Microsoft.AspNetCore.RateLimiting.RateLimiterOptions o, string name, Func<RateLimitOptions, RateLimitRule> rule) =>
        o.AddPolicy(name, context =>
        {
            // Only form posts count; showing the form is free.
            if (!HttpMethods.IsPost(context.Request.Method))
            {
                return RateLimitPartition.GetNoLimiter("get");
            }
            var r = rule(context.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value);
            // Sign-in is limited by the client's address only (a cookie must not buy a fresh bucket: registering signs
            // you in); comments by the signed-in user. The account forms add a limit per e-mail address (AccountThrottle).
            var key = name != RateLimitOptions.LoginPolicy && context.User.UserId() is { } userId
                ? "user:" + userId
                : "ip:" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
            // Counted in RateCounters: one window for every node when Redis is configured.
            var services = context.RequestServices;
            return RateLimitPartition.Get(name + "|" + key, k => new CountingRateLimiter(
                services.GetRequiredService<RateCounters>(), services.GetRequiredService<TimeProvider>(), "policy|" + k, r.PermitLimit, TimeSpan.FromSeconds(r.WindowSeconds)));
        });
}
