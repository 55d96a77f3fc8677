using System.Text.Json.Nodes;
using Kairos.Model;
using Kairos.Storage;
using Kairos.Tests.Support;
using Npgsql;

namespace Kairos.Tests.Engine.Triggers;

/// <summary>The SQL poll trigger against a real PostgreSQL server: the database-change trigger.</summary>
public sealed class PostgresPollTriggerTests
{
    private static async Task ExecuteAsync(string connectionString, params string[] statements)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        foreach (var sql in statements)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }
    }

    [PostgresFact]
    public async Task A_postgres_sql_poll_fires_once_per_new_row_above_the_watermark()
    {
        var server = PostgresFactAttribute.ConnectionString!;
        var table = "orders_" + Guid.NewGuid().ToString("N")[..10];
        await ExecuteAsync(server, $"CREATE TABLE {table} (id integer PRIMARY KEY, item text NOT NULL)", $"INSERT INTO {table} VALUES (2, 'b'), (1, 'a')");
        try
        {
            await using var t = await TestEngine.CreateAsync(configure: o => o.SqlPollProviders["postgres"] = cs => new NpgsqlConnection(cs));
            var sql = new SqlPollSpec("postgres", server, $"SELECT id, item FROM {table} WHERE id > COALESCE(@watermark::integer, 0) ORDER BY id", "id");
            await t.Engine.SaveJobAsync(TestEngine.Job("orders", change: j => j with { Triggers = [new PollTriggerSpec { Sql = sql, Interval = TimeSpan.FromSeconds(10) }] }));
            await t.StartAsync();

            async Task<List<string>> ItemsAsync() =>
                (await t.Store.ListRunsAsync(new RunQuery { JobName = "orders", Limit = 100 }, CancellationToken.None))
                    .OrderBy(r => r.Id)
                    .Select(r => JsonNode.Parse(r.Payload!)!["context"]!["item"]!.GetValue<string>())
                    .ToList();

            await Eventually.TrueAsync(async () => (await ItemsAsync()).Count == 2, "the two existing rows to fire");
            Assert.Equal(["a", "b"], await ItemsAsync());

            await ExecuteAsync(server, $"INSERT INTO {table} VALUES (3, 'c')");
            await Eventually.TrueAsync(() => t.Clock.NextTimerDue() is not null, "the next poll to be scheduled");
            t.Clock.Advance(TimeSpan.FromSeconds(10));
            await Eventually.TrueAsync(async () => (await ItemsAsync()).Count == 3, "the new row to fire");
            t.Clock.Advance(TimeSpan.FromSeconds(10));
            await Eventually.TrueAsync(async () => (await t.Store.GetPollStateAsync((await t.Store.ListTriggersAsync("orders", CancellationToken.None)).Single().Id, CancellationToken.None))?.LastPollAt >= t.Clock.GetUtcNow(),
                "a poll with nothing new");
            Assert.Equal(["a", "b", "c"], await ItemsAsync());
        }
        finally
        {
            await ExecuteAsync(server, $"DROP TABLE IF EXISTS {table}");
        }
    }
}
