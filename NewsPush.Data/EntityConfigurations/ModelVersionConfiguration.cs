using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NewsPush.Data.Entities;

namespace NewsPush.Data.EntityConfigurations;

internal sealed class ModelVersionConfiguration : IEntityTypeConfiguration<ModelVersion>
{
    public void Configure(EntityTypeBuilder<ModelVersion> builder)
    {
        builder.Property(m => m.Version).HasMaxLength(64).IsRequired();
        builder.Property(m => m.Trainer).HasMaxLength(100);
        builder.Property(m => m.ModelPath).HasMaxLength(500);
        builder.HasIndex(m => m.Version).IsUnique();
        builder.HasIndex(m => m.IsActive);
    }
}

internal sealed class ModelVersionFileConfiguration : IEntityTypeConfiguration<ModelVersionFile>
{
    public void Configure(EntityTypeBuilder<ModelVersionFile> builder)
    {
        builder.HasKey(f => new { f.ModelVersionId, f.Name });
        builder.Property(f => f.Name).HasMaxLength(100);
        builder.HasOne(f => f.ModelVersion).WithMany().HasForeignKey(f => f.ModelVersionId).OnDelete(DeleteBehavior.Cascade);
    }
}
