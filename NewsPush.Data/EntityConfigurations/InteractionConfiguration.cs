using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NewsPush.Data.Entities;

namespace NewsPush.Data.EntityConfigurations;

internal sealed class InteractionConfiguration : IEntityTypeConfiguration<Interaction>
{
    public void Configure(EntityTypeBuilder<Interaction> builder)
    {
        // No foreign keys: an append-only event log written in batches; it must not block on deletes.
        builder.Property(i => i.UserId).HasMaxLength(450).IsRequired();
        builder.Property(i => i.Source).HasMaxLength(32);
        builder.HasIndex(i => new { i.UserId, i.OccurredAt });
        builder.HasIndex(i => new { i.ArticleId, i.Type, i.OccurredAt });
        builder.HasIndex(i => i.OccurredAt);
    }
}
