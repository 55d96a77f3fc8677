using System.CommandLine;
using static Kairos.Cli.CliCommand;
using static Kairos.Cli.Commands.ClientCommand;

namespace Kairos.Cli.Commands;

/// <summary>
/// <c>kairos apply FILE [--dry-run]</c> and <c>kairos diff FILE</c>: make the server's jobs, webhooks
/// and subscriptions match a YAML file (creating, updating, and deleting what it declared before and
/// no longer does), or say what that would change.
/// </summary>
internal static class ApplyCommand
{
    public static Command Build(string command) => command == "apply"
        ? Leaf("apply", "make the server's jobs, webhooks and subscriptions match a YAML file (creates, updates, and deletes what it declared before and no longer does)",
            (args, output) => RunAsync(command, args, output),
            [Argument("FILE", "the configuration file"), Flag("--dry-run", "say what would change, change nothing"), .. ClientOptions()])
        : Leaf("diff", "say what kairos apply FILE would change", (args, output) => RunAsync(command, args, output),
            [Argument("FILE", "the configuration file"), .. ClientOptions()]);

    private static async Task<int> RunAsync(string command, CliArgs args, TextWriter output)
    {
        var file = args.Positionals[0];
        if (!File.Exists(file))
        {
            throw new UsageException($"'{file}' does not exist");
        }
        var dryRun = command == "diff" || args.Has("--dry-run");
        using var api = ApiClient.For(args);
        var plan = await api.PostTextAsync("api/apply" + (dryRun ? "?dryRun=true" : ""), await File.ReadAllTextAsync(file), "application/yaml");
        if (args.Has("--json"))
        {
            PrintJson(output, plan);
            return 0;
        }
        var changes = plan!["changes"]!.AsArray();
        foreach (var change in changes)
        {
            var sign = Text(change!["action"]) switch { "create" => "+", "delete" => "-", _ => "~" };
            output.WriteLine($"{sign} {Text(change["kind"])} {Text(change["name"])}");
            foreach (var (field, stored, declared) in DefinitionChanges.Between(change["before"], change["after"]))
            {
                output.WriteLine($"    {field}: {stored ?? "(none)"} -> {declared ?? "(none)"}");
            }
        }
        var unchanged = plan["unchanged"]!.GetValue<int>();
        output.WriteLine(changes.Count == 0
            ? $"nothing to change ({unchanged} unchanged)"
            : $"{changes.Count} change(s){(dryRun ? " would be made" : " made")}, {unchanged} unchanged");
        return 0;
    }
}
