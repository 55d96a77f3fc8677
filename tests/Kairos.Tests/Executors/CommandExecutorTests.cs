using System.Diagnostics;
using System.Runtime.Versioning;
using System.Text;
using System.Text.Json;
using Kairos.Executors;
using Kairos.Model;

namespace Kairos.Tests.Executors;

/// <summary>Runs real child processes (/bin/sh, /bin/echo, /usr/bin/env ...): Linux only.</summary>
[SupportedOSPlatform("linux")]
public sealed class CommandExecutorTests : IDisposable
{
    /// <summary>Prints each of its arguments on a line of its own.</summary>
    private const string PrintArgs = """for a in "$@"; do printf '%s\n' "$a"; done""";

    private readonly CommandExecutor _executor = new();
    private readonly TestLog _log = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("kairos-cmd-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private Task<ExecutionResult> RunAsync(CommandExecutorSpec spec, string? payload = null, CancellationToken cancellationToken = default) =>
        _executor.ExecuteAsync(Contexts.For(spec, _log, payload), cancellationToken);

    private static JsonElement Output(ExecutionResult result) => JsonDocument.Parse(result.Output!).RootElement;

    [Fact]
    public void Kind_is_command() => Assert.Equal("command", _executor.Kind);

    [Fact]
    public async Task Each_argument_arrives_as_one_literal_argument()
    {
        var marker = Path.Combine(_dir, "pwned");
        string[] tricky =
        [
            "two words",
            "it's \"quoted\"",
            $"$(touch {marker})",
            $"`touch {marker}`",
            $"; touch {marker}",
            "$HOME | > < & *",
            "",
            "  padded  ",
        ];
        var result = await RunAsync(new CommandExecutorSpec(["/bin/sh", "-c", PrintArgs, "sh", .. tricky]));

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(tricky, _log.Stream("stdout"));
        Assert.False(File.Exists(marker), "a shell expanded an argument");
    }

    [Fact]
    public async Task Templated_arguments_stay_single_arguments()
    {
        const string payload = """{"name":"Robert'); DROP TABLE x;--","n":3,"list":["a b","$(id)"],"obj":{"k":"v"}}""";
        var result = await RunAsync(
            new CommandExecutorSpec(["/bin/sh", "-c", PrintArgs, "sh", "hello {{ payload.name }}", "{{payload.n}}", "{{payload.list.1}}", "{{payload.obj}}", "{{payload}}"]),
            payload);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(["hello Robert'); DROP TABLE x;--", "3", "$(id)", """{"k":"v"}""", payload], _log.Stream("stdout"));
    }

    [Fact]
    public async Task Template_error_fails_without_retry_naming_argument_and_path()
    {
        var marker = Path.Combine(_dir, "started");
        var result = await RunAsync(new CommandExecutorSpec(["/bin/touch", marker, "{{payload.user.id}}"]), """{"user":{}}""");

        Assert.False(result.Succeeded);
        Assert.False(result.Retryable);
        Assert.Contains("argument 2", result.Error);
        Assert.Contains("'payload.user.id' is missing from the payload", result.Error);
        Assert.False(File.Exists(marker), "the command ran despite the template error");
    }

    [Fact]
    public async Task Env_entries_templates_and_kairos_variables_are_set()
    {
        var spec = new CommandExecutorSpec(["/usr/bin/env"])
        {
            Env = new Dictionary<string, string> { ["GREETING"] = "hi {{payload.who}}", ["KAIROS_JOB"] = "spoofed" },
        };
        var result = await _executor.ExecuteAsync(
            Contexts.For(spec, _log, payload: """{"who":"there; rm -rf /"}""", runId: 4711, attempt: 2, job: "nightly-report"),
            CancellationToken.None);

        Assert.True(result.Succeeded, result.Error);
        var env = _log.Stream("stdout");
        Assert.Contains("GREETING=hi there; rm -rf /", env);
        Assert.Contains("KAIROS_RUN_ID=4711", env);
        Assert.Contains("KAIROS_JOB=nightly-report", env);
        Assert.Contains("KAIROS_ATTEMPT=2", env);
        Assert.Contains(env, line => line.StartsWith("PATH=", StringComparison.Ordinal)); // enough of the parent's env to find programs
    }

    [Fact]
    public async Task The_servers_own_environment_does_not_reach_a_command()
    {
        // The issue's leak: a job running `env` printed a variable the server held its secret in.
        const string variable = "KAIROS_TEST_SERVER_SECRET";
        Environment.SetEnvironmentVariable(variable, "hunter2");
        try
        {
            var result = await RunAsync(new CommandExecutorSpec(["/usr/bin/env"]) { Env = new Dictionary<string, string> { ["DECLARED"] = "yes" } });

            Assert.True(result.Succeeded, result.Error);
            var env = _log.Stream("stdout");
            Assert.DoesNotContain(env, line => line.Contains("hunter2", StringComparison.Ordinal));
            Assert.Contains("DECLARED=yes", env);
            var names = env.Select(line => line[..line.IndexOf('=')]).ToHashSet();
            Assert.Subset(new HashSet<string>([.. CommandExecutor.InheritedVariables, "DECLARED", "KAIROS_RUN_ID", "KAIROS_JOB", "KAIROS_ATTEMPT"]), names);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public async Task A_payload_cannot_turn_a_whole_argument_into_an_option()
    {
        var payload = JsonSerializer.Serialize(new { host = "-oProxyCommand=touch proxied" });

        var injected = await RunAsync(new CommandExecutorSpec(["/bin/sh", "-c", PrintArgs, "sh", "{{payload.host}}", "uptime"]), payload);

        Assert.False(injected.Succeeded);
        Assert.False(injected.Retryable);
        Assert.Contains("argument 4 of the command starts with '-'", injected.Error);
        Assert.Empty(_log.Stream("stdout"));
    }

    [Fact]
    public async Task An_option_from_a_template_runs_after_a_double_dash_inside_a_value_or_where_the_job_allows_it()
    {
        const string payload = """{"v":"-n"}""";

        var afterDashes = await RunAsync(new CommandExecutorSpec(["/bin/sh", "-c", PrintArgs, "sh", "--", "{{payload.v}}"]), payload);
        var insideValue = await RunAsync(new CommandExecutorSpec(["/bin/sh", "-c", PrintArgs, "sh", "--mode={{payload.v}}"]), payload);
        var allowed = await RunAsync(new CommandExecutorSpec(["/bin/sh", "-c", PrintArgs, "sh", "{{payload.v}}"]) { AllowOptions = [4] }, payload);

        Assert.True(afterDashes.Succeeded, afterDashes.Error);
        Assert.True(insideValue.Succeeded, insideValue.Error);
        Assert.True(allowed.Succeeded, allowed.Error);
        Assert.Equal(["--", "-n", "--mode=-n", "-n"], _log.Stream("stdout"));
    }

    [Fact]
    public async Task Working_directory_is_applied()
    {
        var result = await RunAsync(new CommandExecutorSpec(["/bin/sh", "-c", "pwd; ls"]) { WorkingDirectory = _dir });
        File.WriteAllText(Path.Combine(_dir, "ignored"), ""); // created after the run: must not be listed

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal([_dir], _log.Stream("stdout"));
    }

    [Fact]
    public async Task Exit_zero_succeeds_with_exit_code_and_stdout_tail()
    {
        var result = await RunAsync(new CommandExecutorSpec(["/bin/echo", "hello", "world"]));

        Assert.True(result.Succeeded, result.Error);
        var output = Output(result);
        Assert.Equal(0, output.GetProperty("exitCode").GetInt32());
        Assert.Equal("hello world\n", output.GetProperty("stdoutTail").GetString());
        Assert.Equal([("stdout", "hello world")], _log.Lines);
    }

    [Fact]
    public async Task Stdout_tail_keeps_the_last_4_KiB()
    {
        // 10,000 'x' then a last line with multi-byte characters.
        var result = await RunAsync(new CommandExecutorSpec(
            ["/bin/sh", "-c", "i=0; while [ $i -lt 100 ]; do printf '%0100d' 0 | tr 0 x; i=$((i+1)); done; printf '\\nend é€\\n'"]));

        Assert.True(result.Succeeded, result.Error);
        var tail = Output(result).GetProperty("stdoutTail").GetString()!;
        Assert.True(Encoding.UTF8.GetByteCount(tail) <= 4096);
        Assert.True(Encoding.UTF8.GetByteCount(tail) > 4000);
        Assert.EndsWith("x\nend é€\n", tail);
    }

    [Fact]
    public async Task Non_zero_exit_is_a_retryable_failure_with_stderr_logged()
    {
        var result = await RunAsync(new CommandExecutorSpec(["/bin/sh", "-c", "echo partial; echo 'it broke' >&2; exit 3"]));

        Assert.False(result.Succeeded);
        Assert.True(result.Retryable);
        Assert.Equal("command exited with code 3", result.Error);
        var output = Output(result);
        Assert.Equal(3, output.GetProperty("exitCode").GetInt32());
        Assert.Equal("partial\n", output.GetProperty("stdoutTail").GetString());
        Assert.Equal(["it broke"], _log.Stream("stderr"));
        Assert.Equal(["partial"], _log.Stream("stdout"));
    }

    [Fact]
    public async Task Output_over_the_cap_is_drained_but_not_logged()
    {
        // 5 MB on stdout in 100-byte lines plus a long line without newline on stderr.
        const string script = """
            yes 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' | head -c 5000000
            head -c 200000 /dev/zero | tr '\0' 'e' >&2
            echo done
            """;
        const long cap = 64 * 1024;
        var watch = Stopwatch.StartNew();
        var result = await RunAsync(new CommandExecutorSpec(["/bin/sh", "-c", script]) { MaxOutputBytes = cap });
        watch.Stop();

        Assert.True(result.Succeeded, result.Error);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"took {watch.Elapsed}");
        var lines = _log.Lines;
        var markers = lines.Where(l => l.Text.StartsWith("[output truncated", StringComparison.Ordinal)).ToList();
        Assert.Single(markers);
        Assert.Equal($"[output truncated after {cap} bytes]", markers[0].Text);
        var logged = lines.Where(l => !markers.Contains(l)).Sum(l => Encoding.UTF8.GetByteCount(l.Text) + 1);
        Assert.InRange(logged, cap - 200, cap);
        // stdout was read to its end: the tail still holds the last line.
        Assert.EndsWith("done\n", Output(result).GetProperty("stdoutTail").GetString());
    }

    [Fact]
    public async Task Missing_executable_is_a_permanent_failure_naming_it()
    {
        var byPath = await RunAsync(new CommandExecutorSpec(["/nonexistent/kairos-tool", "x"]));
        Assert.False(byPath.Succeeded);
        Assert.False(byPath.Retryable);
        Assert.Equal("cannot start '/nonexistent/kairos-tool': no such file", byPath.Error);

        var directory = await RunAsync(new CommandExecutorSpec(["/tmp"]));
        Assert.False(directory.Retryable);
        Assert.Equal("cannot start '/tmp': it is a directory, not an executable", directory.Error);

        var byName = await RunAsync(new CommandExecutorSpec(["kairos-no-such-command-1234"]));
        Assert.False(byName.Succeeded);
        Assert.False(byName.Retryable);
        Assert.Equal("cannot start 'kairos-no-such-command-1234': not found on PATH", byName.Error);
    }

    [Fact]
    public async Task Non_executable_file_is_a_permanent_failure()
    {
        var script = Path.Combine(_dir, "script.sh");
        File.WriteAllText(script, "#!/bin/sh\necho hi\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var result = await RunAsync(new CommandExecutorSpec([script]));

        Assert.False(result.Succeeded);
        Assert.False(result.Retryable);
        Assert.StartsWith($"cannot start '{script}'", result.Error);
        Assert.Contains("permission denied", result.Error);
    }

    [Fact]
    public async Task Missing_working_directory_is_a_permanent_failure_naming_it()
    {
        var missing = Path.Combine(_dir, "no", "such", "dir");
        var result = await RunAsync(new CommandExecutorSpec(["/bin/echo", "x"]) { WorkingDirectory = missing });

        Assert.False(result.Succeeded);
        Assert.False(result.Retryable);
        Assert.Equal($"cannot start '/bin/echo': working directory '{missing}' does not exist", result.Error);
    }

    [Fact]
    public async Task Cancelled_before_start_does_not_run()
    {
        var marker = Path.Combine(_dir, "ran");
        var result = await RunAsync(new CommandExecutorSpec(["/bin/touch", marker]), cancellationToken: new CancellationToken(true));

        Assert.False(result.Succeeded);
        Assert.Contains("cancelled", result.Error);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public async Task Cancellation_sends_sigterm_and_a_trapping_child_exits_cleanly()
    {
        const string script = """
            sleep 100 & child=$!
            trap 'echo "got TERM"; kill $child; exit 0' TERM
            echo ready
            wait
            """;
        using var cancel = new CancellationTokenSource();
        var run = RunAsync(new CommandExecutorSpec(["/bin/sh", "-c", script]) { KillGracePeriod = TimeSpan.FromSeconds(5) }, cancellationToken: cancel.Token);
        await _log.WaitForAsync("stdout", line => line == "ready");

        var watch = Stopwatch.StartNew();
        cancel.Cancel();
        var result = await run.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(4), $"took {watch.Elapsed}: it waited for the grace period");
        Assert.False(result.Succeeded);
        Assert.Equal("command was cancelled (SIGTERM)", result.Error);
        Assert.Contains("got TERM", _log.Stream("stdout"));
        Assert.Equal(0, Output(result).GetProperty("exitCode").GetInt32());
    }

    [Fact]
    public async Task Child_ignoring_sigterm_is_killed_with_its_grandchildren_after_the_grace_period()
    {
        const string script = """
            trap '' TERM
            sleep 100 & echo "grandchild $!"
            sh -c 'sleep 100 & echo "great-grandchild $!"; wait' &
            echo "self $$"
            wait
            """;
        using var cancel = new CancellationTokenSource();
        var run = RunAsync(new CommandExecutorSpec(["/bin/sh", "-c", script]) { KillGracePeriod = TimeSpan.FromMilliseconds(300) }, cancellationToken: cancel.Token);
        var grandchild = Procs.ParsePid((await _log.WaitForAsync("stdout", l => l.StartsWith("grandchild ", StringComparison.Ordinal)))["grandchild ".Length..]);
        var greatGrandchild = Procs.ParsePid((await _log.WaitForAsync("stdout", l => l.StartsWith("great-grandchild ", StringComparison.Ordinal)))["great-grandchild ".Length..]);
        var self = Procs.ParsePid((await _log.WaitForAsync("stdout", l => l.StartsWith("self ", StringComparison.Ordinal)))["self ".Length..]);
        Assert.True(Procs.IsAlive(grandchild));

        var watch = Stopwatch.StartNew();
        cancel.Cancel();
        var result = await run.WaitAsync(TimeSpan.FromSeconds(10));
        watch.Stop();

        Assert.False(result.Succeeded);
        Assert.Equal("command was cancelled (killed after grace period of 300 ms)", result.Error);
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(4));
        Assert.True(await Procs.WaitUntilDeadAsync(self, TimeSpan.FromSeconds(2)), $"child {self} survived");
        Assert.True(await Procs.WaitUntilDeadAsync(grandchild, TimeSpan.FromSeconds(2)), $"grandchild {grandchild} survived");
        Assert.True(await Procs.WaitUntilDeadAsync(greatGrandchild, TimeSpan.FromSeconds(2)), $"great-grandchild {greatGrandchild} survived");
    }

    [Fact]
    public async Task Grandchildren_orphaned_by_a_clean_sigterm_exit_are_killed_too()
    {
        // The child exits on SIGTERM but leaves its background sleep behind.
        const string script = """
            sleep 100 & echo "grandchild $!"
            trap 'exit 0' TERM
            wait
            """;
        using var cancel = new CancellationTokenSource();
        var run = RunAsync(new CommandExecutorSpec(["/bin/sh", "-c", script]) { KillGracePeriod = TimeSpan.FromSeconds(5) }, cancellationToken: cancel.Token);
        var grandchild = Procs.ParsePid((await _log.WaitForAsync("stdout", l => l.StartsWith("grandchild ", StringComparison.Ordinal)))["grandchild ".Length..]);

        cancel.Cancel();
        var result = await run.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("command was cancelled (SIGTERM)", result.Error);
        Assert.True(await Procs.WaitUntilDeadAsync(grandchild, TimeSpan.FromSeconds(2)), $"grandchild {grandchild} survived");
    }

    [Fact]
    public async Task A_background_grandchild_holding_the_output_pipe_does_not_block_completion()
    {
        var watch = Stopwatch.StartNew();
        var result = await RunAsync(new CommandExecutorSpec(["/bin/sh", "-c", "sleep 6 & echo started"]));
        watch.Stop();

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(["started"], _log.Stream("stdout"));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task A_spec_of_another_kind_is_rejected()
    {
        var result = await _executor.ExecuteAsync(Contexts.For(new HttpExecutorSpec("GET", "http://x"), _log), CancellationToken.None);
        Assert.False(result.Succeeded);
        Assert.False(result.Retryable);
    }
}
