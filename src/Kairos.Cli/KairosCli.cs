using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using Kairos.Cli.Commands;
using Kairos.Configuration;

namespace Kairos.Cli;

/// <summary>
/// The <c>kairos</c> command: parses the line with System.CommandLine (per-command --help, --version,
/// completions), runs the command, and maps failures to exit codes: 1 failed, 2 usage (one line
/// naming what is wrong, then where the help is).
/// </summary>
internal static class KairosCli
{
    /// <summary>The build's version (the assembly's informational version, without source-control metadata).</summary>
    public static string Version =>
        (typeof(KairosCli).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion ?? "unknown").Split('+')[0];

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var root = KairosCommands.Build();
        // Help is as wide as the terminal it is read on; written anywhere else it is not wrapped, so it reads the same in a file or a test.
        var help = root.Options.OfType<HelpOption>().Single();
        help.Action = new HelpAction { MaxWidth = TableWriter.IsTerminal(output) ? Math.Max(Console.WindowWidth, 40) : int.MaxValue };
        var parsed = root.Parse(ArrangeBareDurations(args is ["help", .. var topic] ? [.. topic, "--help"] : args));
        if (parsed.Errors.Count > 0)
        {
            return Usage(error, parsed, Describe(parsed));
        }
        try
        {
            // Ctrl+C and SIGTERM stay with the process (kairos serve's host stops gracefully on them), not System.CommandLine.
            return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null });
        }
        catch (UsageException ex)
        {
            return Usage(error, parsed, ex.Message);
        }
        catch (KairosConfigException ex)
        {
            error.WriteLine(ex.Message);
            return 1;
        }
        catch (Exception ex) when (ex is ApiException or KairosException or Storage.KairosStoreException)
        {
            error.WriteLine($"{CommandPath(parsed)}: {ex.Message}");
            return 1;
        }
    }

    private static int Usage(TextWriter error, ParseResult parsed, string message)
    {
        var path = CommandPath(parsed);
        error.WriteLine($"{path}: {message}");
        error.WriteLine($"run `{path} --help` for usage");
        return 2;
    }

    /// <summary>The words of the command that was being parsed: "kairos jobs run".</summary>
    private static string CommandPath(ParseResult parsed)
    {
        var names = new List<string>();
        for (SymbolResult? result = parsed.CommandResult; result is CommandResult command; result = command.Parent)
        {
            names.Insert(0, command.Command.Name);
        }
        return string.Join(' ', names);
    }

    /// <summary>The first parse error, in the words of the old parser: what is unknown or missing, by name.</summary>
    private static string Describe(ParseResult parsed)
    {
        var command = parsed.CommandResult.Command;
        if (parsed.UnmatchedTokens is [var token, ..])
        {
            if (command.Subcommands.Count > 0)
            {
                return $"unknown command '{token}'; use {Choices(command)}";
            }
            if (token.StartsWith('-'))
            {
                var takes = command.Options.Where(o => !o.Hidden && o is not HelpOption).Select(o => o.Name).Order(StringComparer.Ordinal).ToList();
                return $"unknown option {token}" + (takes.Count > 0 ? $"; this command takes {string.Join(", ", takes)}" : "");
            }
            return $"unexpected argument '{token}'";
        }
        var first = parsed.Errors[0];
        return first.SymbolResult switch
        {
            ArgumentResult { Argument: var argument } when argument.Description is { } what => $"missing {what}",
            OptionResult { Option: var option, Tokens.Count: 0 } => $"{option.Name} needs a value",
            CommandResult when command.Subcommands.Count > 0 => $"missing the command: {Choices(command)}",
            _ => first.Message,
        };
    }

    private static string Choices(Command command)
    {
        var names = command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name).ToList();
        return names.Count == 1 ? names[0] : string.Join(", ", names[..^1]) + " or " + names[^1];
    }

    /// <summary>
    /// A bare <c>--wait</c> (not followed by a duration) goes to the end of the line: System.CommandLine
    /// would take the next word as its value, and in <c>jobs run --wait nap</c> that word is the job.
    /// </summary>
    internal static string[] ArrangeBareDurations(string[] args)
    {
        var bare = new List<string>();
        var rest = new List<string>();
        var end = Array.IndexOf(args, "--") is var dashes and >= 0 ? dashes : args.Length; // After "--" every word is a positional.
        for (var i = 0; i < args.Length; i++)
        {
            if (i < end && args[i] == "--wait" && !(i + 1 < end && Durations.TryParse(args[i + 1], out _)))
            {
                bare.Add(args[i]);
            }
            else
            {
                rest.Add(args[i]);
            }
        }
        return [.. rest, .. bare];
    }
}
