using System.Diagnostics;
using System.Runtime.Versioning;
using Kairos.Tests.EndToEnd;
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
    [SupportedOSPlatform("linux")]
    public async Task Bash_sourcing_the_script_completes_a_subcommand_through_the_real_kairos()
    {
        using var bin = new TempDirectory();
        var kairos = bin.File("kairos");
        await File.WriteAllTextAsync(kairos, $"#!/bin/sh\nexec '{KairosServerProcess.DotnetHost()}' '{KairosServerProcess.KairosDll}' \"$@\"\n");
        File.SetUnixFileMode(kairos, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var start = new ProcessStartInfo("bash")
        {
            ArgumentList = { "-c", """source <(kairos completion bash); COMP_WORDS=(kairos jobs r); COMP_CWORD=2; _kairos; printf '%s\n' "${COMPREPLY[@]}" """ },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["PATH"] = bin.Path + ":" + Environment.GetEnvironmentVariable("PATH");
        using var bash = Process.Start(start)!;
        var output = await bash.StandardOutput.ReadToEndAsync();
        var error = await bash.StandardError.ReadToEndAsync();
        await bash.WaitForExitAsync();

        Assert.True(bash.ExitCode == 0, error);
        Assert.Equal(["resume", "run"], output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task A_shell_without_a_script_is_a_usage_error()
    {
        var (exit, _, error) = await CliRunner.RunAsync("completion", "fish");

        Assert.Equal(2, exit);
        Assert.StartsWith("kairos completion: no completion script for 'fish': use bash or zsh", error);
    }
}
