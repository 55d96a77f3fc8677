using System.Net;
using System.Net.Sockets;
using Kairos.Cli;
using Kairos.Tests.Support;

namespace Kairos.Tests.Cli;

/// <summary>What a person sees when <c>kairos serve</c> cannot start, and the small things every command takes.</summary>
public sealed class StartupErrorTests
{
    private static Task<(int Exit, string Output, string Error)> RunAsync(params string[] args) => CliRunner.RunAsync(args);

    [Fact]
    public async Task A_port_in_use_is_one_line_saying_what_to_do_and_exit_code_1()
    {
        using var directory = new TempDirectory();
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var url = $"http://127.0.0.1:{((IPEndPoint)taken.LocalEndpoint).Port}";

        var (exit, _, error) = await RunAsync("serve", "--db", directory.File("kairos.db"), "--urls", url);

        Assert.Equal(1, exit);
        Assert.Equal($"kairos serve: cannot listen on {url}: the address is already in use (is another kairos serve running?); stop that process or choose another address with --urls",
            error.Trim());
    }

    [Fact]
    public async Task A_webhook_secret_variable_that_is_not_set_stops_the_start_naming_the_hook_and_the_variable()
    {
        using var directory = new TempDirectory();
        var config = directory.File("kairos.yaml");
        await File.WriteAllTextAsync(config, "webhooks:\n  github:\n    verify: github\n    secretEnv: KAIROS_TEST_SECRET_NEVER_SET\n");

        var (exit, _, error) = await RunAsync("serve", "--config", config, "--db", directory.File("kairos.db"), "--urls", "http://127.0.0.1:0");

        Assert.Equal(1, exit);
        Assert.Contains("webhook 'github' reads its secret from the environment variable KAIROS_TEST_SECRET_NEVER_SET, which is not set", error);
        Assert.False(File.Exists(directory.File("kairos.db")), "nothing is created before the start is refused");
    }

    [Fact]
    public async Task Version_prints_the_version()
    {
        var (exit, output, _) = await RunAsync("--version");

        Assert.Equal(0, exit);
        Assert.Matches(@"^kairos \d+\.\d+\.\d+", output);
    }

    [Fact]
    public void A_duration_option_takes_its_value_after_a_space_but_leaves_a_positional_alone()
    {
        static CliArgs Parse(params string[] args) => CliArgs.From(KairosCommands.Build().Parse(KairosCli.ArrangeBareDurations(["jobs", "run", .. args])));
        var spaced = Parse("nap", "--wait", "10s");
        var bare = Parse("--wait", "nap");
        var joined = Parse("nap", "--wait=2m");

        Assert.Equal(["nap"], spaced.Positionals);
        Assert.Equal("10s", spaced.Get("--wait"));
        Assert.Equal(["nap"], bare.Positionals);
        Assert.True(bare.Has("--wait"));
        Assert.Null(bare.Get("--wait"));
        Assert.Equal("2m", joined.Get("--wait"));
    }
}
