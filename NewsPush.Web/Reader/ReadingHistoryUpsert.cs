using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using NewsPush.Data;
using Npgsql;
using NpgsqlTypes;

namespace NewsPush.Web.Reader;

/// <summary>
/// <see cref="ReadingHistory"/>'s batch as two set-based statements on SQLite and PostgreSQL, with no change tracking:
/// an upsert of the rows that opened an article (a new row, or the counts added to the stored one, in one statement, so two
/// nodes writing the same pair both count) and an update of the rows that only add dwell time (a beacon for an article
/// never opened makes no row). Readers deleted since and articles removed since are left out. A stored row has a read
/// count of at least one, so a row the upsert returns with exactly the batch's count was new: those readers gained an article.
/// </summary>
internal static class ReadingHistoryUpsert
{
    public readonly record struct Row(string UserId, int ArticleId, DateTime FirstAt, DateTime LastAt, int Reads, double Dwell);

    private const string SqliteUpsert = """
        INSERT INTO "ArticleReads" ("UserId", "ArticleId", "FirstReadAt", "LastReadAt", "ReadCount", "DwellSeconds")
        SELECT j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3, j.value ->> 4, j.value ->> 5
        FROM json_each(CAST(@rows AS TEXT)) AS j
        WHERE EXISTS (SELECT 1 FROM "AspNetUsers" AS u WHERE u."Id" = j.value ->> 0 AND u."DeletedAt" IS NULL)
          AND EXISTS (SELECT 1 FROM "Articles" AS a WHERE a."Id" = j.value ->> 1)
        ON CONFLICT ("UserId", "ArticleId") DO UPDATE SET
          "LastReadAt" = max("LastReadAt", excluded."LastReadAt"),
          "ReadCount" = "ReadCount" + excluded."ReadCount",
          "DwellSeconds" = "DwellSeconds" + excluded."DwellSeconds"
        RETURNING "UserId", "ReadCount", "ArticleId"
        """;

    private const string SqliteDwell = """
        UPDATE "ArticleReads" SET
          "LastReadAt" = max("LastReadAt", j.value ->> 2),
          "DwellSeconds" = "DwellSeconds" + (j.value ->> 3)
        FROM json_each(CAST(@rows AS TEXT)) AS j
        WHERE "ArticleReads"."UserId" = j.value ->> 0 AND "ArticleReads"."ArticleId" = j.value ->> 1
        """;

    private const string PostgresUpsert = """
        INSERT INTO "ArticleReads" ("UserId", "ArticleId", "FirstReadAt", "LastReadAt", "ReadCount", "DwellSeconds")
        SELECT t.u, t.a, t.f, t.l, t.r, t.d
        FROM unnest(@u, @a, @f, @l, @r, @d) AS t(u, a, f, l, r, d)
        WHERE EXISTS (SELECT 1 FROM "AspNetUsers" AS x WHERE x."Id" = t.u AND x."DeletedAt" IS NULL)
          AND EXISTS (SELECT 1 FROM "Articles" AS y WHERE y."Id" = t.a)
        ON CONFLICT ("UserId", "ArticleId") DO UPDATE SET
          "LastReadAt" = GREATEST("ArticleReads"."LastReadAt", excluded."LastReadAt"),
          "ReadCount" = "ArticleReads"."ReadCount" + excluded."ReadCount",
          "DwellSeconds" = "ArticleReads"."DwellSeconds" + excluded."DwellSeconds"
        RETURNING "UserId", "ReadCount", "ArticleId"
        """;

    private const string PostgresDwell = """
        UPDATE "ArticleReads" AS r SET
          "LastReadAt" = GREATEST(r."LastReadAt", t.l),
          "DwellSeconds" = r."DwellSeconds" + t.d
        FROM unnest(@u, @a, @l, @d) AS t(u, a, l, d)
        WHERE r."UserId" = t.u AND r."ArticleId" = t.a
        """;

    /// <summary>A row the upsert wrote: its reader, article and read count afterwards.</summary>
    private sealed class Written
    {
        public string UserId { get; set; } = "";
        public int ArticleId { get; set; }
        public int ReadCount { get; set; }
    }

    /// <summary>
    /// Writes the rows (each (reader, article) pair once) in one transaction; returns the readers who gained a row. The
    /// statements go through EF's raw SQL, so the context's command interceptors see them as they see SaveChanges.
    /// </summary>
    public static async Task<List<string>> WriteAsync(NewsPushDbContext db, IReadOnlyList<Row> rows, CancellationToken ct)
    {
        var opened = rows.Where(r => r.Reads > 0).ToList();
        var dwelled = rows.Where(r => r.Reads == 0).ToList();
        var postgres = db.Database.IsNpgsql();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var gained = new List<string>();
        if (opened.Count > 0)
        {
            var reads = opened.ToDictionary(r => (r.UserId, r.ArticleId), r => r.Reads);
            var written = await db.Database.SqlQueryRaw<Written>(postgres ? PostgresUpsert : SqliteUpsert, Parameters(postgres, opened, full: true)).ToListAsync(ct);
            gained = written.Where(w => reads.TryGetValue((w.UserId, w.ArticleId), out var n) && w.ReadCount == n).Select(w => w.UserId).Distinct(StringComparer.Ordinal).ToList();
        }
        if (dwelled.Count > 0)
        {
            await db.Database.ExecuteSqlRawAsync(postgres ? PostgresDwell : SqliteDwell, Parameters(postgres, dwelled, full: false), ct);
        }
        await transaction.CommitAsync(ct);
        return gained;
    }

    private static object[] Parameters(bool postgres, List<Row> rows, bool full) =>
        postgres ? PostgresParameters(rows, full) : [new SqliteParameter("@rows", SqliteJson(rows, full))];

    /// <summary>
    /// The rows as one JSON array of arrays, dates in Microsoft.Data.Sqlite's text form as EF stores them; UTF-8 bytes read
    /// as text by the statement, as <c>BulkInsertAsync</c> sends its rows.
    /// </summary>
    private static byte[] SqliteJson(List<Row> rows, bool full)
    {
        var buffer = new ArrayBufferWriter<byte>(rows.Count * 96);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var r in rows)
            {
                json.WriteStartArray();
                json.WriteStringValue(r.UserId);
                json.WriteNumberValue(r.ArticleId);
                if (full)
                {
                    json.WriteStringValue(SqliteDate(r.FirstAt));
                }
                json.WriteStringValue(SqliteDate(r.LastAt));
                if (full)
                {
                    json.WriteNumberValue(r.Reads);
                }
                json.WriteNumberValue(r.Dwell);
                json.WriteEndArray();
            }
            json.WriteEndArray();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static string SqliteDate(DateTime at) => Utc(at).ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);

    /// <summary>The rows as one array parameter per column, read back as a table by <c>unnest</c>.</summary>
    private static object[] PostgresParameters(List<Row> rows, bool full)
    {
        List<object> parameters =
        [
            new NpgsqlParameter("u", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = rows.Select(r => r.UserId).ToArray() },
            new NpgsqlParameter("a", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = rows.Select(r => r.ArticleId).ToArray() },
            new NpgsqlParameter("l", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = rows.Select(r => Utc(r.LastAt)).ToArray() },
            new NpgsqlParameter("d", NpgsqlDbType.Array | NpgsqlDbType.Double) { Value = rows.Select(r => r.Dwell).ToArray() },
        ];
        if (full)
        {
            parameters.Add(new NpgsqlParameter("f", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = rows.Select(r => Utc(r.FirstAt)).ToArray() });
            parameters.Add(new NpgsqlParameter("r", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = rows.Select(r => r.Reads).ToArray() });
        }
        return [.. parameters];
    }

    private static DateTime Utc(DateTime at) => at.Kind == DateTimeKind.Utc ? at : at.ToUniversalTime();
}
