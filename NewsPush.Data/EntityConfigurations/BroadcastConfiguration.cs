using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NewsPush.Data.Entities;

namespace NewsPush.Data.EntityConfigurations;

internal sealed class BroadcastConfiguration : IEntityTypeConfiguration<Broadcast>
{
    public void Configure(EntityTypeBuilder<Broadcast> builder)
    {
        builder.Property(b => b.Title).HasMaxLength(300).IsRequired();
        builder.Property(b => b.Body).HasMaxLength(20000);
        builder.Property(b => b.Link).HasMaxLength(800);
        builder.HasIndex(b => b.CreatedAt);
        builder.HasIndex(b => b.CampaignId).IsUnique();
        builder.Property(b => b.AudienceTargets).HasMaxLength(2000);
        builder.Property(b => b.AudienceZones).HasMaxLength(4000);
        builder.Property(b => b.AudienceLanguage).HasMaxLength(16).IsRequired();
    }
}
