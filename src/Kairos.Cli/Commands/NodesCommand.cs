using System.CommandLine;
using static Kairos.Cli.CliCommand;
using static Kairos.Cli.Commands.ClientCommand;

namespace Kairos.Cli.Commands;

/// <summary><c>kairos nodes</c>: the nodes sharing the server's database, which one leads and which are alive.</summary>
internal static class NodesCommand
{
    public static Command Build() => Leaf("nodes", "the nodes sharing the database: which one leads, which are alive", RunAsync, ClientOptions());

    private static async Task<int> RunAsync(CliArgs args, TextWriter output)
    {
        using var api = ApiClient.For(args);
        var nodes = await api.GetAsync("api/nodes");
        if (args.Has("--json"))
        {
            PrintJson(output, nodes);
            return 0;
        }
        TableWriter.Write(output, ["NODE", "HOST", "VERSION", "STARTED", "LAST SEEN", "LEADER", "ALIVE"],
            nodes!.AsArray().Select(n => (IReadOnlyList<string?>)
                [Text(n!["id"]), Text(n["host"]), Text(n["version"]), Time(n["startedAt"]), Time(n["lastSeenAt"]),
                 n["leader"]!.GetValue<bool>() ? "leader" : "", n["alive"]!.GetValue<bool>() ? "yes" : "NO"]));
        return 0;
    }
}
