namespace Kairos.Tests.Cli;

/// <summary>Per-command help, the version and usage errors, compared with golden files (see <see cref="GoldenFiles"/>).</summary>
public sealed class GoldenHelpTests
{
    [Fact]
    public async Task Help_version_and_usage_errors_print_as_the_golden_files_say()
    {
        var golden = new GoldenFiles().Replace(Kairos.Cli.KairosCli.Version, "VERSION");

        await golden.CheckAsync("help", "--help");
        await golden.CheckAsync("help-jobs", "jobs", "--help");
        await golden.CheckAsync("help-jobs-run", "jobs", "run", "--help");
        await golden.CheckAsync("help-runs-list", "runs", "list", "-h");
        await golden.CheckAsync("help-events-publish", "help", "events", "publish");
        await golden.CheckAsync("help-subscriptions-create", "subscriptions", "create", "--help");
        await golden.CheckAsync("version", "--version");
        await golden.CheckAsync("usage-no-command", []);
        await golden.CheckAsync("usage-missing-subcommand", "jobs");
        await golden.CheckAsync("usage-unknown-subcommand", "jobs", "launch", "nightly");
        await golden.CheckAsync("usage-missing-argument", "jobs", "run");
        await golden.CheckAsync("usage-unknown-option", "cron", "next", "* * * * *", "--tzz", "UTC");
        await golden.CheckAsync("usage-missing-value", "runs", "list", "--limit");
        await golden.CheckAsync("usage-bad-wait", "jobs", "run", "nightly", "--wait=soon");
        await golden.CheckAsync("completion-bash", "completion", "bash");
        golden.AssertAllMatched();
    }
}
