using Kairos.Tests.Support;

namespace Kairos.Tests.Cli;

/// <summary>What the completion scripts are told may come next (<c>kairos __complete -- WORDS…</c>, the last word being typed).</summary>
public sealed class CompletionTests
{
    private static async Task<string[]> CandidatesAsync(params string[] words)
    {
        var (exit, output, error) = await CliRunner.RunAsync(["__complete", "--", .. words]);
        Assert.True(exit == 0, error);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    [Fact]
    public async Task A_new_word_after_a_command_is_one_of_its_subcommands_or_options()
    {
        var candidates = await CandidatesAsync("jobs", "");

        Assert.Contains("run", candidates);
        Assert.Contains("create", candidates);
        Assert.Contains("--help", candidates);
        Assert.DoesNotContain("-h", candidates);
    }

    [Fact]
    public async Task A_word_begun_is_completed_from_what_starts_with_it()
    {
        Assert.Equal(["--wait"], await CandidatesAsync("jobs", "run", "nightly", "--wa"));
        Assert.Equal(["secrets", "serve", "stats", "subscriptions"], await CandidatesAsync("s"));
    }

    [Theory]
    [InlineData("bash", "complete -o default -F _kairos kairos")]
    [InlineData("zsh", "compdef _kairos kairos")]
    public async Task Completion_prints_a_script_for_the_shell_that_asks_kairos(string shell, string registration)
    {
        var (exit, output, _) = await CliRunner.RunAsync("completion", shell);

        Assert.Equal(0, exit);
        Assert.Contains("kairos __complete --", output);
        Assert.Contains(registration, output);
    }

    [Fact]
    public async Task A_shell_without_a_script_is_a_usage_error()
    {
        var (exit, _, error) = await CliRunner.RunAsync("completion", "fish");

        Assert.Equal(2, exit);
        Assert.StartsWith("kairos completion: no completion script for 'fish': use bash or zsh", error);
    }
}
