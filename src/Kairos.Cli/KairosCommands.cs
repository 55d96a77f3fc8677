using System.CommandLine;
using System.CommandLine.Help;
using Kairos.Cli.Commands;

namespace Kairos.Cli;

/// <summary>The tree of <c>kairos</c> commands, each declared in its own file under Commands/.</summary>
internal static class KairosCommands
{
    public static Command Build()
    {
        var version = CliCommand.Flag("--version", "print the version");
        var root = new Command("kairos", "Kairos: job scheduler and automation engine")
        {
            new HelpOption(),
            version,
            ServeCommand.Build(),
            ValidateCommand.Build(),
            ApplyCommand.Build("apply"),
            ApplyCommand.Build("diff"),
            CronCommand.Build(),
            JobsCommand.Build(),
            RunsCommand.Build(),
            WorkflowsCommand.Build(),
            EventsCommand.Build(),
            SubscriptionsCommand.Build(),
            WebhooksCommand.Build(),
            KeysCommand.Build(),
            SecretsCommand.Build(),
            StatsCommand.Build(),
            NodesCommand.Build(),
            NamespacesCommand.Build(),
            BenchCommand.Build(),
            CliCommand.Leaf("version", "print the version", (_, output) => PrintVersion(output)),
        };
        root.Subcommands.Add(CompletionCommand.Build());
        root.Subcommands.Add(CompletionCommand.BuildComplete(root));
        // `kairos --version` prints the version; `kairos` alone prints the help, and exits 2 as a usage mistake.
        root.SetAction(async (result, _) => result.GetValue(version)
            ? await PrintVersion(result.InvocationConfiguration.Output)
            : await root.Parse(["--help"]).InvokeAsync(result.InvocationConfiguration) + 2);
        return root;
    }

    private static Task<int> PrintVersion(TextWriter output)
    {
        output.WriteLine($"kairos {KairosCli.Version}");
        return Task.FromResult(0);
    }
}
