using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NewsPush.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AddSearch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Full-text index of articles (FTS5). The app writes segmented text (CJK characters as
            // unigrams + bigrams, see TextSegmenter), so unicode61 finds Chinese words; rowid = Articles.Id.
            migrationBuilder.Sql("CREATE VIRTUAL TABLE ArticleSearch USING fts5(Title, Body, tokenize = 'unicode61 remove_diacritics 2');");
            // Deleting an article removes its entry even when the delete bypasses EF.
            migrationBuilder.Sql("CREATE TRIGGER ArticleSearch_AfterDelete AFTER DELETE ON Articles BEGIN DELETE FROM ArticleSearch WHERE rowid = old.Id; END;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS ArticleSearch_AfterDelete;");
            migrationBuilder.Sql("DROP TABLE IF EXISTS ArticleSearch;");
        }
    }
}
