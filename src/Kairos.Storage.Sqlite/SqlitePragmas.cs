using Microsoft.Data.Sqlite;

namespace Kairos.Storage.Sqlite;

/// <summary>
/// Connection settings. WAL lets readers run alongside the writer; synchronous=NORMAL in WAL mode
/// keeps every commit durable against a process crash (only an OS crash can lose the last commits),
/// which is the durability the engine promises for a killed server.
/// </summary>
internal static class SqlitePragmas
{
    public static void ApplyToWriter(SqliteConnection connection)
    {
        Run(connection, "PRAGMA journal_mode=WAL");
        Run(connection, "PRAGMA synchronous=NORMAL");
        Run(connection, "PRAGMA busy_timeout=10000");
        Run(connection, "PRAGMA temp_store=MEMORY");
        // Checkpoints run in the background (SqliteCheckpointer), not inside a commit of the writer.
        Run(connection, "PRAGMA wal_autocheckpoint=0");
    }

    public static void ApplyToReader(SqliteConnection connection) =>
        Run(connection, "PRAGMA busy_timeout=10000");

    private static void Run(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
