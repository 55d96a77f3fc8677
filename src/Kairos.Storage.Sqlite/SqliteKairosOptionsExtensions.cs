using Kairos.Hosting;

namespace Kairos.Storage.Sqlite;

public static class SqliteKairosOptionsExtensions
{
    /// <summary>Stores everything in one SQLite file (WAL mode), created on first start.</summary>
    public static KairosOptions UseSqlite(this KairosOptions options, string path)
    {
        options.StoreFactory = (_, node) => new SqliteStore(path, node);
        return options;
    }
}
