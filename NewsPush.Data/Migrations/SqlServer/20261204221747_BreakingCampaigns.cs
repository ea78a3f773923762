using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NewsPush.Data.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class BreakingCampaigns : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "ApprovedAt",
                table: "PushCampaigns",
                type: "datetime2",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "CancelledAt",
                table: "PushCampaigns",
                type: "datetime2",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "CancelledById",
                table: "PushCampaigns",
                type: "nvarchar(450)",
                maxLength: 450,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "CriticalReason",
                table: "PushCampaigns",
                type: "nvarchar(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Cron",
                table: "PushCampaigns",
                type: "nvarchar(120)",
                maxLength: 120,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "ExcludePushedWithinHours",
                table: "PushCampaigns",
                type: "int",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "FanoutCursor",
                table: "PushCampaigns",
                type: "nvarchar(450)",
                maxLength: 450,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "NextRunAt",
                table: "PushCampaigns",
                type: "datetime2",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "ParentId",
                table: "PushCampaigns",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "QueuedAt",
                table: "PushCampaigns",
                type: "datetime2",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ReviewNote",
                table: "PushCampaigns",
                type: "nvarchar(1000)",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ScheduleTimeZoneId",
                table: "PushCampaigns",
                type: "nvarchar(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "SubmittedAt",
                table: "PushCampaigns",
                type: "datetime2",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "TargetIds",
                table: "PushCampaigns",
                type: "nvarchar(1000)",
                maxLength: 1000,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "TimeZoneFilter",
                table: "PushCampaigns",
                type: "nvarchar(2000)",
                maxLength: 2000,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<DateTime>(
                name: "UpdatedAt",
                table: "PushCampaigns",
                type: "datetime2",
                nullable: false,
                defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified));

            migrationBuilder.CreateIndex(
                name: "IX_PushCampaigns_NextRunAt",
                table: "PushCampaigns",
                column: "NextRunAt");

            migrationBuilder.CreateIndex(
                name: "IX_PushCampaigns_ParentId",
                table: "PushCampaigns",
                column: "ParentId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_PushCampaigns_NextRunAt",
                table: "PushCampaigns");

            migrationBuilder.DropIndex(
                name: "IX_PushCampaigns_ParentId",
                table: "PushCampaigns");

            migrationBuilder.DropColumn(
                name: "ApprovedAt",
                table: "PushCampaigns");

            migrationBuilder.DropColumn(
                name: "CancelledAt",
                table: "PushCampaigns");

            migrationBuilder.DropColumn(
                name: "CancelledById",
                table: "PushCampaigns");

            migrationBuilder.DropColumn(
                name: "CriticalReason",
                table: "PushCampaigns");

            migrationBuilder.DropColumn(
                name: "Cron",
                table: "PushCampaigns");

            migrationBuilder.DropColumn(
                name: "ExcludePushedWithinHours",
                table: "PushCampaigns");

            migrationBuilder.DropColumn(
                name: "FanoutCursor",
                table: "PushCampaigns");

            migrationBuilder.DropColumn(
                name: "NextRunAt",
                table: "PushCampaigns");

            migrationBuilder.DropColumn(
                name: "ParentId",
                table: "PushCampaigns");

            migrationBuilder.DropColumn(
                name: "QueuedAt",
                table: "PushCampaigns");

            migrationBuilder.DropColumn(
                name: "ReviewNote",
                table: "PushCampaigns");

            migrationBuilder.DropColumn(
                name: "ScheduleTimeZoneId",
                table: "PushCampaigns");

            migrationBuilder.DropColumn(
                name: "SubmittedAt",
                table: "PushCampaigns");

            migrationBuilder.DropColumn(
                name: "TargetIds",
                table: "PushCampaigns");

            migrationBuilder.DropColumn(
                name: "TimeZoneFilter",
                table: "PushCampaigns");

            migrationBuilder.DropColumn(
                name: "UpdatedAt",
                table: "PushCampaigns");
        }
    }
}
