using Microsoft.Data.Sqlite;

namespace Kairos.Storage.Sqlite;

/// <summary>
/// The current row of a query, whether read through Microsoft.Data.Sqlite (<see cref="ReaderRow"/>)
/// or through SQLite's C API (<see cref="SqliteStatement"/>), so each mapping in <see cref="SqliteRows"/>
/// is written once.
/// </summary>
internal interface ISqliteRow
{
    bool IsNull(int column);

    long Int64(int column);

    string Text(int column);
}

/// <summary>A Microsoft.Data.Sqlite reader seen as an <see cref="ISqliteRow"/>.</summary>
internal readonly struct ReaderRow(SqliteDataReader reader) : ISqliteRow
{
    public bool IsNull(int column) => reader.IsDBNull(column);

    public long Int64(int column) => reader.GetInt64(column);

    public string Text(int column) => reader.GetString(column);
}
