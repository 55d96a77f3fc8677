using Kairos.Configuration;

namespace Kairos.Cli.Commands;

/// <summary>
/// <c>kairos validate FILE [--any-handler]</c>: every error with its line and column, exit 1 if any.
/// Handlers must be ones <c>kairos serve</c> has, unless --any-handler (for files a library host
/// loads with handlers of its own).
/// </summary>
internal static class ValidateCommand
{
    public static int Run(string[] rest, TextWriter output)
    {
        var args = CliArgs.Parse(rest, ["--any-handler"], []);
        var file = args.Positional(0, "the configuration file to validate");
        args.NoMorePositionals(1);
        if (!File.Exists(file))
        {
            throw new UsageException($"file '{file}' does not exist");
        }
        var config = YamlConfigLoader.LoadFile(file, args.Has("--any-handler") ? null : Executors.Handler.BuiltInHandlers.Names.Contains);
        var triggers = config.Jobs.Sum(j => j.Triggers.Count);
        output.WriteLine($"{file}: valid ({config.Jobs.Count} job(s), {triggers} trigger(s)" +
            (config.Webhooks.Count > 0 ? $", {config.Webhooks.Count} webhook(s)" : "") +
            (config.Subscriptions.Count > 0 ? $", {config.Subscriptions.Count} subscription(s)" : "") + ")");
        return 0;
    }
}
