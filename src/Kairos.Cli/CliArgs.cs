namespace Kairos.Cli;

/// <summary>A usage mistake: printed with the command's usage line, exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>
/// Parsed arguments of one command: positionals in order, and "--name value" / "--name=value"
/// options. Every option must be declared by the command, so a typo is an error, not ignored.
/// </summary>
internal sealed class CliArgs
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);

    public List<string> Positionals { get; } = [];

    /// <param name="flags">Options that take no value (e.g. --json).</param>
    /// <param name="valued">Options that take a value (e.g. --server URL).</param>
    /// <param name="durationFlags">
    /// Options whose value, a duration, may be left out (e.g. --wait, --wait 30s, --wait=30s): the next
    /// argument is their value only when it reads as a duration, so a positional after them stays one.
    /// </param>
    public static CliArgs Parse(IEnumerable<string> args, IReadOnlyCollection<string> flags, IReadOnlyCollection<string> valued, IReadOnlyCollection<string>? durationFlags = null)
    {
        var parsed = new CliArgs();
        var list = args.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            var arg = list[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg == "--")
            {
                parsed.Positionals.Add(arg);
                continue;
            }
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            var name = eq > 0 ? arg[..eq] : arg;
            if (durationFlags?.Contains(name) == true)
            {
                parsed._options[name] = eq > 0 ? arg[(eq + 1)..]
                    : i + 1 < list.Count && Configuration.Durations.TryParse(list[i + 1], out _) ? list[++i]
                    : null;
            }
            else if (flags.Contains(name))
            {
                parsed._options[name] = eq > 0 ? arg[(eq + 1)..] : null;
            }
            else if (valued.Contains(name))
            {
                if (eq > 0)
                {
                    parsed._options[name] = arg[(eq + 1)..];
                }
                else if (i + 1 < list.Count)
                {
                    parsed._options[name] = list[++i];
                }
                else
                {
                    throw new UsageException($"{name} needs a value");
                }
            }
            else
            {
                var known = flags.Concat(valued).Concat(durationFlags ?? []).Order().ToList();
                throw new UsageException($"unknown option {name}" + (known.Count > 0 ? $"; this command takes {string.Join(", ", known)}" : ""));
            }
        }
        return parsed;
    }

    public bool Has(string name) => _options.ContainsKey(name);

    public string? Get(string name) => _options.GetValueOrDefault(name);

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
