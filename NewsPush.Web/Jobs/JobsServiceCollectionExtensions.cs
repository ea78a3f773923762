using Microsoft.Extensions.Options;
using NewsPush.Data;
using Quartz;

namespace NewsPush.Web.Jobs;

public static class JobsServiceCollectionExtensions
{
    /// <summary>Quartz's name for the ADO data source the job store reads and writes through.</summary>
    private const string QuartzDataSource = "quartz";

    /// <summary>
    /// The Quartz scheduler on a persistent job store in the site's own database (QRTZ_* tables, created by
    /// the AddQuartzTables migrations), clustered on PostgreSQL and SQL Server so each job runs once across
    /// nodes. This is the one place the store is configured. Features register their own jobs with
    /// <c>services.AddQuartz(q => ...)</c>.
    /// </summary>
    public static IServiceCollection AddNewsPushJobs(this IServiceCollection services, IConfiguration configuration)
    {
        _ = configuration;
        services.AddOptions<JobsOptions>().BindConfiguration(JobsOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<JobRunTracker>();

        services.AddQuartz(q =>
        {
            q.UsePersistentStore(store =>
            {
                // Provider and connection string are filled in below, when the options are first read: the
                // database configuration may still change after registration (tests, command-line tools).
                store.UseDataSource(_ => { });
                store.UseSystemTextJsonSerializer();
            });
            q.AddJobListener(sp => sp.GetRequiredService<JobRunTracker>());
        });
        services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);

        services.AddOptions<DataSourceOptions>(QuartzDataSource)
            .Configure<IOptions<DatabaseOptions>, IHostEnvironment>((o, db, env) =>
            {
                o.Provider = db.Value.Provider switch
                {
                    DatabaseProvider.Sqlite => "SQLite-Microsoft",
                    DatabaseProvider.PostgreSql => "Npgsql",
                    DatabaseProvider.SqlServer => "SqlServer",
                    var other => throw new InvalidOperationException($"Unknown database provider '{other}'."),
                };
                o.ConnectionString = DataServiceCollectionExtensions.ResolveConnectionString(db.Value, env.ContentRootPath);
            });
        services.AddOptions<QuartzSchedulerOptions>()
            .Configure<IOptions<JobsOptions>, IOptions<DatabaseOptions>>((o, jobs, db) =>
            {
                o.InstanceName = jobs.Value.SchedulerName;
                o.IdleWaitTime = TimeSpan.FromSeconds(jobs.Value.IdleWaitSeconds);
                o.GenerateInstanceId = jobs.Value.IsClustered(db.Value.Provider);
            });
        services.AddOptions<ClusteringOptions>()
            .Configure<IOptions<JobsOptions>, IOptions<DatabaseOptions>>((o, jobs, db) => o.Enabled = jobs.Value.IsClustered(db.Value.Provider));
        services.AddOptions<AdoJobStoreOptions>()
            .Configure<IOptions<JobsOptions>, IOptions<DatabaseOptions>>((o, jobs, db) =>
            {
                o.UseDbLocks = jobs.Value.IsClustered(db.Value.Provider);
                o.MisfireThreshold = TimeSpan.FromSeconds(jobs.Value.MisfireThresholdSeconds);
            });
        return services;
    }
}
