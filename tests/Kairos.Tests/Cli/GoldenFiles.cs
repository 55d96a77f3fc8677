using System.Text.RegularExpressions;
using Kairos.Tests.Support;

namespace Kairos.Tests.Cli;

/// <summary>
/// What <c>kairos</c> printed, compared with a file under tests/Kairos.Tests/Cli/golden/: the command
/// line, the exit code, stdout and stderr, with what changes from run to run (times, durations, a
/// port, a temporary directory, stack frames, values a test names) replaced by fixed text. Every mismatch of a test is
/// collected, then reported together. To accept a change, run the tests with
/// <c>KAIROS_ACCEPT_GOLDEN=1</c> (the files are rewritten and the tests pass), then review the diff:
/// <code>KAIROS_ACCEPT_GOLDEN=1 dotnet test tests/Kairos.Tests --filter FullyQualifiedName~Golden</code>
/// </summary>
internal sealed partial class GoldenFiles
{
    private const string AcceptVariable = "KAIROS_ACCEPT_GOLDEN";

    private readonly List<(string Value, string Placeholder)> _replacements = [];
    private readonly List<string> _mismatches = [];

    /// <summary>Replace <paramref name="value"/> (a URL, a path, an id) wherever it appears.</summary>
    public GoldenFiles Replace(string value, string placeholder)
    {
        _replacements.Add((value, placeholder));
        return this;
    }

    /// <summary>Runs <c>kairos ARGS</c> in-process and compares what it printed with <c>golden/NAME.txt</c>; returns the raw result.</summary>
    public async Task<(int Exit, string Output, string Error)> CheckAsync(string name, params string[] args)
    {
        var result = await CliRunner.RunAsync(args);
        Check(name, args, result);
        return result;
    }

    /// <summary>
    /// The same with the columns' padding left out: for a table one of whose values (a host name)
    /// changes length from machine to machine.
    /// </summary>
    public async Task CheckUnpaddedAsync(string name, params string[] args)
    {
        var (exit, output, error) = await CliRunner.RunAsync(args);
        Check(name, args, (exit, Padding().Replace(Normalize(output), "  "), error));
    }

    private void Check(string name, string[] args, (int Exit, string Output, string Error) result)
    {
        var actual = Normalize($"$ kairos {string.Join(' ', args.Select(Quoted))}".TrimEnd() + $"\nexit {result.Exit}\n--- stdout\n{result.Output}--- stderr\n{result.Error}");
        var path = RepositoryRoot.File("tests", "Kairos.Tests", "Cli", "golden", name + ".txt");
        if (Environment.GetEnvironmentVariable(AcceptVariable) == "1")
        {
            File.WriteAllText(path, actual);
            return;
        }
        var expected = File.Exists(path) ? File.ReadAllText(path).ReplaceLineEndings("\n") : "";
        if (expected != actual)
        {
            _mismatches.Add($"golden/{name}.txt differs:\n{LineDiff.Of(expected, actual)}");
        }
    }

    public void AssertAllMatched() =>
        Assert.True(_mismatches.Count == 0, $"""
            {_mismatches.Count} output(s) differ from their golden file. If the change is meant, run the tests with {AcceptVariable}=1 and commit the files.
            {string.Join("\n\n", _mismatches)}
            """);

    private string Normalize(string text)
    {
        text = text.ReplaceLineEndings("\n");
        foreach (var (value, placeholder) in _replacements.OrderByDescending(r => r.Value.Length))
        {
            text = text.Replace(value, placeholder, StringComparison.Ordinal);
        }
        // A time keeps its length, so that the table it is in stays aligned; JSON's fraction of a second goes,
        // and so does the offset's value, which follows daylight saving.
        text = Instant().Replace(text, m => Digit().Replace(m.Groups["time"].Value + m.Groups["zone"].Value, "0"));
        text = Duration().Replace(text, "${name}0");
        return StackFrame().Replace(text, ""); // A handler's exception in a run's log: frames name source paths and lines.
    }

    private static string Quoted(string arg) => arg.Length == 0 || arg.Any(c => char.IsWhiteSpace(c) || c is '"' or '{' or '*') ? $"'{arg}'" : arg;

    [GeneratedRegex(@"(?<time>\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2})(?:\.\d+)?(?<zone>Z|[+-]\d{2}:\d{2})")]
    private static partial Regex Instant();

    [GeneratedRegex(@"(?<name>""durationMs"":\s?)\d+")]
    private static partial Regex Duration();

    [GeneratedRegex(@"^   at .*\n", RegexOptions.Multiline)]
    private static partial Regex StackFrame();

    [GeneratedRegex(@"\d")]
    private static partial Regex Digit();

    [GeneratedRegex(@" {2,}")]
    private static partial Regex Padding();
}
