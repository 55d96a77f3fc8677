using System.Text.Json.Nodes;
using Kairos.Tests.Support;
using Npgsql;
using KairosCommand = Kairos.Tests.EndToEnd.Cli;

namespace Kairos.Tests.Cli;

/// <summary>The PostgreSQL and cluster side of <c>kairos bench</c>: small runs that check the scenarios work and clean up, not figures.</summary>
public sealed class BenchClusterTests
{
    [Theory]
    [InlineData("throughput", "--nodes", "2")]
    [InlineData("claim-latency")]
    [InlineData("failover")]
    public async Task Cluster_scenarios_refuse_sqlite_with_a_usage_error(params string[] args)
    {
        var (exit, _, error) = await KairosCommand.RunAsync(["bench", .. args]);

        Assert.Equal(2, exit);
        Assert.Contains("postgres://", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_postgres_url_that_names_a_schema_is_refused()
    {
        var (exit, _, error) = await KairosCommand.RunAsync("bench", "throughput", "--db", "postgres://u@127.0.0.1:1/db?schema=mine");

        Assert.Equal(2, exit);
        Assert.Contains("fresh schema", error, StringComparison.Ordinal);
    }

    [PostgresFact]
    public async Task Throughput_with_two_nodes_shares_the_runs_and_drops_its_schema()
    {
        var (exit, output, error) = await KairosCommand.RunAsync("bench", "throughput", "--db", PostgresFactAttribute.ConnectionString!, "--n", "300", "--nodes", "2");

        Assert.True(exit == 0, error);
        var report = JsonNode.Parse(output)!;
        var perNode = report["results"]!["runsPerNode"]!.AsObject();
        Assert.Equal(["bench-1", "bench-2"], perNode.Select(p => p.Key).Order());
        Assert.Equal(300, perNode.Sum(p => (long)p.Value!));
        Assert.False(await SchemaExistsAsync((string)report["parameters"]!["database"]!["schema"]!));
    }

    [PostgresFact]
    public async Task Claim_latency_starts_every_run_on_the_other_node()
    {
        var (exit, output, error) = await KairosCommand.RunAsync("bench", "claim-latency", "--db", PostgresFactAttribute.ConnectionString!, "--n", "40", "--rate", "100");

        Assert.True(exit == 0, error);
        var results = JsonNode.Parse(output)!["results"]!;
        Assert.Equal(40, (int)results["started"]!);
        Assert.True((double)results["afterCommitP50Ms"]! < 5_000, output);
    }

    [PostgresFact]
    public async Task Failover_after_a_kill_loses_and_doubles_no_tick()
    {
        // A process of its own: the scenario starts kairos serve children of the binary it runs as.
        var result = await KairosCommand.RunProcessAsync(TimeSpan.FromMinutes(3), Path.GetTempPath(),
            "bench", "failover", "--db", PostgresFactAttribute.ConnectionString!, "--nodes", "2", "--leader-lease", "1s");

        Assert.True(result.ExitCode == 0, result.ToString());
        var results = JsonNode.Parse(result.Stdout)!["results"]!;
        Assert.True(results["newLeader"] is not null && (string?)results["oldLeader"] != (string?)results["newLeader"], $"no other node took over: {result.Stdout}");
        Assert.Equal(0, (long)results["ticksLost"]!);
        Assert.Equal(0, (long)results["ticksFiredTwice"]!);
        Assert.True((double)results["electedAfterMs"]! < (double)results["boundMs"]! + 5_000, result.Stdout);
    }

    private static async Task<bool> SchemaExistsAsync(string schema)
    {
        await using var connection = new NpgsqlConnection(PostgresFactAttribute.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_namespace WHERE nspname = @name", connection);
        command.Parameters.AddWithValue("name", schema);
        return (long)(await command.ExecuteScalarAsync())! > 0;
    }
}
