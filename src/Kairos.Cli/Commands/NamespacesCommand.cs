using System.CommandLine;
using System.Globalization;
using static Kairos.Cli.CliCommand;
using static Kairos.Cli.Commands.ClientCommand;

namespace Kairos.Cli.Commands;

/// <summary><c>kairos namespaces list</c>: the namespaces the key may see, with their jobs and runs.</summary>
internal static class NamespacesCommand
{
    public static Command Build() => Group("namespaces", "the namespaces the key may see",
        Leaf("list", "the namespaces with their jobs, and their runs queued, running, and in all", ListAsync, ClientOptions()));

    private static async Task<int> ListAsync(CliArgs args, TextWriter output)
    {
        using var api = ApiClient.For(args);
        var namespaces = await api.GetAsync("api/namespaces");
        if (args.Has("--json"))
        {
            PrintJson(output, namespaces);
            return 0;
        }
        TableWriter.Write(output, ["NAMESPACE", "JOBS", "QUEUED", "RUNNING", "RUNS"],
            namespaces!.AsArray().Select(n =>
            {
                var runs = n!["runs"]!.AsObject();
                long Count(string state) => runs[state]?.GetValue<long>() ?? 0;
                return (IReadOnlyList<string?>)
                [
                    Text(n["name"]), Text(n["jobs"]), Count("queued").ToString(CultureInfo.InvariantCulture), Count("running").ToString(CultureInfo.InvariantCulture),
                    runs.Sum(r => r.Value!.GetValue<long>()).ToString(CultureInfo.InvariantCulture),
                ];
            }));
        return 0;
    }
}
