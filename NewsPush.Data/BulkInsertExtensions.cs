using System.Buffers;
using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace NewsPush.Data;

/// <summary>
/// Multi-row parameterised INSERTs for the write-heavy paths (digests, the outbox, inbox messages), where EF's
/// change tracking and — on SQLite — one statement per row cost far more than the database work. Column names,
/// quoting and value conversion come from the EF model, so the statements match what SaveChanges would write
/// on every provider (PostgreSQL: binary COPY; SQLite: the rows as one JSON parameter read with <c>json_each</c>). Rows are written in the context's current transaction; interceptors do not run, and
/// store-generated keys are not read back.
/// </summary>
public static class BulkInsertExtensions
{
    // SQL Server allows 2,100 parameters and 1,000 rows per INSERT … VALUES; PostgreSQL more. SQLite binds each
    // parameter by a name lookup that scans the statement's parameters, so long statements cost quadratic time there.
    private const int MaxParameters = 2000;
    private const int MaxSqliteParameters = 200;
    // JSON per SQLite INSERT … SELECT FROM json_each(@rows): up to about 16,000 characters (then the row ends the chunk),
    // so the parameter's string stays out of the large-object heap, whose allocations cost full collections.
    private const int SqliteJsonBytes = 16_000;

    public static async Task<int> BulkInsertAsync<T>(this DbContext db, IReadOnlyList<T> rows, CancellationToken ct)
        where T : class
    {
        await InsertAsync(db, rows, setKeys: false, ct);
        return rows.Count;
    }

    /// <summary>
    /// As <see cref="BulkInsertAsync{T}"/>, and where the provider can tell the keys without a query by another key, sets
    /// them on the rows: on SQLite, a statement's rows get consecutive row ids ending at <c>last_insert_rowid()</c> (the
    /// transaction holds the only writer); on PostgreSQL the keys are drawn from the column's sequence and copied with the
    /// rows. True when every row's key was set; false when the caller must read them back (SQL Server).
    /// </summary>
    public static Task<bool> BulkInsertSettingKeysAsync<T>(this DbContext db, IReadOnlyList<T> rows, CancellationToken ct)
        where T : class =>
        InsertAsync(db, rows, setKeys: true, ct);

    private static async Task<bool> InsertAsync<T>(DbContext db, IReadOnlyList<T> rows, bool setKeys, CancellationToken ct)
        where T : class
    {
        if (rows.Count == 0)
        {
            return true;
        }
        var entityType = db.Model.FindEntityType(typeof(T))
            ?? throw new InvalidOperationException($"{typeof(T).Name} is not an entity of {db.GetType().Name}.");
        var tableName = entityType.GetTableName() ?? throw new InvalidOperationException($"{typeof(T).Name} is not mapped to a table.");
        var table = StoreObjectIdentifier.Table(tableName, entityType.GetSchema());
        var columns = entityType.GetProperties()
            .Where(p => !p.IsShadowProperty() && !(p.IsPrimaryKey() && p.ValueGenerated == ValueGenerated.OnAdd))
            .Select(p => new Column(p.GetColumnName(table) ?? p.Name, p.GetGetter(), p.GetRelationalTypeMapping(), p.IsNullable))
            .ToArray();
        var sql = db.GetService<ISqlGenerationHelper>();
        var key = entityType.FindPrimaryKey()?.Properties is [var k] && k.ValueGenerated == ValueGenerated.OnAdd
            && (k.ClrType == typeof(long) || k.ClrType == typeof(int)) ? k : null;
        var keysSet = false;

        await db.Database.OpenConnectionAsync(ct);
        try
        {
            var connection = db.Database.GetDbConnection();
            if (connection is Npgsql.NpgsqlConnection npgsql)
            {
                var copied = columns;
                if (setKeys && key is not null)
                {
                    // The keys drawn from the column's own sequence first, then copied with the rows (an identity column
                    // BY DEFAULT takes given values): no read back by a unique key afterwards.
                    await TakeKeysAsync(npgsql, table, key, rows, ct);
                    copied = [new Column(key.GetColumnName(table) ?? key.Name, key.GetGetter(), key.GetRelationalTypeMapping(), false), .. columns];
                    keysSet = true;
                }
                // PostgreSQL: binary COPY, no statement to parse and plan per chunk.
                await CopyAsync(npgsql, sql, table, copied, rows, ct);
            }
            else if (db.Database.IsSqlite() && columns.All(c => JsonKind(c) is not null))
            {
                var setter = setKeys && key is not null ? new KeySetter(key) : null;
                await InsertJsonAsync(connection, db.Database.CurrentTransaction?.GetDbTransaction(), sql, table, columns, rows, setter, ct);
                keysSet = setter is not null;
            }
            else
            {
                var maxParameters = db.Database.IsSqlite() ? MaxSqliteParameters : MaxParameters;
                await InsertAsync(connection, db.Database.CurrentTransaction?.GetDbTransaction(), sql, table, columns, rows, maxParameters, ct);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
        return keysSet || key is null;
    }

    private static async Task InsertAsync<T>(DbConnection connection, DbTransaction? transaction, ISqlGenerationHelper sql, StoreObjectIdentifier table,
        Column[] columns, IReadOnlyList<T> rows, int maxParameters, CancellationToken ct)
        where T : class
    {
        var rowsPerStatement = Math.Clamp(maxParameters / columns.Length, 1, 1000);
        // Every full chunk uses one command (one text), so providers that cache a prepared statement per command reuse it.
        var fullRows = Math.Min(rowsPerStatement, rows.Count);
        await using var full = NewCommand(connection, transaction, InsertSql(sql, table, columns, fullRows));
        for (var start = 0; start < rows.Count; start += rowsPerStatement)
        {
            var count = Math.Min(rowsPerStatement, rows.Count - start);
            if (count == fullRows)
            {
                await ExecuteAsync(full, columns, rows, start, count, ct);
            }
            else
            {
                await using var last = NewCommand(connection, transaction, InsertSql(sql, table, columns, count));
                await ExecuteAsync(last, columns, rows, start, count, ct);
            }
        }
    }

    /// <summary>
    /// SQLite: each chunk of rows is one JSON array of arrays in one parameter, inserted by one statement whose text never
    /// changes (prepared once). Binding a parameter per value cost more than SQLite's own work for narrow rows (a digest's
    /// items). Values are written as Microsoft.Data.Sqlite binds them (date and time as its text format, booleans as 0/1);
    /// a row holding a value JSON cannot carry (a non-finite double) goes through a parameterised statement instead.
    /// </summary>
    private static async Task InsertJsonAsync<T>(DbConnection connection, DbTransaction? transaction, ISqlGenerationHelper sql, StoreObjectIdentifier table,
        Column[] columns, IReadOnlyList<T> rows, KeySetter? keys, CancellationToken ct)
        where T : class
    {
        var text = new StringBuilder("INSERT INTO ").Append(sql.DelimitIdentifier(table.Name, table.Schema)).Append(" (")
            .Append(ColumnList(sql, columns)).Append(") SELECT ");
        for (var c = 0; c < columns.Length; c++)
        {
            text.Append(c == 0 ? "" : ", ").Append("value ->> ").Append(c.ToString(CultureInfo.InvariantCulture));
        }
        // The UTF-8 JSON goes in as a blob read as text: no round trip through a UTF-16 string.
        text.Append(" FROM json_each(CAST(@rows AS TEXT))");
        if (keys is not null)
        {
            text.Append("; SELECT last_insert_rowid(), changes()");
        }
        await using var command = NewCommand(connection, transaction, text.ToString());
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@rows";
        command.Parameters.Add(parameter);
        var kinds = columns.Select(c => JsonKind(c)!.Value).ToArray();
        var buffer = new ArrayBufferWriter<byte>(1 << 16);
        for (var start = 0; start < rows.Count;)
        {
            buffer.ResetWrittenCount();
            var count = WriteJson(buffer, columns, kinds, rows, start);
            if (count == 0)
            {
                await InsertAsync(connection, transaction, sql, table, columns, [rows[start]], MaxSqliteParameters, ct);
                if (keys is not null)
                {
                    await using var last = NewCommand(connection, transaction, "SELECT last_insert_rowid(), changes()");
                    await keys.SetAsync(last, rows, start, 1, ct);
                }
                start++;
                continue;
            }
            parameter.Value = buffer.WrittenSpan.ToArray();
            if (keys is null)
            {
                await command.ExecuteNonQueryAsync(ct);
            }
            else
            {
                await keys.SetAsync(command, rows, start, count, ct);
            }
            start += count;
        }
    }

    private enum JsonValueKind { Text, Integer, Boolean, Real, DateTime }

    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    private static JsonValueKind? JsonKind(Column column)
    {
        var type = column.Mapping.Converter?.ProviderClrType ?? column.Mapping.ClrType;
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type == typeof(string) ? JsonValueKind.Text
            : type == typeof(long) || type == typeof(int) || type == typeof(short) || type == typeof(byte) ? JsonValueKind.Integer
            : type == typeof(bool) ? JsonValueKind.Boolean
            : type == typeof(double) || type == typeof(float) ? JsonValueKind.Real
            : type == typeof(DateTime) ? JsonValueKind.DateTime
            : null;
    }

    /// <summary>Rows from <paramref name="start"/> as one JSON array, up to the chunk's size; 0 when the first row cannot be written as JSON.</summary>
    private static int WriteJson<T>(ArrayBufferWriter<byte> buffer, Column[] columns, JsonValueKind[] kinds, IReadOnlyList<T> rows, int start)
        where T : class
    {
        using var json = new Utf8JsonWriter(buffer, JsonOptions);
        json.WriteStartArray();
        var r = start;
        for (; r < rows.Count && (r == start || json.BytesPending + json.BytesCommitted < SqliteJsonBytes); r++)
        {
            if (!Finite(columns, kinds, rows[r]))
            {
                break;
            }
            json.WriteStartArray();
            for (var c = 0; c < columns.Length; c++)
            {
                var value = columns[c].Getter.GetClrValue(rows[r]);
                if (value is not null && columns[c].Mapping.Converter is { } converter)
                {
                    value = converter.ConvertToProvider(value);
                }
                if (value is null)
                {
                    json.WriteNullValue();
                    continue;
                }
                switch (kinds[c])
                {
                    case JsonValueKind.Text:
                        json.WriteStringValue((string)value);
                        break;
                    case JsonValueKind.Integer:
                        json.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture));
                        break;
                    case JsonValueKind.Boolean:
                        json.WriteNumberValue((bool)value ? 1 : 0);
                        break;
                    case JsonValueKind.Real:
                        json.WriteNumberValue(Convert.ToDouble(value, CultureInfo.InvariantCulture));
                        break;
                    case JsonValueKind.DateTime:
                        // Microsoft.Data.Sqlite's text for a DateTime parameter, so comparisons with the other rows hold.
                        json.WriteStringValue(((DateTime)value).ToString(@"yyyy\-MM\-dd HH\:mm\:ss.FFFFFFF", CultureInfo.InvariantCulture));
                        break;
                }
            }
            json.WriteEndArray();
        }
        json.WriteEndArray();
        json.Flush();
        return r - start;
    }

    /// <summary>False for a row with a NaN or infinite double: JSON has no such number.</summary>
    private static bool Finite<T>(Column[] columns, JsonValueKind[] kinds, T row)
        where T : class
    {
        for (var c = 0; c < columns.Length; c++)
        {
            if (kinds[c] == JsonValueKind.Real && columns[c].Getter.GetClrValue(row) is { } value
                && !double.IsFinite(Convert.ToDouble(columns[c].Mapping.Converter?.ConvertToProvider(value) ?? value, CultureInfo.InvariantCulture)))
            {
                return false;
            }
        }
        return true;
    }

    private static async Task ExecuteAsync<T>(DbCommand command, Column[] columns, IReadOnlyList<T> rows, int start, int count, CancellationToken ct)
        where T : class
    {
        command.Parameters.Clear();
        for (var r = 0; r < count; r++)
        {
            var row = rows[start + r];
            for (var c = 0; c < columns.Length; c++)
            {
                var column = columns[c];
                command.Parameters.Add(column.Mapping.CreateParameter(command, ParameterName(r * columns.Length + c), column.Getter.GetClrValue(row), column.Nullable));
            }
        }
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task CopyAsync<T>(Npgsql.NpgsqlConnection connection, ISqlGenerationHelper sql, StoreObjectIdentifier table, Column[] columns, IReadOnlyList<T> rows, CancellationToken ct)
        where T : class
    {
        var command = $"COPY {sql.DelimitIdentifier(table.Name, table.Schema)} ({ColumnList(sql, columns)}) FROM STDIN (FORMAT BINARY)";
        await using var importer = await connection.BeginBinaryImportAsync(command, ct);
        foreach (var row in rows)
        {
            await importer.StartRowAsync(ct);
            foreach (var column in columns)
            {
                var value = column.Getter.GetClrValue(row);
                if (value is not null && column.Mapping.Converter is { } converter)
                {
                    value = converter.ConvertToProvider(value);
                }
                if (value is null)
                {
                    await importer.WriteNullAsync(ct);
                }
                else
                {
                    await importer.WriteAsync(value, column.Mapping.StoreTypeNameBase, ct);
                }
            }
        }
        await importer.CompleteAsync(ct);
    }

    private static async Task TakeKeysAsync<T>(Npgsql.NpgsqlConnection connection, StoreObjectIdentifier table, IProperty key, IReadOnlyList<T> rows, CancellationToken ct)
        where T : class
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT nextval(pg_get_serial_sequence(@table, @column)) FROM generate_series(1, @count)";
        var quoted = (table.Schema is null ? "" : $"\"{table.Schema}\".") + $"\"{table.Name}\"";
        command.Parameters.Add(new Npgsql.NpgsqlParameter("table", quoted));
        command.Parameters.Add(new Npgsql.NpgsqlParameter("column", key.GetColumnName(table) ?? key.Name));
        command.Parameters.Add(new Npgsql.NpgsqlParameter("count", rows.Count));
        var ids = new List<long>(rows.Count);
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                ids.Add(reader.GetInt64(0));
            }
        }
        if (ids.Count != rows.Count)
        {
            throw new InvalidOperationException($"{table.Name}.{key.Name} has no sequence to take keys from.");
        }
        ids.Sort();
        var setter = new KeySetter(key);
        for (var i = 0; i < rows.Count; i++)
        {
            setter.Set(rows[i], ids[i]);
        }
    }

    private static DbCommand NewCommand(DbConnection connection, DbTransaction? transaction, string text)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = text;
        return command;
    }

    private static string InsertSql(ISqlGenerationHelper sql, StoreObjectIdentifier table, Column[] columns, int rows)
    {
        var text = new StringBuilder("INSERT INTO ").Append(sql.DelimitIdentifier(table.Name, table.Schema)).Append(" (");
        text.Append(ColumnList(sql, columns)).Append(") VALUES ");
        for (var r = 0; r < rows; r++)
        {
            text.Append(r == 0 ? "(" : ", (");
            for (var c = 0; c < columns.Length; c++)
            {
                text.Append(c == 0 ? "" : ", ").Append(ParameterName(r * columns.Length + c));
            }
            text.Append(')');
        }
        return text.ToString();
    }

    private static string ColumnList(ISqlGenerationHelper sql, Column[] columns) => string.Join(", ", columns.Select(c => sql.DelimitIdentifier(c.Name)));

    private static string ParameterName(int index) => "@p" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private sealed record Column(string Name, IClrPropertyGetter Getter, RelationalTypeMapping Mapping, bool Nullable);

    /// <summary>Sets the keys of a statement's rows from its <c>SELECT last_insert_rowid(), changes()</c>.</summary>
    private sealed class KeySetter(IProperty key)
    {
        private readonly System.Reflection.PropertyInfo property = key.PropertyInfo
            ?? throw new InvalidOperationException($"The key {key.Name} has no CLR property to set.");
        private readonly bool int32 = key.ClrType == typeof(int);

        public async Task SetAsync<T>(DbCommand command, IReadOnlyList<T> rows, int start, int count, CancellationToken ct)
            where T : class
        {
            long last, changes;
            await using (var reader = await command.ExecuteReaderAsync(ct))
            {
                if (!await reader.ReadAsync(ct))
                {
                    throw new InvalidOperationException("SQLite did not return the last row id.");
                }
                (last, changes) = (reader.GetInt64(0), reader.GetInt64(1));
            }
            if (changes != count)
            {
                throw new InvalidOperationException($"SQLite inserted {changes} rows of {count}: their keys are not known.");
            }
            for (var i = 0; i < count; i++)
            {
                Set(rows[start + i], last - count + 1 + i);
            }
        }

        public void Set(object row, long id) => property.SetValue(row, int32 ? checked((int)id) : id);
    }
}
