using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace NewsPush.Data.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class AnalyticsRollups : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "AnalyticsWatermarks",
                columns: table => new
                {
                    Name = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    LastId = table.Column<long>(type: "bigint", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AnalyticsWatermarks", x => x.Name);
                });

            migrationBuilder.CreateTable(
                name: "ColumnReaderDays",
                columns: table => new
                {
                    ColumnId = table.Column<int>(type: "integer", nullable: false),
                    Day = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    UserId = table.Column<string>(type: "character varying(450)", maxLength: 450, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ColumnReaderDays", x => new { x.ColumnId, x.Day, x.UserId });
                });

            migrationBuilder.CreateTable(
                name: "DeliveryEvents",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    DeliveryId = table.Column<long>(type: "bigint", nullable: false),
                    Channel = table.Column<int>(type: "integer", nullable: false),
                    ContentKind = table.Column<int>(type: "integer", nullable: false),
                    ContentId = table.Column<long>(type: "bigint", nullable: false),
                    Type = table.Column<int>(type: "integer", nullable: false),
                    IsFirst = table.Column<bool>(type: "boolean", nullable: false),
                    ArticleId = table.Column<int>(type: "integer", nullable: false),
                    OccurredAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DeliveryEvents", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "DeliveryRollups",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Grain = table.Column<int>(type: "integer", nullable: false),
                    BucketStart = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    ContentKind = table.Column<int>(type: "integer", nullable: false),
                    ContentId = table.Column<long>(type: "bigint", nullable: false),
                    Channel = table.Column<int>(type: "integer", nullable: false),
                    Metric = table.Column<int>(type: "integer", nullable: false),
                    ArticleId = table.Column<int>(type: "integer", nullable: false),
                    Total = table.Column<long>(type: "bigint", nullable: false),
                    Unique = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DeliveryRollups", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "InteractionRollups",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Grain = table.Column<int>(type: "integer", nullable: false),
                    BucketStart = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    ColumnId = table.Column<int>(type: "integer", nullable: false),
                    Source = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    ModelVersionId = table.Column<int>(type: "integer", nullable: false),
                    Type = table.Column<int>(type: "integer", nullable: false),
                    Count = table.Column<long>(type: "bigint", nullable: false),
                    ValueSum = table.Column<double>(type: "double precision", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_InteractionRollups", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ReaderPreferences_EmailUnsubscribedAt",
                table: "ReaderPreferences",
                column: "EmailUnsubscribedAt");

            migrationBuilder.CreateIndex(
                name: "IX_ColumnReaderDays_UserId_Day",
                table: "ColumnReaderDays",
                columns: new[] { "UserId", "Day" });

            migrationBuilder.CreateIndex(
                name: "IX_DeliveryEvents_DeliveryId_Type",
                table: "DeliveryEvents",
                columns: new[] { "DeliveryId", "Type" });

            migrationBuilder.CreateIndex(
                name: "IX_DeliveryRollups_ContentKind_ContentId_Grain_BucketStart",
                table: "DeliveryRollups",
                columns: new[] { "ContentKind", "ContentId", "Grain", "BucketStart" });

            migrationBuilder.CreateIndex(
                name: "IX_DeliveryRollups_Grain_BucketStart_ContentKind_ContentId_Cha~",
                table: "DeliveryRollups",
                columns: new[] { "Grain", "BucketStart", "ContentKind", "ContentId", "Channel", "Metric", "ArticleId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_InteractionRollups_ColumnId_Grain_BucketStart",
                table: "InteractionRollups",
                columns: new[] { "ColumnId", "Grain", "BucketStart" });

            migrationBuilder.CreateIndex(
                name: "IX_InteractionRollups_Grain_BucketStart_ColumnId_Source_ModelV~",
                table: "InteractionRollups",
                columns: new[] { "Grain", "BucketStart", "ColumnId", "Source", "ModelVersionId", "Type" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AnalyticsWatermarks");

            migrationBuilder.DropTable(
                name: "ColumnReaderDays");

            migrationBuilder.DropTable(
                name: "DeliveryEvents");

            migrationBuilder.DropTable(
                name: "DeliveryRollups");

            migrationBuilder.DropTable(
                name: "InteractionRollups");

            migrationBuilder.DropIndex(
                name: "IX_ReaderPreferences_EmailUnsubscribedAt",
                table: "ReaderPreferences");
        }
    }
}
