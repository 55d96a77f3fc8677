using Kairos.Storage.Postgres;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Chooses PostgreSQL as Kairos's store.</summary>
public static class PostgresKairosBuilderExtensions
{
    /// <summary>
    /// Stores everything in PostgreSQL, in its own schema (created with its tables on first start).
    /// Several nodes may share one database and schema. Also makes <c>postgres</c> available to SQL
    /// poll triggers.
    /// </summary>
    public static IKairosBuilder UsePostgres(this IKairosBuilder builder, string connectionString, string schema = PostgresStore.DefaultSchema)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return builder.Configure(o =>
        {
            o.StoreFactory = (_, node) => new PostgresStore(connectionString, node, schema);
            o.SqlPollProviders.TryAdd("postgres", cs => new Npgsql.NpgsqlConnection(cs));
        });
    }
}
