using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NewsPush.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class DeliveryContentReference : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "DeliveryId",
                table: "InboxMessages",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "Claims",
                table: "Deliveries",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<long>(
                name: "ContentId",
                table: "Deliveries",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<int>(
                name: "ContentKind",
                table: "Deliveries",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<DateTime>(
                name: "DeliverBy",
                table: "Deliveries",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "EndpointId",
                table: "Deliveries",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.CreateTable(
                name: "ChannelStates",
                columns: table => new
                {
                    Channel = table.Column<int>(type: "INTEGER", nullable: false),
                    IsPaused = table.Column<bool>(type: "INTEGER", nullable: false),
                    PauseKind = table.Column<int>(type: "INTEGER", nullable: false),
                    PausedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    NextProbeAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    FailedProbes = table.Column<int>(type: "INTEGER", nullable: false),
                    ProbeLeaseUntil = table.Column<DateTime>(type: "TEXT", nullable: true),
                    LastError = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    LastErrorAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    LastSuccessAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    UpdatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ChannelStates", x => x.Channel);
                });

            migrationBuilder.CreateIndex(
                name: "IX_InboxMessages_DeliveryId",
                table: "InboxMessages",
                column: "DeliveryId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Deliveries_ContentKind_ContentId_UserId_Channel_EndpointId",
                table: "Deliveries",
                columns: new[] { "ContentKind", "ContentId", "UserId", "Channel", "EndpointId" });

            // Existing deliveries name their content by kind and id; claims so far equal recorded attempts.
            migrationBuilder.Sql("UPDATE \"Deliveries\" SET \"ContentKind\" = 0, \"ContentId\" = \"DigestId\" WHERE \"DigestId\" IS NOT NULL");
            migrationBuilder.Sql("UPDATE \"Deliveries\" SET \"ContentKind\" = 1, \"ContentId\" = \"CampaignId\" WHERE \"DigestId\" IS NULL AND \"CampaignId\" IS NOT NULL");
            migrationBuilder.Sql("UPDATE \"Deliveries\" SET \"Claims\" = \"Attempts\"");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ChannelStates");

            migrationBuilder.DropIndex(
                name: "IX_InboxMessages_DeliveryId",
                table: "InboxMessages");

            migrationBuilder.DropIndex(
                name: "IX_Deliveries_ContentKind_ContentId_UserId_Channel_EndpointId",
                table: "Deliveries");

            migrationBuilder.DropColumn(
                name: "DeliveryId",
                table: "InboxMessages");

            migrationBuilder.DropColumn(
                name: "Claims",
                table: "Deliveries");

            migrationBuilder.DropColumn(
                name: "ContentId",
                table: "Deliveries");

            migrationBuilder.DropColumn(
                name: "ContentKind",
                table: "Deliveries");

            migrationBuilder.DropColumn(
                name: "DeliverBy",
                table: "Deliveries");

            migrationBuilder.DropColumn(
                name: "EndpointId",
                table: "Deliveries");
        }
    }
}
