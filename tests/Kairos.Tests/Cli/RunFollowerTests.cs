using Kairos.Tests.Support;

namespace Kairos.Tests.Cli;

/// <summary><c>--wait</c> when the run outlasts it: the command says so, names how to keep following, and exits 1.</summary>
public sealed class RunFollowerTests
{
    [Fact]
    public async Task A_run_still_under_way_when_the_wait_runs_out_exits_1_saying_how_to_keep_following_it()
    {
        await using var server = await InProcessServer.StartAsync("jobs:\n  nap:\n    handler: sleep\n");

        var (exit, output, error) = await CliRunner.RunAsync("jobs", "run", "nap", "--data", """{"ms":60000}""", "--wait", "300ms", "--server", server.Url);

        Assert.True(exit == 1, error);
        Assert.Matches(@"^run 1 is still (queued|running) after 300ms; keep following it with: kairos runs show 1 --wait\n$", output.ReplaceLineEndings("\n"));
        await CliRunner.RunAsync("runs", "cancel", "1", "--server", server.Url);
    }
}
