using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Kairos.Storage.Sqlite;

/// <summary>
/// One prepared statement of the writer, run through SQLite's C API. Microsoft.Data.Sqlite looks
/// up every parameter by name on every execution and reads even a scalar through a data reader:
/// for the writer's hot statements that was about a quarter of its time. Here parameter positions
/// are looked up once, when the statement is prepared; a call passes the same names in the same order.
/// </summary>
internal sealed class SqliteStatement : ISqliteRow, IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;
    private readonly int[] _positions;

    public SqliteStatement(sqlite3 db, string sql, ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        _db = db;
        SqliteException.ThrowExceptionForRC(raw.sqlite3_prepare_v2(db, sql, out _statement, out var tail), db);
        if (!string.IsNullOrWhiteSpace(tail))
        {
            throw new ArgumentException($"one statement per call: {sql}", nameof(sql));
        }
        _positions = new int[parameters.Length];
        for (var i = 0; i < parameters.Length; i++)
        {
            _positions[i] = raw.sqlite3_bind_parameter_index(_statement, parameters[i].Name); // 0: not in the SQL, not bound.
        }
    }

    /// <summary>
    /// Runs the statement up to its first row (a write makes all its changes there, RETURNING
    /// included) and returns that row's first column, or null when there is no row.
    /// </summary>
    public object? Run(ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        try
        {
            BindAll(parameters);
            var rc = raw.sqlite3_step(_statement);
            if (rc == raw.SQLITE_ROW)
            {
                return FirstColumn();
            }
            Check(rc == raw.SQLITE_DONE ? raw.SQLITE_OK : rc);
            return null;
        }
        finally
        {
            raw.sqlite3_reset(_statement);
        }
    }

    /// <summary>Runs the statement to its end and maps every row it returns (this statement is the row).</summary>
    public List<T> Query<T>(ReadOnlySpan<(string Name, object? Value)> parameters, Func<SqliteStatement, T> map)
    {
        try
        {
            BindAll(parameters);
            var rows = new List<T>();
            int rc;
            while ((rc = raw.sqlite3_step(_statement)) == raw.SQLITE_ROW)
            {
                rows.Add(map(this));
            }
            Check(rc == raw.SQLITE_DONE ? raw.SQLITE_OK : rc);
            return rows;
        }
        finally
        {
            raw.sqlite3_reset(_statement);
        }
    }

    public bool IsNull(int column) => raw.sqlite3_column_type(_statement, column) == raw.SQLITE_NULL;

    public long Int64(int column) => raw.sqlite3_column_int64(_statement, column);

    public string Text(int column) => raw.sqlite3_column_text(_statement, column).utf8_to_string();

    /// <summary>Rows inserted, updated or deleted by the last <see cref="Run"/>.</summary>
    public int Changes => raw.sqlite3_changes(_db);

    private void BindAll(ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        for (var i = 0; i < parameters.Length; i++)
        {
            if (_positions[i] != 0)
            {
                Check(Bind(_positions[i], parameters[i].Value));
            }
        }
    }

    private int Bind(int position, object? value) => value switch
    {
        null or DBNull => raw.sqlite3_bind_null(_statement, position),
        long number => raw.sqlite3_bind_int64(_statement, position, number),
        int number => raw.sqlite3_bind_int64(_statement, position, number),
        bool flag => raw.sqlite3_bind_int64(_statement, position, flag ? 1 : 0),
        double number => raw.sqlite3_bind_double(_statement, position, number),
        string text => raw.sqlite3_bind_text(_statement, position, text),
        _ => throw new NotSupportedException($"cannot bind a {value.GetType().Name} to SQLite"),
    };

    private object? FirstColumn() => raw.sqlite3_column_type(_statement, 0) switch
    {
        raw.SQLITE_INTEGER => raw.sqlite3_column_int64(_statement, 0),
        raw.SQLITE_FLOAT => raw.sqlite3_column_double(_statement, 0),
        raw.SQLITE_TEXT => raw.sqlite3_column_text(_statement, 0).utf8_to_string(),
        raw.SQLITE_BLOB => raw.sqlite3_column_blob(_statement, 0).ToArray(),
        _ => null,
    };

    private void Check(int rc) => SqliteException.ThrowExceptionForRC(rc, _db);

    public void Dispose() => _statement.Dispose();
}
