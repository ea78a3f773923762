using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NewsPush.Data.Entities;

namespace NewsPush.Data.EntityConfigurations;

internal sealed class DeliveryEventConfiguration : IEntityTypeConfiguration<DeliveryEvent>
{
    public void Configure(EntityTypeBuilder<DeliveryEvent> builder)
    {
        // No foreign keys: an append-only log read in id order by the roll-up job.
        builder.HasIndex(e => new { e.DeliveryId, e.Type });
    }
}

internal sealed class DeliveryRollupConfiguration : IEntityTypeConfiguration<DeliveryRollup>
{
    public void Configure(EntityTypeBuilder<DeliveryRollup> builder)
    {
        builder.HasIndex(r => new { r.Grain, r.BucketStart, r.ContentKind, r.ContentId, r.Channel, r.Metric, r.ArticleId }).IsUnique();
        builder.HasIndex(r => new { r.ContentKind, r.ContentId, r.Grain, r.BucketStart });
    }
}

internal sealed class InteractionRollupConfiguration : IEntityTypeConfiguration<InteractionRollup>
{
    public void Configure(EntityTypeBuilder<InteractionRollup> builder)
    {
        builder.Property(r => r.Source).HasMaxLength(32).IsRequired();
        builder.HasIndex(r => new { r.Grain, r.BucketStart, r.ColumnId, r.Source, r.ModelVersionId, r.Type }).IsUnique();
        builder.HasIndex(r => new { r.ColumnId, r.Grain, r.BucketStart });
    }
}

internal sealed class ColumnReaderDayConfiguration : IEntityTypeConfiguration<ColumnReaderDay>
{
    public void Configure(EntityTypeBuilder<ColumnReaderDay> builder)
    {
        builder.HasKey(r => new { r.ColumnId, r.Day, r.UserId });
        builder.Property(r => r.UserId).HasMaxLength(450);
        builder.HasIndex(r => new { r.UserId, r.Day });
    }
}

internal sealed class AnalyticsWatermarkConfiguration : IEntityTypeConfiguration<AnalyticsWatermark>
{
    public void Configure(EntityTypeBuilder<AnalyticsWatermark> builder)
    {
        builder.HasKey(w => w.Name);
        builder.Property(w => w.Name).HasMaxLength(64);
    }
}
