using Kairos.Storage.Sqlite;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Chooses SQLite as Kairos's store.</summary>
public static class SqliteKairosBuilderExtensions
{
    /// <summary>
    /// Stores everything in one SQLite file (WAL mode), created on first start. Also makes
    /// <c>sqlite</c> available to SQL poll triggers (any SQLite database, not only this one).
    /// </summary>
    public static IKairosBuilder UseSqlite(this IKairosBuilder builder, string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return builder.Configure(o =>
        {
            o.StoreFactory = (_, node) => new SqliteStore(path, node);
            o.SqlPollProviders.TryAdd("sqlite", connectionString => new Microsoft.Data.Sqlite.SqliteConnection(connectionString));
        });
    }
}
