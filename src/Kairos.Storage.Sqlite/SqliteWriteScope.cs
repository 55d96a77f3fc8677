using Microsoft.Data.Sqlite;

namespace Kairos.Storage.Sqlite;

/// <summary>
/// The writer connection as seen by one write: prepared statements are cached by SQL text, so the
/// hot statements (enqueue, claim, complete, journal) are compiled once per process.
/// <see cref="Execute"/>, <see cref="Scalar"/> and <see cref="Query"/> run through <see cref="SqliteStatement"/>;
/// <see cref="Command"/> gives a Microsoft.Data.Sqlite command for the colder reads.
/// </summary>
internal sealed class SqliteWriteScope(SqliteConnection connection) : IDisposable
{
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SqliteStatement> _statements = new(StringComparer.Ordinal);

    public SqliteCommand Command(string sql, params (string Name, object? Value)[] parameters)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = connection.CreateCommand();
            command.CommandText = sql;
            foreach (var (name, _) in parameters)
            {
                command.Parameters.Add(new SqliteParameter { ParameterName = name });
            }
            _commands[sql] = command;
        }
        // The same SQL text always comes with the same parameters in the same order: set their values.
        for (var i = 0; i < parameters.Length; i++)
        {
            command.Parameters[i].Value = parameters[i].Value ?? DBNull.Value;
        }
        return command;
    }

    /// <summary>The rowid of the last row inserted on the writer connection (no statement needed).</summary>
    public long LastInsertRowId => SQLitePCL.raw.sqlite3_last_insert_rowid(connection.Handle);

    /// <summary>Runs one statement; returns the rows it inserted, updated or deleted.</summary>
    public int Execute(string sql, params (string Name, object? Value)[] parameters)
    {
        var statement = Statement(sql, parameters);
        statement.Run(parameters);
        return statement.Changes;
    }

    /// <summary>Runs one statement; returns the first column of its first row, or null.</summary>
    public object? Scalar(string sql, params (string Name, object? Value)[] parameters) =>
        Statement(sql, parameters).Run(parameters);

    /// <summary>Runs one statement and maps every row it returns.</summary>
    public List<T> Query<T>(string sql, Func<SqliteStatement, T> map, params (string Name, object? Value)[] parameters) =>
        Statement(sql, parameters).Query(parameters, map);

    private SqliteStatement Statement(string sql, (string Name, object? Value)[] parameters)
    {
        if (!_statements.TryGetValue(sql, out var statement))
        {
            statement = new SqliteStatement(connection.Handle!, sql, parameters);
            _statements[sql] = statement;
        }
        return statement;
    }

    public void Dispose()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }
        _commands.Clear();
        foreach (var statement in _statements.Values)
        {
            statement.Dispose();
        }
        _statements.Clear();
    }
}
