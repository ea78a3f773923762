using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NewsPush.Data.Entities;

namespace NewsPush.Data.EntityConfigurations;

internal sealed class PushCampaignConfiguration : IEntityTypeConfiguration<PushCampaign>
{
    public void Configure(EntityTypeBuilder<PushCampaign> builder)
    {
        builder.Property(c => c.Title).HasMaxLength(300).IsRequired();
        builder.Property(c => c.Message).HasMaxLength(1000);
        builder.Property(c => c.CreatedById).HasMaxLength(450);
        builder.Property(c => c.ApprovedById).HasMaxLength(450);
        builder.Property(c => c.TargetIds).HasMaxLength(1000).IsRequired();
        builder.Property(c => c.TimeZoneFilter).HasMaxLength(2000).IsRequired();
        builder.Property(c => c.Language).HasMaxLength(16).IsRequired();
        builder.Property(c => c.CriticalReason).HasMaxLength(500);
        builder.Property(c => c.ReviewNote).HasMaxLength(1000);
        builder.Property(c => c.CancelledById).HasMaxLength(450);
        builder.Property(c => c.FanoutCursor).HasMaxLength(450);
        builder.Property(c => c.Cron).HasMaxLength(120);
        builder.Property(c => c.ScheduleTimeZoneId).HasMaxLength(100);
        builder.HasIndex(c => new { c.Status, c.ScheduledAt });
        builder.HasIndex(c => c.NextRunAt);
        builder.HasIndex(c => c.ParentId);
        builder.HasOne(c => c.Article).WithMany().HasForeignKey(c => c.ArticleId).OnDelete(DeleteBehavior.Cascade);
    }
}
