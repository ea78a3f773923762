using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NewsPush.Data.Entities;

namespace NewsPush.Data.EntityConfigurations;

internal sealed class PushAudienceMemberConfiguration : IEntityTypeConfiguration<PushAudienceMember>
{
    public void Configure(EntityTypeBuilder<PushAudienceMember> builder)
    {
        // The audience rule asks "is this reader in this push's set?": one lookup of the key per reader and push.
        builder.HasKey(m => new { m.CampaignId, m.UserId });
        builder.Property(m => m.UserId).HasMaxLength(450);
        builder.HasOne<PushCampaign>().WithMany().HasForeignKey(m => m.CampaignId).OnDelete(DeleteBehavior.Cascade);
    }
}
