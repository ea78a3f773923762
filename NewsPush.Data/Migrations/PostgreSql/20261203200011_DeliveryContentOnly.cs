using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NewsPush.Data.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class DeliveryContentOnly : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_Deliveries_Digests_DigestId",
                table: "Deliveries");

            migrationBuilder.DropForeignKey(
                name: "FK_Deliveries_PushCampaigns_CampaignId",
                table: "Deliveries");

            migrationBuilder.DropIndex(
                name: "IX_Deliveries_CampaignId_UserId_Channel",
                table: "Deliveries");

            migrationBuilder.DropIndex(
                name: "IX_Deliveries_ContentKind_ContentId_UserId_Channel_EndpointId",
                table: "Deliveries");

            migrationBuilder.DropIndex(
                name: "IX_Deliveries_DigestId_Channel",
                table: "Deliveries");

            migrationBuilder.DropColumn(
                name: "CampaignId",
                table: "Deliveries");

            migrationBuilder.DropColumn(
                name: "DigestId",
                table: "Deliveries");

            migrationBuilder.CreateIndex(
                name: "IX_Deliveries_ContentKind_ContentId_UserId_Channel_EndpointId",
                table: "Deliveries",
                columns: new[] { "ContentKind", "ContentId", "UserId", "Channel", "EndpointId" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Deliveries_ContentKind_ContentId_UserId_Channel_EndpointId",
                table: "Deliveries");

            migrationBuilder.AddColumn<long>(
                name: "CampaignId",
                table: "Deliveries",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "DigestId",
                table: "Deliveries",
                type: "bigint",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Deliveries_CampaignId_UserId_Channel",
                table: "Deliveries",
                columns: new[] { "CampaignId", "UserId", "Channel" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Deliveries_ContentKind_ContentId_UserId_Channel_EndpointId",
                table: "Deliveries",
                columns: new[] { "ContentKind", "ContentId", "UserId", "Channel", "EndpointId" });

            migrationBuilder.CreateIndex(
                name: "IX_Deliveries_DigestId_Channel",
                table: "Deliveries",
                columns: new[] { "DigestId", "Channel" },
                unique: true);

            migrationBuilder.AddForeignKey(
                name: "FK_Deliveries_Digests_DigestId",
                table: "Deliveries",
                column: "DigestId",
                principalTable: "Digests",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "FK_Deliveries_PushCampaigns_CampaignId",
                table: "Deliveries",
                column: "CampaignId",
                principalTable: "PushCampaigns",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);
        }
    }
}
