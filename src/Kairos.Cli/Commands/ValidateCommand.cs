using System.CommandLine;
using Kairos.Configuration;

namespace Kairos.Cli.Commands;

/// <summary>
/// <c>kairos validate FILE [--any-handler]</c>: every error with its line and column, exit 1 if any.
/// Handlers must be ones <c>kairos serve</c> has, unless --any-handler (for files a library host
/// loads with handlers of its own).
/// </summary>
internal static class ValidateCommand
{
    public static Command Build() => CliCommand.Leaf("validate", "check a configuration file: every error with its line and column, exit 1 if any", Run,
        CliCommand.Argument("FILE", "the configuration file to validate"),
        CliCommand.Flag("--any-handler", "accept handlers kairos serve does not have (for a file a library host loads with its own)"));

    private static Task<int> Run(CliArgs args, TextWriter output)
    {
        var file = args.Positionals[0];
        if (!File.Exists(file))
        {
            throw new UsageException($"file '{file}' does not exist");
        }
        var config = YamlConfigLoader.LoadFile(file, args.Has("--any-handler") ? null : Executors.Handler.BuiltInHandlers.Names.Contains);
        var triggers = config.Jobs.Sum(j => j.Triggers.Count);
        output.WriteLine($"{file}: valid ({config.Jobs.Count} job(s), {triggers} trigger(s)" +
            (config.Webhooks.Count > 0 ? $", {config.Webhooks.Count} webhook(s)" : "") +
            (config.Subscriptions.Count > 0 ? $", {config.Subscriptions.Count} subscription(s)" : "") + ")");
        return Task.FromResult(0);
    }
}
