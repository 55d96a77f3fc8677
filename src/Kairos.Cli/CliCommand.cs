using System.CommandLine;

namespace Kairos.Cli;

/// <summary>
/// How the commands are declared for System.CommandLine: each leaf names its arguments and options
/// (for parsing, per-command help and completions) and a handler that gets them as <see cref="CliArgs"/>.
/// Every option takes its value as text; the handler checks it and says what is wrong.
/// </summary>
internal static class CliCommand
{
    public delegate Task<int> Handler(CliArgs args, TextWriter output);

    public static Command Leaf(string name, string description, Handler handler, params IEnumerable<Symbol> inputs)
    {
        var command = new Command(name, description);
        foreach (var input in inputs)
        {
            switch (input)
            {
                case Argument argument:
                    command.Arguments.Add(argument);
                    break;
                case Option option:
                    command.Options.Add(option);
                    break;
            }
        }
        command.SetAction((result, _) => handler(CliArgs.From(result), result.InvocationConfiguration.Output));
        return command;
    }

    public static Command Group(string name, string description, params IEnumerable<Command> subcommands)
    {
        var group = new Command(name, description);
        foreach (var subcommand in subcommands)
        {
            group.Subcommands.Add(subcommand);
        }
        return group;
    }

    /// <param name="description">What it is, as a usage error names it when missing ("the job name").</param>
    public static Argument<string> Argument(string name, string description) => new(name) { Description = description };

    public static Option<string> Valued(string name, string valueName, string description) =>
        new(name) { Description = description, HelpName = valueName };

    public static Option<bool> Flag(string name, string description) =>
        new(name) { Description = description, Arity = ArgumentArity.Zero };

    /// <summary>
    /// An option whose duration may be left out (<c>--wait</c>, <c>--wait 30s</c>, <c>--wait=30s</c>);
    /// <see cref="KairosCli"/> moves a bare one to the end of the line, so that the word after it stays a positional.
    /// </summary>
    public static Option<string> OptionalDuration(string name, string description) =>
        new(name) { Description = description, HelpName = "DURATION", Arity = ArgumentArity.ZeroOrOne };

    /// <summary>The options every client command takes: where the server is, the key, the namespace and JSON output.</summary>
    public static IEnumerable<Symbol> ClientOptions(string namespaceDescription = "the namespace to work in (or KAIROS_NAMESPACE); names may also say it: billing/report") =>
    [
        Valued("--server", "URL", $"the Kairos server (or KAIROS_URL; default {Server.ServeOptions.DefaultUrl})"),
        Valued("--api-key", "KEY", "the API key (or KAIROS_API_KEY)"),
        Valued("--namespace", "NAME", namespaceDescription),
        Flag("--json", "print the API's JSON instead of text"),
    ];
}
