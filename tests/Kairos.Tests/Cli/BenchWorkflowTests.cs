using System.Text.Json.Nodes;
using Kairos.Tests.Support;

namespace Kairos.Tests.Cli;

/// <summary><c>kairos bench workflow</c> on each database: a small run that checks the scenario works end to end (workflows on a real engine), not figures.</summary>
public sealed class BenchWorkflowTests
{
    private static void AssertReport(int exit, string output, string error)
    {
        Assert.True(exit == 0, error);
        var results = JsonNode.Parse(output)!["results"]!;
        Assert.True((double)results["perStepP50Ms"]! > 0, output);
        Assert.True((double)results["fanOutP50Ms"]! > 0, output);
        Assert.True((double)results["stepsPerSecond"]! > 0, output);
    }

    [Fact]
    public async Task On_sqlite_linear_and_fan_out_workflows_complete()
    {
        var (exit, output, error) = await CliRunner.RunAsync("bench", "workflow", "--repeat", "2", "--n", "5");
        AssertReport(exit, output, error);
    }

    [PostgresFact]
    public async Task On_postgres_linear_and_fan_out_workflows_complete()
    {
        var (exit, output, error) = await CliRunner.RunAsync("bench", "workflow", "--db", PostgresFactAttribute.ConnectionString!, "--repeat", "2", "--n", "5");
        AssertReport(exit, output, error);
    }
}
