using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NewsPush.Data.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class AddSearch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Full-text index of articles. The app writes segmented text (CJK unigrams + bigrams, see
            // TextSegmenter), so the neutral word breaker (LANGUAGE 0) splits it on spaces for every language.
            migrationBuilder.Sql("""
                CREATE TABLE ArticleSearchDocuments (
                    ArticleId int NOT NULL CONSTRAINT PK_ArticleSearchDocuments PRIMARY KEY,
                    Title nvarchar(max) NOT NULL,
                    Body nvarchar(max) NOT NULL,
                    CONSTRAINT FK_ArticleSearchDocuments_Articles FOREIGN KEY (ArticleId) REFERENCES Articles (Id) ON DELETE CASCADE);
                """);
            // Full-text DDL cannot run inside a transaction.
            migrationBuilder.Sql("IF NOT EXISTS (SELECT 1 FROM sys.fulltext_catalogs WHERE name = 'NewsPushCatalog') CREATE FULLTEXT CATALOG NewsPushCatalog;", suppressTransaction: true);
            migrationBuilder.Sql("""
                CREATE FULLTEXT INDEX ON ArticleSearchDocuments (Title LANGUAGE 0, Body LANGUAGE 0)
                    KEY INDEX PK_ArticleSearchDocuments ON NewsPushCatalog WITH CHANGE_TRACKING AUTO;
                """, suppressTransaction: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP FULLTEXT INDEX ON ArticleSearchDocuments;", suppressTransaction: true);
            migrationBuilder.Sql("DROP TABLE ArticleSearchDocuments;");
            migrationBuilder.Sql("IF EXISTS (SELECT 1 FROM sys.fulltext_catalogs WHERE name = 'NewsPushCatalog') DROP FULLTEXT CATALOG NewsPushCatalog;", suppressTransaction: true);
        }
    }
}
