using System.Text.Json.Nodes;
using Kairos.Hosting;
using Kairos.Storage.Postgres;
using Kairos.Storage.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Kairos.Cli.Bench;

/// <summary>
/// Where a benchmark's store lives, always empty at the start so results stay comparable.
/// SQLite (the default): a fresh file in a temp directory deleted afterwards, or a path the user
/// gave with --db, which must not exist yet and is kept for inspection. PostgreSQL (--db
/// postgres://… or Host=…): a fresh schema of its own in that database, dropped afterwards, so runs
/// never see each other. Side files (configuration, watched directories) go to <see cref="Directory"/>.
/// </summary>
internal sealed class BenchDatabase : IAsyncDisposable
{
    private readonly string? _tempDirectory;
    private readonly PostgresServer? _server;

    private BenchDatabase(string db, string directory, string? tempDirectory, PostgresServer? server, string? schema)
    {
        Db = db;
        Directory = directory;
        _tempDirectory = tempDirectory;
        _server = server;
        Schema = schema;
    }

    /// <summary>What <c>kairos serve --db</c> takes for this store: a SQLite path or an Npgsql connection string with its schema.</summary>
    public string Db { get; }

    /// <summary>A directory for the scenario's side files.</summary>
    public string Directory { get; }

    /// <summary>The PostgreSQL schema of this run; null on SQLite.</summary>
    public string? Schema { get; }

    public bool IsPostgres => _server is not null;

    public static async Task<BenchDatabase> CreateAsync(string? given)
    {
        var temp = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "kairos-bench-" + Guid.NewGuid().ToString("n"));
        if (given is not null && PostgresConnectionStrings.IsPostgres(given))
        {
            var (connectionString, named) = PostgresConnectionStrings.Parse(given);
            if (named != PostgresStore.DefaultSchema)
            {
                throw new UsageException("--db: leave the schema out; each benchmark run creates a fresh schema of its own and drops it afterwards");
            }
            var schema = "kairos_bench_" + Guid.NewGuid().ToString("n")[..12];
            var server = await PostgresServer.ReadAsync(connectionString);
            System.IO.Directory.CreateDirectory(temp);
            return new BenchDatabase(new NpgsqlConnectionStringBuilder(server.ConnectionStringFor(1)) { SearchPath = schema }.ConnectionString, temp, temp, server, schema);
        }
        if (given is not null)
        {
            if (File.Exists(given))
            {
                throw new UsageException($"--db '{given}' already exists; benchmarks start from an empty store");
            }
            return new BenchDatabase(given, System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(given))!, null, null, null);
        }
        System.IO.Directory.CreateDirectory(temp);
        return new BenchDatabase(System.IO.Path.Combine(temp, "kairos.db"), temp, temp, null, null);
    }

    /// <summary>
    /// Points an engine's options at this store. On PostgreSQL, when <paramref name="nodes"/> engines
    /// share the server, each one's connection pool is capped at its share of the server's
    /// max_connections (unless the connection string sets Maximum Pool Size): Npgsql's default of
    /// 100 per pool would let two nodes ask for more connections than a default server accepts.
    /// </summary>
    public IKairosBuilder UseIn(IKairosBuilder kairos, int nodes = 1) =>
        _server is not null ? kairos.UsePostgres(_server.ConnectionStringFor(nodes), Schema!) : kairos.UseSqlite(Db);

    /// <summary>What <c>kairos serve --db</c> takes for one of <paramref name="nodes"/> nodes sharing the server (see <see cref="UseIn"/>).</summary>
    public string DbFor(int nodes) =>
        _server is null ? Db : new NpgsqlConnectionStringBuilder(_server.ConnectionStringFor(nodes)) { SearchPath = Schema }.ConnectionString;

    /// <summary>A PostgreSQL store of this run's schema for the benchmark itself to read, as node <paramref name="node"/>.</summary>
    public async Task<PostgresStore> OpenStoreAsync(string node, int nodes)
    {
        var store = new PostgresStore(_server?.ConnectionStringFor(nodes) ?? throw new InvalidOperationException("not a PostgreSQL benchmark"), node, Schema!);
        await store.MigrateAsync(CancellationToken.None);
        return store;
    }

    /// <summary>For the report: the store, and on PostgreSQL the server's version and settings and the pool size per node.</summary>
    public JsonObject Describe(int nodes = 1) => _server?.Describe(Schema!, nodes) ?? new JsonObject { ["store"] = "sqlite" };

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await using var connection = await PostgresServer.OpenUnpooledAsync(_server.ConnectionString);
            await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {Schema} CASCADE", connection);
            await drop.ExecuteNonQueryAsync();
        }
        if (_tempDirectory is not null && System.IO.Directory.Exists(_tempDirectory))
        {
            System.IO.Directory.Delete(_tempDirectory, recursive: true);
        }
    }
}
