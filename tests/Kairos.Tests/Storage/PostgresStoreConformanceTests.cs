using Kairos.Model;
using Kairos.Storage;
using Kairos.Storage.Postgres;
using Kairos.Tests.Support;
using Npgsql;

namespace Kairos.Tests.Storage;

/// <summary>
/// The conformance suite on PostgreSQL (the server scripts/test starts), each test class instance
/// on a fresh schema dropped afterwards. Without a server every test is reported as skipped.
/// </summary>
[RequiresPostgres]
public sealed class PostgresStoreConformanceTests : StoreConformanceTests, IAsyncLifetime
{
    private readonly string _schema = "kairos_t_" + Guid.NewGuid().ToString("N")[..12];

    private protected override Task<IKairosStore> CreateStoreAsync(string node) =>
        Task.FromResult<IKairosStore>(new PostgresStore(PostgresFactAttribute.ConnectionString!, node, _schema));

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await PostgresSchema.DropAsync(_schema);
    }
}

/// <summary>What only the PostgreSQL store does: its schema, migrations, the append-only journal.</summary>
public sealed class PostgresStoreTests
{
    private static PostgresStore NewStore(string schema) => new(PostgresFactAttribute.ConnectionString!, "n", schema);

    private static string NewSchema() => "kairos_t_" + Guid.NewGuid().ToString("N")[..12];

    [PostgresFact]
    public async Task Nodes_starting_at_once_migrate_the_schema_once()
    {
        var schema = NewSchema();
        try
        {
            var stores = Enumerable.Range(0, 4).Select(_ => NewStore(schema)).ToList();
            await Task.WhenAll(stores.Select(s => s.MigrateAsync(CancellationToken.None)));
            await using var connection = new NpgsqlConnection(PostgresFactAttribute.ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"SELECT COUNT(*), MAX(version) FROM {schema}.kairos_schema", connection);
            await using (var reader = await command.ExecuteReaderAsync())
            {
                await reader.ReadAsync();
                Assert.Equal((1L, PostgresMigrations.LatestVersion), (reader.GetInt64(0), reader.GetInt32(1)));
            }
            foreach (var store in stores)
            {
                await store.DisposeAsync();
            }
        }
        finally
        {
            await PostgresSchema.DropAsync(schema);
        }
    }

    [PostgresFact]
    public async Task A_schema_written_by_a_newer_Kairos_is_refused_with_a_clear_error()
    {
        var schema = NewSchema();
        try
        {
            await using (var store = NewStore(schema))
            {
                await store.MigrateAsync(CancellationToken.None);
            }
            await PostgresSchema.ExecuteAsync($"UPDATE {schema}.kairos_schema SET version = 99");
            await using var newer = NewStore(schema);
            var error = await Assert.ThrowsAsync<KairosStoreException>(() => newer.MigrateAsync(CancellationToken.None));
            Assert.Contains("schema version 99", error.Message);
            Assert.Contains("newer Kairos", error.Message);
        }
        finally
        {
            await PostgresSchema.DropAsync(schema);
        }
    }

    [PostgresFact]
    public async Task The_journal_rejects_updates_and_deletes()
    {
        var schema = NewSchema();
        try
        {
            await using (var store = NewStore(schema))
            {
                await store.MigrateAsync(CancellationToken.None);
                await store.SaveJobAsync(new JobDefinition { Name = "job", Executor = new HandlerExecutorSpec("ok") }, [], DateTimeOffset.UnixEpoch, CancellationToken.None);
            }
            Assert.Contains("append-only", (await Assert.ThrowsAsync<PostgresException>(() => PostgresSchema.ExecuteAsync($"UPDATE {schema}.journal SET kind = 'forged'"))).Message);
            Assert.Contains("append-only", (await Assert.ThrowsAsync<PostgresException>(() => PostgresSchema.ExecuteAsync($"DELETE FROM {schema}.journal"))).Message);
        }
        finally
        {
            await PostgresSchema.DropAsync(schema);
        }
    }

    [PostgresFact]
    public async Task Concurrent_claims_from_two_nodes_never_take_a_run_twice_nor_exceed_a_limit()
    {
        var schema = NewSchema();
        try
        {
            await using var a = NewStore(schema);
            await using var b = NewStore(schema);
            await a.MigrateAsync(CancellationToken.None);
            await b.MigrateAsync(CancellationToken.None);
            var t0 = DateTimeOffset.UnixEpoch;
            await a.SaveJobAsync(new JobDefinition { Name = "job", Executor = new HandlerExecutorSpec("ok"), Concurrency = new ConcurrencyPolicy(7, OverlapPolicy.Queue) },
                [], t0, CancellationToken.None);
            await a.EnqueueManyAsync(Enumerable.Range(0, 40).Select(_ => new RunRequest("job", TriggerSources.Manual)).ToList(), t0, CancellationToken.None);
            var none = new Dictionary<string, int>();
            var claims = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
                (i % 2 == 0 ? a : b).ClaimAsync(new ClaimRequest($"node-{i}", t0, t0.AddMinutes(1), 3, none, none), CancellationToken.None)));
            var ids = claims.SelectMany(c => c.Select(r => r.Id)).ToList();
            Assert.Equal(7, ids.Count);
            Assert.Equal(ids.Count, ids.Distinct().Count());
        }
        finally
        {
            await PostgresSchema.DropAsync(schema);
        }
    }
}

/// <summary>Several nodes on one PostgreSQL schema, and the engine on it.</summary>
public sealed class PostgresClusterTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.UnixEpoch;

    private static async Task<T> WithStoresAsync<T>(int count, Func<PostgresStore[], Task<T>> work)
    {
        var schema = "kairos_t_" + Guid.NewGuid().ToString("N")[..12];
        var stores = Enumerable.Range(0, count).Select(i => new PostgresStore(PostgresFactAttribute.ConnectionString!, $"node-{i}", schema)).ToArray();
        try
        {
            foreach (var store in stores)
            {
                await store.MigrateAsync(CancellationToken.None);
            }
            await stores[0].SaveJobAsync(new JobDefinition { Name = "job", Executor = new HandlerExecutorSpec("ok") }, [], T0, CancellationToken.None);
            return await work(stores);
        }
        finally
        {
            foreach (var store in stores)
            {
                await store.DisposeAsync();
            }
            await PostgresSchema.DropAsync(schema);
        }
    }

    [PostgresFact]
    public Task The_same_idempotency_key_enqueued_on_several_nodes_at_once_makes_one_run() =>
        WithStoresAsync(4, async stores =>
        {
            var results = await Task.WhenAll(Enumerable.Range(0, 12).Select(i =>
                stores[i % stores.Length].EnqueueAsync(new RunRequest("job", TriggerSources.Manual) { IdempotencyKey = "k" }, T0, CancellationToken.None)));
            Assert.Single(results.Select(r => r.RunId).Distinct());
            Assert.Single(results, r => r.Created);
            Assert.Single(await stores[0].ListRunsAsync(new RunQuery(), CancellationToken.None));
            return true;
        });

    [PostgresFact]
    public Task A_trigger_tick_fired_by_several_nodes_at_once_fires_once() =>
        WithStoresAsync(4, async stores =>
        {
            var spec = new IntervalTriggerSpec(TimeSpan.FromMinutes(1));
            await stores[0].SaveJobAsync(new JobDefinition { Name = "job", Executor = new HandlerExecutorSpec("ok"), Triggers = [spec] },
                [new TriggerRegistration("k", spec, T0)], T0, CancellationToken.None);
            var trigger = Assert.Single(await stores[0].ListTriggersAsync("job", CancellationToken.None));
            var fire = new TriggerFire(trigger.Id, T0, T0.AddMinutes(1), [new RunRequest("job", "interval") { TriggerId = trigger.Id }], T0, null);
            var fired = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => stores[i % stores.Length].FireTriggerAsync(fire, CancellationToken.None)));
            Assert.Single(fired, f => f);
            Assert.Single(await stores[0].ListRunsAsync(new RunQuery(), CancellationToken.None));
            return true;
        });

    [PostgresFact]
    public async Task The_engine_runs_a_job_on_PostgreSQL()
    {
        var schema = "kairos_t_" + Guid.NewGuid().ToString("N")[..12];
        try
        {
            await using var t = await TestEngine.CreateAsync(s => s.UsePostgres(PostgresFactAttribute.ConnectionString!, schema));
            Assert.IsType<PostgresStore>(t.Store);
            await t.Engine.SaveJobAsync(TestEngine.Job("hello"));
            await t.StartAsync();
            var run = await t.Engine.RunNowAsync("hello");
            var done = await t.WaitForStateAsync(run.RunId, RunState.Succeeded);
            Assert.Contains("\"ok\"", done.Output);
        }
        finally
        {
            await PostgresSchema.DropAsync(schema);
        }
    }
}

internal static class PostgresSchema
{
    public static Task DropAsync(string schema) => ExecuteAsync($"DROP SCHEMA IF EXISTS {schema} CASCADE");

    public static async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(PostgresFactAttribute.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
