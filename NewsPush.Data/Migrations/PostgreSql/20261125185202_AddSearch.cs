using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NewsPush.Data.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class AddSearch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Full-text index of articles: a weighted tsvector ('simple' configuration; the app writes
            // segmented text with CJK unigrams + bigrams, see TextSegmenter) with a GIN index.
            migrationBuilder.Sql("""
                CREATE TABLE "ArticleSearchDocuments" (
                    "ArticleId" integer NOT NULL PRIMARY KEY REFERENCES "Articles" ("Id") ON DELETE CASCADE,
                    "Document" tsvector NOT NULL);
                """);
            migrationBuilder.Sql("""CREATE INDEX "IX_ArticleSearchDocuments_Document" ON "ArticleSearchDocuments" USING GIN ("Document");""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP TABLE IF EXISTS "ArticleSearchDocuments";""");
        }
    }
}
