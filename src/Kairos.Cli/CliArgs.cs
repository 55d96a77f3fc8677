using System.CommandLine;
using System.CommandLine.Parsing;

namespace Kairos.Cli;

/// <summary>A usage mistake: printed with a hint to the command's --help, exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>
/// What one command was given, read from System.CommandLine's parse result: positionals in order,
/// and options by name (<c>--wait 10s</c> gives "10s"; a flag, or a bare <c>--wait</c>, gives null).
/// Commands and benchmarks read their input from it, whatever parsed the line.
/// </summary>
internal sealed class CliArgs
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);

    public List<string> Positionals { get; } = [];

    public static CliArgs From(ParseResult result)
    {
        var args = new CliArgs();
        foreach (var child in result.CommandResult.Children)
        {
            switch (child)
            {
                case ArgumentResult argument:
                    args.Positionals.AddRange(argument.Tokens.Select(t => t.Value));
                    break;
                case OptionResult option when !option.Implicit:
                    args._options[option.Option.Name] = option.Tokens.Count > 0 ? option.Tokens[^1].Value : null;
                    args._values[option.Option.Name] = option.Tokens.Select(t => t.Value).ToList();
                    break;
            }
        }
        return args;
    }

    public bool Has(string name) => _options.ContainsKey(name);

    public string? Get(string name) => _options.GetValueOrDefault(name);

    /// <summary>Every value of an option that takes several (<c>--command /bin/echo hi</c>), in order.</summary>
    public IReadOnlyList<string> GetAll(string name) => _values.GetValueOrDefault(name) ?? [];

    public string Positional(int index, string what) =>
        index < Positionals.Count ? Positionals[index] : throw new UsageException($"missing {what}");

    public void NoMorePositionals(int count)
    {
        if (Positionals.Count > count)
        {
            throw new UsageException($"unexpected argument '{Positionals[count]}'");
        }
    }
}
