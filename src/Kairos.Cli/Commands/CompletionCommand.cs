using System.CommandLine;
using System.CommandLine.Parsing;

namespace Kairos.Cli.Commands;

/// <summary>
/// <c>kairos completion bash|zsh</c>: a script for the shell's completion, which asks the hidden
/// <c>kairos __complete -- WORDS…</c> what may come next (System.CommandLine's own completions of
/// commands and options; the last word is the one being typed, empty for a new one).
/// </summary>
internal static class CompletionCommand
{
    private const string Bash = """
        # kairos completion for bash: source it, e.g. kairos completion bash > /etc/bash_completion.d/kairos
        _kairos() {
            local IFS=$'\n'
            COMPREPLY=($(kairos __complete -- "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null))
        }
        complete -o default -F _kairos kairos
        """;

    private const string Zsh = """
        #compdef kairos
        # kairos completion for zsh: save it as _kairos in a directory of $fpath, or source it after compinit
        _kairos() {
            local -a candidates
            candidates=(${(f)"$(kairos __complete -- "${(@)words[2,CURRENT]}" 2>/dev/null)"})
            compadd -a candidates
        }
        compdef _kairos kairos
        """;

    public static Command Build() => CliCommand.Leaf("completion", "print a shell completion script (bash or zsh)", (args, output) =>
        {
            output.WriteLine(args.Positionals[0] switch
            {
                "bash" => Bash,
                "zsh" => Zsh,
                var shell => throw new UsageException($"no completion script for '{shell}': use bash or zsh"),
            });
            return Task.FromResult(0);
        },
        CliCommand.Argument("SHELL", "the shell: bash or zsh"));

    public static Command BuildComplete(Command root)
    {
        var words = new Argument<string[]>("WORDS") { Arity = ArgumentArity.ZeroOrMore };
        var complete = new Command("__complete", "what may follow the words (for completion scripts)") { words };
        complete.Hidden = true;
        complete.SetAction(result =>
        {
            foreach (var candidate in Candidates(root, result.GetValue(words) ?? []))
            {
                result.InvocationConfiguration.Output.WriteLine(candidate);
            }
            return 0;
        });
        return complete;
    }

    /// <summary>The commands, options and values that may take the place of the last word, starting with what it already has.</summary>
    internal static IEnumerable<string> Candidates(Command root, string[] words)
    {
        var typed = words.Length > 0 ? words[^1] : "";
        var line = string.Join(' ', words.Length > 0 ? words : [""]);
        return CommandLineParser.Parse(root, line).GetCompletions(line.Length)
            .Select(c => c.Label)
            .Where(label => label.StartsWith(typed, StringComparison.Ordinal) && !IsShortAlias(label))
            .Distinct()
            .Order(StringComparer.Ordinal);
    }

    /// <summary>-h, -? and /h are offered beside --help; a shell lists the long form alone.</summary>
    private static bool IsShortAlias(string label) => label.Length == 2 && label[0] is '-' or '/';
}
