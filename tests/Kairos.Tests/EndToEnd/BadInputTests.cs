using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Kairos.Tests.Support;
using Microsoft.Data.Sqlite;

namespace Kairos.Tests.EndToEnd;

/// <summary>
/// Bad input is refused up front with a message a person can act on: bad configuration files (with
/// file:line:col), bad cron expressions, bad JSON on the command line. Nothing is started or written.
/// </summary>
public sealed class BadInputTests : IDisposable
{
    private static readonly TimeSpan Quickly = TimeSpan.FromSeconds(20);

    /// <summary>Configuration files with what `kairos` must say about them: (line, column, text in the message).</summary>
    public static readonly Dictionary<string, (string Yaml, (int Line, int Column, string Says)[] Errors)> Files = new()
    {
        ["malformed-indent"] = ("""
            jobs:
              a:
                handler: echo
               bad: x
            """, [(4, 4, "malformed YAML")]),
        ["malformed-unclosed"] = ("""
            jobs:
              a: {handler: echo
              b:
                handler: noop
            """, [(3, 3, "malformed YAML: cannot read on from here; is a '[' or '{' above missing its closing bracket?")]),
        ["unknown-key"] = ("""
            engine:
              workers: 2
              wrkers: 3
            jobs:
              a:
                handler: echo
                priorty: 3
            """, [(3, 3, "unknown key 'wrkers' in engine"), (7, 5, "unknown key 'priorty' in job 'a'")]),
        ["bad-cron"] = ("""
            jobs:
              a:
                handler: echo
                triggers:
                  - cron: "61 * * * *"
                  - cron: "0 25 * * *"
            """, [(5, 15, "minute field '61'"), (6, 15, "hour field '25'")]),
        ["unknown-handler"] = ("""
            jobs:
              a:
                handler: nope
            """, [(3, 14, "no handler named 'nope' is registered")]),
        ["non-text-keys"] = ("""
            jobs:
              [a, b]:
                handler: echo
            engine:
              queues:
                {x: 1}: 2
            """, [(2, 3, "a job name must be a plain name"), (6, 5, "a key of engine.queues must be a plain name")]),
    };

    public static TheoryData<string> FileNames => new(Files.Keys);

    private readonly TempDirectory _directory = new();

    private string Write(string name)
    {
        var path = _directory.File(name + ".yaml");
        File.WriteAllText(path, Files[name].Yaml + "\n");
        return path;
    }

    private static void AssertReportsEveryError(string file, string name, string text)
    {
        foreach (var (line, column, says) in Files[name].Errors)
        {
            var prefix = $"{file}:{line}:{column}: ";
            var reported = text.Split('\n').FirstOrDefault(l => l.Contains(prefix, StringComparison.Ordinal));
            Assert.True(reported is not null, $"no line starting {prefix} in:\n{text}");
            Assert.Contains(says, reported);
        }
        Assert.Contains($"{file} has {Files[name].Errors.Length} error(s)", text);
        Assert.DoesNotContain("Unhandled exception", text);
        Assert.DoesNotContain("   at ", text); // No stack trace.
    }

    [Theory]
    [MemberData(nameof(FileNames))]
    public async Task Serve_with_a_bad_config_exits_non_zero_quickly_with_file_line_col_errors_and_no_database(string name)
    {
        var config = Write(name);
        var database = _directory.File("kairos.db");
        var clock = Stopwatch.StartNew();

        var result = await Cli.RunProcessAsync(Quickly, _directory.Path,
            "serve", "--config", config, "--db", database, "--urls", $"http://127.0.0.1:{KairosServerProcess.FreePort()}");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed.TotalSeconds:0.0} s");
        AssertReportsEveryError(config, name, result.Stderr);
        Assert.DoesNotContain("serving", result.Stdout);
        Assert.Empty(Directory.GetFiles(_directory.Path, "kairos.db*"));
    }

    [Fact]
    public async Task Serve_with_a_bad_config_leaves_an_existing_database_untouched()
    {
        var config = Write("bad-cron");
        var database = _directory.File("existing.db");
        using (var connection = new SqliteConnection($"Data Source={database};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE precious (x INTEGER); INSERT INTO precious VALUES (42);";
            command.ExecuteNonQuery();
        }
        var before = SHA256.HashData(File.ReadAllBytes(database));
        var modified = File.GetLastWriteTimeUtc(database);

        var result = await Cli.RunProcessAsync(Quickly, _directory.Path,
            "serve", "--config", config, "--db", database, "--urls", $"http://127.0.0.1:{KairosServerProcess.FreePort()}");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal(before, SHA256.HashData(File.ReadAllBytes(database)));
        Assert.Equal(modified, File.GetLastWriteTimeUtc(database));
        Assert.Equal(new[] { database }, Directory.GetFiles(_directory.Path, "existing.db*")); // No -wal or -shm either.
    }

    [Theory]
    [MemberData(nameof(FileNames))]
    public async Task Validate_prints_every_error_with_line_and_column_and_exits_1(string name)
    {
        var config = Write(name);

        var result = await Cli.RunAsync("validate", config);

        Assert.True(result.ExitCode == 1, result.ToString());
        AssertReportsEveryError(config, name, result.Stderr);
        Assert.DoesNotContain("valid (", result.Stdout);
    }

    [Fact]
    public async Task Validate_says_the_example_file_is_valid_and_exits_0()
    {
        var example = Path.Combine(KairosServerProcess.RepoRoot, "examples", "kairos.yaml");

        var result = await Cli.RunAsync("validate", example);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"{example}: valid (8 job(s), 6 trigger(s), 1 webhook(s), 1 subscription(s))", result.Stdout);
        Assert.Equal("", result.Stderr);
    }

    [Fact]
    public async Task Cron_next_with_an_out_of_range_minute_exits_2_naming_the_minute_field()
    {
        var result = await Cli.RunAsync("cron", "next", "61 * * * *");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("minute field '61'", result.Stderr);
        Assert.Contains("0-59", result.Stderr);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task Jobs_run_with_data_that_is_not_JSON_exits_2_without_contacting_the_server()
    {
        // A port that listens but is never answered: a connection attempt would sit in its backlog.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var url = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";

        var run = Cli.RunAsync("jobs", "run", "x", "--data", "{bad", "--server", url);
        var returned = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(10))) == run;

        Assert.False(listener.Pending(), "the CLI connected to the server although its input was invalid");
        Assert.True(returned, "the CLI did not return within 10 s");
        var result = await run;
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--data is not valid JSON", result.Stderr);
        Assert.Equal("", result.Stdout);
    }

    public void Dispose() => _directory.Dispose();
}
