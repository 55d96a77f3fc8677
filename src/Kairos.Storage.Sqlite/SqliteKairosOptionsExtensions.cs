using Kairos.Hosting;

namespace Kairos.Storage.Sqlite;

public static class SqliteKairosOptionsExtensions
{
    /// <summary>
    /// Stores everything in one SQLite file (WAL mode), created on first start. Also makes
    /// <c>sqlite</c> available to SQL poll triggers (any SQLite database, not only this one).
    /// </summary>
    public static KairosOptions UseSqlite(this KairosOptions options, string path)
    {
        options.StoreFactory = (_, node) => new SqliteStore(path, node);
        options.SqlPollProviders.TryAdd("sqlite", connectionString => new Microsoft.Data.Sqlite.SqliteConnection(connectionString));
        return options;
    }
}
