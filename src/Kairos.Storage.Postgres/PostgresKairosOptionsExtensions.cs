using Kairos.Hosting;

namespace Kairos.Storage.Postgres;

public static class PostgresKairosOptionsExtensions
{
    /// <summary>
    /// Stores everything in PostgreSQL, in its own schema (created with its tables on first start).
    /// Several nodes may share one database and schema. Also makes <c>postgres</c> available to SQL
    /// poll triggers.
    /// </summary>
    public static KairosOptions UsePostgres(this KairosOptions options, string connectionString, string schema = PostgresStore.DefaultSchema)
    {
        options.StoreFactory = (_, node) => new PostgresStore(connectionString, node, schema);
        options.SqlPollProviders.TryAdd("postgres", cs => new Npgsql.NpgsqlConnection(cs));
        return options;
    }
}
