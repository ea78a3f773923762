using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NewsPush.Data.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class PredictedAudienceAndLanguage : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Language",
                table: "ReaderPreferences",
                type: "nvarchar(16)",
                maxLength: 16,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Language",
                table: "PushCampaigns",
                type: "nvarchar(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<double>(
                name: "PredictedTopPercent",
                table: "PushCampaigns",
                type: "float",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "AudienceLanguage",
                table: "Broadcasts",
                type: "nvarchar(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "");

            migrationBuilder.CreateTable(
                name: "PushAudienceMembers",
                columns: table => new
                {
                    CampaignId = table.Column<long>(type: "bigint", nullable: false),
                    UserId = table.Column<string>(type: "nvarchar(450)", maxLength: 450, nullable: false),
                    Score = table.Column<float>(type: "real", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PushAudienceMembers", x => new { x.CampaignId, x.UserId });
                    table.ForeignKey(
                        name: "FK_PushAudienceMembers_PushCampaigns_CampaignId",
                        column: x => x.CampaignId,
                        principalTable: "PushCampaigns",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "PushAudienceMembers");

            migrationBuilder.DropColumn(
                name: "Language",
                table: "ReaderPreferences");

            migrationBuilder.DropColumn(
                name: "Language",
                table: "PushCampaigns");

            migrationBuilder.DropColumn(
                name: "PredictedTopPercent",
                table: "PushCampaigns");

            migrationBuilder.DropColumn(
                name: "AudienceLanguage",
                table: "Broadcasts");
        }
    }
}
