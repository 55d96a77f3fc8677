using System.CommandLine;
using static Kairos.Cli.CliCommand;
using static Kairos.Cli.Commands.ClientCommand;

namespace Kairos.Cli.Commands;

/// <summary><c>kairos stats</c>: runs by state and store totals.</summary>
internal static class StatsCommand
{
    public static Command Build() => Leaf("stats", "runs by state, jobs, triggers and journal size", RunAsync, ClientOptions());

    private static async Task<int> RunAsync(CliArgs args, TextWriter output)
    {
        using var api = ApiClient.For(args);
        var stats = await api.GetAsync("api/stats");
        if (args.Has("--json"))
        {
            PrintJson(output, stats);
            return 0;
        }
        TableWriter.Write(output, ["STATE", "RUNS"], stats!["runs"]!.AsObject().Select(kv => (IReadOnlyList<string?>)[kv.Key, Text(kv.Value)]));
        output.WriteLine($"jobs {Text(stats["jobs"])}, triggers {Text(stats["triggers"])}, journal entries {Text(stats["journalEntries"])}" +
            (stats["activeRunsOnThisNode"] is { } active ? $", running on {Text(stats["node"])}: {Text(active)}" : ""));
        return 0;
    }
}
