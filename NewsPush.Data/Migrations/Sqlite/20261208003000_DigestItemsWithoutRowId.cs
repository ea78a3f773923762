using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NewsPush.Data.Migrations.Sqlite
{
    /// <summary>
    /// SQLite only, no model change: the digest items become a <c>WITHOUT ROWID</c> table, stored in their primary key's
    /// own b-tree (digest, article) instead of a row-id table plus a separate index of that key — one b-tree fewer for
    /// each of the eight items a digest writes (ADR-027). EF has no model option for it: a later migration that rebuilds
    /// this table must keep the clause.
    /// </summary>
    [DbContext(typeof(SqliteNewsPushDbContext))]
    [Migration("20261208003000_DigestItemsWithoutRowId")]
    public partial class DigestItemsWithoutRowId : Migration
    {
        private const string Columns = "\"DigestId\", \"ArticleId\", \"Position\", \"Score\", \"Reason\"";

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder) => Rebuild(migrationBuilder, " WITHOUT ROWID");

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder) => Rebuild(migrationBuilder, "");

        private static void Rebuild(MigrationBuilder migrationBuilder, string clause)
        {
            migrationBuilder.Sql($"""
                CREATE TABLE "ef_temp_DigestItems" (
                    "DigestId" INTEGER NOT NULL,
                    "ArticleId" INTEGER NOT NULL,
                    "Position" INTEGER NOT NULL,
                    "Score" REAL NOT NULL,
                    "Reason" TEXT NOT NULL,
                    CONSTRAINT "PK_DigestItems" PRIMARY KEY ("DigestId", "ArticleId"),
                    CONSTRAINT "FK_DigestItems_Articles_ArticleId" FOREIGN KEY ("ArticleId") REFERENCES "Articles" ("Id") ON DELETE CASCADE,
                    CONSTRAINT "FK_DigestItems_Digests_DigestId" FOREIGN KEY ("DigestId") REFERENCES "Digests" ("Id") ON DELETE CASCADE
                ){clause};
                """);
            migrationBuilder.Sql($"""INSERT INTO "ef_temp_DigestItems" ({Columns}) SELECT {Columns} FROM "DigestItems";""");
            migrationBuilder.Sql("""DROP TABLE "DigestItems";""");
            migrationBuilder.Sql("""ALTER TABLE "ef_temp_DigestItems" RENAME TO "DigestItems";""");
            migrationBuilder.Sql("""CREATE INDEX "IX_DigestItems_ArticleId" ON "DigestItems" ("ArticleId");""");
        }
    }
}
