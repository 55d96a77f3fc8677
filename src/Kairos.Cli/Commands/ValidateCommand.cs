using Kairos.Configuration;

namespace Kairos.Cli.Commands;

/// <summary><c>kairos validate FILE</c>: every error with its line and column, exit 1 if any.</summary>
internal static class ValidateCommand
{
    public static int Run(string[] rest, TextWriter output)
    {
        var args = CliArgs.Parse(rest, [], []);
        var file = args.Positional(0, "the configuration file to validate");
        args.NoMorePositionals(1);
        if (!File.Exists(file))
        {
            throw new UsageException($"file '{file}' does not exist");
        }
        var config = YamlConfigLoader.LoadFile(file);
        var triggers = config.Jobs.Sum(j => j.Triggers.Count);
        output.WriteLine($"{file}: valid ({config.Jobs.Count} job(s), {triggers} trigger(s))");
        return 0;
    }
}
