using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NewsPush.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ReaderJoinedAt : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "JoinedAt",
                table: "ReaderPreferences",
                type: "TEXT",
                nullable: false,
                defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified));

            // Every reader joined when their account was made.
            migrationBuilder.Sql("""
                UPDATE "ReaderPreferences" SET "JoinedAt" = COALESCE((SELECT u."CreatedAt" FROM "AspNetUsers" u WHERE u."Id" = "ReaderPreferences"."UserId"), "JoinedAt");
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "JoinedAt",
                table: "ReaderPreferences");
        }
    }
}
