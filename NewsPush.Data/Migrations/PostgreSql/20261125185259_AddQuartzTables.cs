using Microsoft.EntityFrameworkCore.Migrations;
using NewsPush.Data.Migrations.Quartz;

#nullable disable

namespace NewsPush.Data.Migrations.PostgreSql
{
    /// <summary>Quartz.NET's job-store tables (QRTZ_*), hand-written: the EF model does not map them.</summary>
    public partial class AddQuartzTables : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            foreach (var statement in QuartzSchema.CreateStatements("postgres"))
            {
                migrationBuilder.Sql(statement);
            }
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var statement in QuartzSchema.DropStatements())
            {
                migrationBuilder.Sql(statement);
            }
        }
    }
}
