using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using NewsPush.Data.Entities;

namespace NewsPush.Data;

/// <summary>
/// The one model of NewsPush. Each provider has a subclass (<see cref="SqliteNewsPushDbContext"/>, …)
/// only so that it can own its migration set; services depend on this type.
/// </summary>
public class NewsPushDbContext(DbContextOptions options) : IdentityDbContext<ApplicationUser>(options), IDataProtectionKeyContext
{
    public DbSet<Column> Columns => Set<Column>();
    public DbSet<Article> Articles => Set<Article>();
    public DbSet<Tag> Tags => Set<Tag>();
    public DbSet<MediaImage> MediaImages => Set<MediaImage>();
    public DbSet<MediaVariant> MediaVariants => Set<MediaVariant>();
    public DbSet<ArticleTag> ArticleTags => Set<ArticleTag>();
    public DbSet<Comment> Comments => Set<Comment>();
    public DbSet<CommentReport> CommentReports => Set<CommentReport>();
    public DbSet<Rating> Ratings => Set<Rating>();
    public DbSet<Bookmark> Bookmarks => Set<Bookmark>();
    public DbSet<Follow> Follows => Set<Follow>();
    public DbSet<ArticleRead> ArticleReads => Set<ArticleRead>();
    public DbSet<Interaction> Interactions => Set<Interaction>();
    public DbSet<ReaderPreferences> ReaderPreferences => Set<ReaderPreferences>();
    public DbSet<ReaderTopic> ReaderTopics => Set<ReaderTopic>();
    public DbSet<Device> Devices => Set<Device>();
    public DbSet<WebPushSubscription> WebPushSubscriptions => Set<WebPushSubscription>();
    public DbSet<SiteKey> SiteKeys => Set<SiteKey>();
    public DbSet<WebhookEndpoint> WebhookEndpoints => Set<WebhookEndpoint>();
    public DbSet<WebhookRequest> WebhookRequests => Set<WebhookRequest>();
    public DbSet<SystemAlert> SystemAlerts => Set<SystemAlert>();
    public DbSet<InboxMessage> InboxMessages => Set<InboxMessage>();
    public DbSet<Broadcast> Broadcasts => Set<Broadcast>();
    public DbSet<BroadcastReceipt> BroadcastReceipts => Set<BroadcastReceipt>();
    public DbSet<Digest> Digests => Set<Digest>();
    public DbSet<DigestItem> DigestItems => Set<DigestItem>();
    public DbSet<Delivery> Deliveries => Set<Delivery>();
    public DbSet<ChannelState> ChannelStates => Set<ChannelState>();
    public DbSet<PushCampaign> PushCampaigns => Set<PushCampaign>();
    public DbSet<PushAudienceMember> PushAudienceMembers => Set<PushAudienceMember>();
    public DbSet<DigestSchedule> DigestSchedules => Set<DigestSchedule>();
    public DbSet<ModelVersion> ModelVersions => Set<ModelVersion>();
    public DbSet<ModelVersionFile> ModelVersionFiles => Set<ModelVersionFile>();
    public DbSet<AuditLogEntry> AuditLog => Set<AuditLogEntry>();
    public DbSet<DeliveryEvent> DeliveryEvents => Set<DeliveryEvent>();
    public DbSet<DeliveryRollup> DeliveryRollups => Set<DeliveryRollup>();
    public DbSet<InteractionRollup> InteractionRollups => Set<InteractionRollup>();
    public DbSet<ColumnReaderDay> ColumnReaderDays => Set<ColumnReaderDay>();
    public DbSet<AnalyticsWatermark> AnalyticsWatermarks => Set<AnalyticsWatermark>();
    public DbSet<Microsoft.AspNetCore.DataProtection.EntityFrameworkCore.DataProtectionKey> DataProtectionKeys => Set<Microsoft.AspNetCore.DataProtection.EntityFrameworkCore.DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(NewsPushDbContext).Assembly);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Every instant is stored and read back as UTC, whatever the provider keeps of the kind.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<NullableUtcDateTimeConverter>();
    }

    private sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime(),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));

    private sealed class NullableUtcDateTimeConverter() : ValueConverter<DateTime?, DateTime?>(
        v => v.HasValue ? (v.Value.Kind == DateTimeKind.Utc ? v : v.Value.ToUniversalTime()) : v,
        v => v.HasValue ? DateTime.SpecifyKind(v.Value, DateTimeKind.Utc) : v);
}

public sealed class SqliteNewsPushDbContext(DbContextOptions<SqliteNewsPushDbContext> options) : NewsPushDbContext(options);

public sealed class PostgreSqlNewsPushDbContext(DbContextOptions<PostgreSqlNewsPushDbContext> options) : NewsPushDbContext(options);

public sealed class SqlServerNewsPushDbContext(DbContextOptions<SqlServerNewsPushDbContext> options) : NewsPushDbContext(options);
