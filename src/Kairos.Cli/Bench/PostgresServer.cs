using System.Text.Json.Nodes;
using Npgsql;

namespace Kairos.Cli.Bench;

/// <summary>
/// The PostgreSQL server a benchmark runs on: its connection string (without a schema), and the
/// settings read once at the start that matter for the figures (version, durability, connections).
/// </summary>
internal sealed class PostgresServer
{
    private const int NpgsqlDefaultPoolSize = 100;

    // Connections left for the benchmark's own (set-up, clean-up) and for looking on with psql.
    private const int Reserve = 5;

    private readonly Dictionary<string, string> _settings;

    private PostgresServer(string connectionString, Dictionary<string, string> settings)
    {
        ConnectionString = connectionString;
        _settings = settings;
    }

    public string ConnectionString { get; }

    public static async Task<PostgresServer> ReadAsync(string connectionString)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var connection = await OpenUnpooledAsync(connectionString);
        foreach (var name in (string[])["server_version", "fsync", "synchronous_commit", "max_connections"])
        {
            await using var show = new NpgsqlCommand("SHOW " + name, connection);
            settings[name] = (string)(await show.ExecuteScalarAsync())!;
        }
        return new PostgresServer(connectionString, settings);
    }

    /// <summary>The pool size of each of <paramref name="nodes"/> nodes: as given, else Npgsql's default capped at a fair share of max_connections.</summary>
    public int PoolSizeFor(int nodes)
    {
        var given = new NpgsqlConnectionStringBuilder(ConnectionString).MaxPoolSize;
        if (given != NpgsqlDefaultPoolSize)
        {
            return given;
        }
        var max = int.Parse(_settings["max_connections"], System.Globalization.CultureInfo.InvariantCulture);
        return Math.Max(1, Math.Min(NpgsqlDefaultPoolSize, (max - Reserve) / nodes));
    }

    /// <summary>A connection of the benchmark's own, closed for good when disposed (it keeps no pool slot on the server).</summary>
    public static async Task<NpgsqlConnection> OpenUnpooledAsync(string connectionString)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public string ConnectionStringFor(int nodes) =>
        new NpgsqlConnectionStringBuilder(ConnectionString) { MaxPoolSize = PoolSizeFor(nodes) }.ConnectionString;

    public JsonObject Describe(string schema, int nodes)
    {
        var described = new JsonObject
        {
            ["store"] = "postgresql",
            ["schema"] = schema,
            ["pooling"] = new NpgsqlConnectionStringBuilder(ConnectionString).Pooling,
            ["maxPoolSizePerNode"] = PoolSizeFor(nodes),
        };
        foreach (var (name, value) in _settings)
        {
            described[name] = value;
        }
        return described;
    }
}
