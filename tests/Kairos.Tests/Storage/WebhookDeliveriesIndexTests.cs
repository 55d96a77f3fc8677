using Kairos.Server.Dashboard;
using Kairos.Storage;
using Kairos.Storage.Postgres;
using Kairos.Storage.Sqlite;
using Kairos.Tests.Support;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Kairos.Tests.Storage;

/// <summary>
/// The webhook deliveries page's query (the newest webhook.* journal entries) reads the partial index made for it
/// (SQLite migration 17, PostgreSQL 15), not the whole journal: checked in each database's own query plan, on a
/// journal where the deliveries are few among many other entries.
/// </summary>
public sealed class WebhookDeliveriesIndexTests : IDisposable
{
    private static readonly JournalQuery Deliveries = new() { Kinds = WebhookDeliveryLine.Kinds, NewestFirst = true, Limit = 400 };
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task On_SQLite_the_deliveries_query_walks_the_partial_index()
    {
        var path = _directory.File("kairos.db");
        await using (var store = new SqliteStore(path, "n"))
        {
            await store.MigrateAsync(CancellationToken.None);
        }
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync();
        await using (var fill = connection.CreateCommand())
        {
            fill.CommandText =
                """
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
                INSERT INTO journal (seq, at, kind) SELECT i, i, CASE WHEN i % 1000 = 0 THEN 'webhook.accepted' ELSE 'run.started' END FROM n;
                ANALYZE;
                """;
            await fill.ExecuteNonQueryAsync();
        }

        await using var explain = SqliteStore.JournalCommand(connection, Deliveries);
        explain.CommandText = "EXPLAIN QUERY PLAN " + explain.CommandText;
        var plan = new List<string>();
        await using (var reader = await explain.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                plan.Add(reader.GetString(3));
            }
        }

        Assert.Contains(plan, step => step.Contains("INDEX ix_journal_webhook_deliveries", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, step => step.Contains("TEMP B-TREE", StringComparison.Ordinal)); // Read in order: no sort.
    }

    [PostgresFact]
    public async Task On_PostgreSQL_the_deliveries_query_scans_the_partial_index()
    {
        var schema = "kairos_t_" + Guid.NewGuid().ToString("N")[..12];
        try
        {
            await using (var store = new PostgresStore(PostgresFactAttribute.ConnectionString!, "n", schema))
            {
                await store.MigrateAsync(CancellationToken.None);
            }
            await PostgresSchema.ExecuteAsync(
                $"""
                INSERT INTO {schema}.journal (at, kind) SELECT i, CASE WHEN i % 1000 = 0 THEN 'webhook.accepted' ELSE 'run.started' END FROM generate_series(1, 20000) i;
                ANALYZE {schema}.journal;
                """);
            await using var connection = new NpgsqlConnection(PostgresFactAttribute.ConnectionString);
            await connection.OpenAsync();
            await using var explain = new NpgsqlCommand($"SET search_path TO {schema}; EXPLAIN " + PostgresStore.JournalSql(Deliveries), connection);
            foreach (var (name, value) in PostgresStore.JournalParameters(Deliveries))
            {
                explain.Parameters.AddWithValue(name, value ?? DBNull.Value);
            }
            var plan = new List<string>();
            await using (var reader = await explain.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    plan.Add(reader.GetString(0));
                }
            }

            Assert.Contains(plan, step => step.Contains("ix_journal_webhook_deliveries", StringComparison.Ordinal));
        }
        finally
        {
            await PostgresSchema.DropAsync(schema);
        }
    }

    [Fact]
    public void A_kind_that_is_not_a_word_is_refused_before_it_reaches_the_sql()
    {
        var error = Assert.Throws<ArgumentException>(() => new JournalQuery { Kinds = ["webhook.accepted", "x') OR ('1'='1"] }.LiteralKinds);

        Assert.Contains("is not a journal kind", error.Message);
    }
}
