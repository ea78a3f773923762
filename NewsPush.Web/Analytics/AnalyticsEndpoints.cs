using Microsoft.AspNetCore.Http.HttpResults;
using NewsPush.Data.Entities;
using NewsPush.Web.Infrastructure;
using NewsPush.Web.Newsroom;

namespace NewsPush.Web.Analytics;

/// <summary>
/// The JSON behind every analytics chart (and its CSV with <c>?format=csv</c>), for the pages and for other tools.
/// Editors and admins only; everything beyond the newsroom (scope=all, the recommender) is for admins.
/// </summary>
public static class AnalyticsEndpoints
{
    public static IEndpointRouteBuilder MapAnalytics(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/analytics").WithTags("Analytics").RequireAuthorization(NewsroomServiceCollectionExtensions.EditorPolicy);

        api.MapGet("/overview", async Task<IResult> (int? days, string? scope, string? format, HttpContext http, AnalyticsQueries queries, ReaderTime time, CancellationToken ct) =>
        {
            var all = string.Equals(scope, "all", StringComparison.OrdinalIgnoreCase);
            if (scope is not null && !all && !string.Equals(scope, "newsroom", StringComparison.OrdinalIgnoreCase))
            {
                return Problem("scope must be newsroom or all.");
            }
            if (all && !http.User.IsInRole(Roles.Admin))
            {
                return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Only admins see analytics beyond the newsroom.");
            }
            var report = await queries.OverviewAsync(days ?? 7, all ? AnalyticsScope.All : AnalyticsScope.Newsroom, await time.ZoneAsync(), ct);
            return format switch
            {
                "csv" => Csv(AnalyticsCsv.Overview(report), $"overview-{report.Days}d.csv"),
                "channels.csv" => Csv(AnalyticsCsv.Channels(report.Channels), $"overview-channels-{report.Days}d.csv"),
                _ => Results.Ok(report),
            };
        }).WithSummary("Deliveries, failures, unique opens and clicks per day (viewer's zone) and per channel over the last 7, 30 or 90 days; ?format=csv or channels.csv.")
            .Produces<OverviewReport>();

        api.MapGet("/pushes/{id:long}", async Task<IResult> (long id, string? format, AnalyticsQueries queries, ReaderTime time, CancellationToken ct) =>
            await ContentAsync(DeliveryContentKind.Breaking, id, format, queries, time, ct))
            .WithSummary("One breaking-news push: the funnel by channel, hours since sending, articles clicked; ?format=csv (timeline), channels.csv or articles.csv.")
            .Produces<ContentReport>();

        api.MapGet("/digest-runs/{run:long}", async Task<IResult> (long run, string? format, AnalyticsQueries queries, ReaderTime time, CancellationToken ct) =>
            await ContentAsync(DeliveryContentKind.Digest, run, format, queries, time, ct))
            .WithSummary("One digest run (the UTC day its digests were composed, in days since 1970-01-01): as for a push.")
            .Produces<ContentReport>();

        api.MapGet("/columns/{id:int}", async Task<IResult> (int id, int? days, string? format, AnalyticsQueries queries, ReaderTime time, CancellationToken ct) =>
            await queries.ColumnAsync(id, days ?? 30, await time.ZoneAsync(), ct) is { } report
                ? format == "csv" ? Csv(AnalyticsCsv.Column(report), $"column-{id}-{report.Days}d.csv") : Results.Ok(report)
                : Results.Problem(statusCode: 404, title: "There is no such column."))
            .WithSummary("One column: readers, impressions, clicks, click-through, dwell, follows, what its readers also read; ?format=csv.")
            .Produces<ColumnReport>();

        api.MapGet("/recommender", async Task<IResult> (int? days, string? format, AnalyticsQueries queries, ReaderTime time, CancellationToken ct) =>
        {
            var report = await queries.RecommenderAsync(days ?? 30, await time.ZoneAsync(), ct);
            return format == "csv" ? Csv(AnalyticsCsv.Recommender(report), $"recommender-{report.Days}d.csv") : Results.Ok(report);
        }).RequireAuthorization(p => p.RequireRole(Roles.Admin))
            .WithSummary("\"For you\" against \"Latest\": impressions, clicks and click-through per model version and per day (admins).")
            .Produces<RecommenderReport>();
        return app;
    }

    private static async Task<IResult> ContentAsync(DeliveryContentKind kind, long id, string? format, AnalyticsQueries queries, ReaderTime time, CancellationToken ct)
    {
        if (await queries.ContentAsync(kind, id, await time.ZoneAsync(), ct) is not { } report)
        {
            return Results.Problem(statusCode: 404, title: kind == DeliveryContentKind.Breaking ? "There is no such push." : "There is no such digest run.");
        }
        var name = kind == DeliveryContentKind.Breaking ? $"push-{id}" : $"digest-run-{id}";
        return format switch
        {
            "csv" => Csv(AnalyticsCsv.Timeline(report), $"{name}-timeline.csv"),
            "channels.csv" => Csv(AnalyticsCsv.Channels(report.Channels), $"{name}-channels.csv"),
            "articles.csv" => Csv(AnalyticsCsv.Articles(report), $"{name}-articles.csv"),
            _ => Results.Ok(report),
        };
    }

    private static IResult Problem(string detail) => Results.Problem(statusCode: 400, title: "Invalid request.", detail: detail);

    private static IResult Csv(string body, string fileName) =>
        Results.File(System.Text.Encoding.UTF8.GetBytes(body), "text/csv; charset=utf-8", fileName);
}
