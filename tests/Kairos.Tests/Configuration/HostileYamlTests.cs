using System.Diagnostics;
using System.Text;
using Kairos.Configuration;
using Kairos.Model;
using Kairos.Tests.Support;

namespace Kairos.Tests.Configuration;

/// <summary>
/// Files written to hurt: values that overflowed or failed at run time, and YAML shapes that made
/// <c>kairos validate</c> crash or take gigabytes. Each is one positioned error, found quickly.
/// </summary>
public sealed class HostileYamlTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    private static ConfigError FailsOnce(string yaml) =>
        Assert.Single(Assert.Throws<KairosConfigException>(() => YamlConfigLoader.Load(yaml, "test.yaml")).Errors);

    private static string Job(string lines) => "jobs:\n  a:\n    handler: echo\n" + lines;

    [Theory]
    [InlineData("    timeout: ٣s\n", 4, 14, "'٣s' is not a positive duration")] // Arabic-Indic three: digits are ASCII only.
    [InlineData("    timeout: 60d\n", 4, 14, "timeout 60d is longer than 49d, the longest a timer can wait")]
    [InlineData("    retry: { maxDelay: 99999999999d }\n", 4, 24, "'99999999999d' is not a positive duration up to 100 years")]
    [InlineData("    triggers:\n      - interval: 99999999999d\n", 5, 19, "'99999999999d' is not a positive duration up to 100 years")]
    [InlineData("    triggers:\n      - cron: '0 9 * * *'\n        timeZone: Europe\n", 6, 19, "unknown time zone 'Europe'")]
    [InlineData("    triggers:\n      - cron: '0 9 * * *'\n        timeZone: ../../../etc/passwd\n", 6, 19, "unknown time zone")]
    [InlineData("    queue: 'a b'\n", 4, 12, "'a b' is not a valid queue name")]
    public void Values_that_would_overflow_or_fail_at_run_time_are_errors_at_their_position(string lines, int line, int column, string says)
    {
        var error = FailsOnce(Job(lines));

        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.Contains(says, error.Message);
    }

    [Fact]
    public void A_webhook_body_limit_past_10_MiB_is_an_error()
    {
        var error = FailsOnce("webhooks:\n  h:\n    maxBodyBytes: 9223372036854775807\n");

        Assert.Equal((3, 19), (error.Line, error.Column));
        Assert.Contains("maxBodyBytes 9223372036854775807 is out of range 1–10485760", error.Message);
    }

    [Fact]
    public void An_http_job_without_a_method_sends_GET_and_a_method_that_is_not_a_word_is_an_error()
    {
        var config = YamlConfigLoader.Load("jobs:\n  a:\n    http: { url: 'https://example.com' }\n", "test.yaml");
        Assert.Equal("GET", Assert.IsType<HttpExecutorSpec>(config.Jobs.Single().Executor).Method);

        var error = FailsOnce("jobs:\n  a:\n    http: { url: 'https://example.com', method: 'GE T' }\n");
        Assert.Contains("'GE T' is not an HTTP method", error.Message);
    }

    [Fact]
    public void A_name_of_a_megabyte_is_refused_without_echoing_it_whole()
    {
        var name = new string('n', 1_000_000);

        var error = FailsOnce($"jobs:\n  ? {name}\n  : handler: echo\n"); // An explicit key: plain keys stop at 1024 characters.

        Assert.Contains("(1000000 characters) is not a valid job name: use 1–128 letters", error.Message);
        Assert.True(error.Message.Length < 300, error.Message);
    }

    [Fact]
    public async Task Validate_refuses_5000_levels_of_nesting_with_its_position()
    {
        var file = Write("deep.yaml", "jobs:\n  a:\n    handler: echo\n    triggers:\n      - now: true\n        payload: " + new string('[', 5000) + new string(']', 5000) + "\n");

        var result = await EndToEnd.Cli.RunAsync("validate", file);

        Assert.True(result.ExitCode == 1, result.ToString());
        // Five levels are open before the payload (root, jobs, a, triggers, the trigger), whose first '[' is at column 18: level 65 is at column 77.
        Assert.Contains($"{file}:6:77: the YAML is nested more than 64 levels deep here", result.Stderr);
    }

    /// <summary>Nine levels of nine aliases each: about 450 bytes that expand to 9^9 (387 million) strings.</summary>
    private static string BillionLaughs()
    {
        var yaml = new StringBuilder("jobs:\n  a:\n    handler: echo\n    triggers:\n      - now: true\n        payload:\n");
        yaml.Append("          a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n");
        for (var level = 'b'; level <= 'i'; level++)
        {
            var below = (char)(level - 1);
            yaml.Append($"          {level}: &{level} [{string.Join(',', Enumerable.Repeat($"*{below}", 9))}]\n");
        }
        return yaml.ToString();
    }

    [Fact]
    public async Task Validate_refuses_an_alias_bomb_quickly_and_in_little_memory()
    {
        var file = Write("bomb.yaml", BillionLaughs());
        var clock = Stopwatch.StartNew();
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();

        var error = Assert.Throws<KairosConfigException>(() => YamlConfigLoader.LoadFile(file));

        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        Assert.True(allocated < 10_000_000, $"allocated {allocated:N0} bytes");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"took {clock.Elapsed}");
        var only = Assert.Single(error.Errors);
        Assert.Equal(11, only.Line); // Level e: 9 × 27,064 is past the bound.
        Assert.Contains("the aliases (*name) in this file expand to more than 100,000 nodes and characters", only.Message);

        var result = await EndToEnd.Cli.RunAsync("validate", file);
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains($"{file}:11:", result.Stderr);
    }

    [Fact]
    public void Aliases_that_share_a_small_value_still_work()
    {
        var config = YamlConfigLoader.Load("""
            jobs:
              a:
                handler: echo
                retry: &careful { maxAttempts: 7 }
              b:
                handler: echo
                retry: *careful
            """, "test.yaml");

        Assert.All(config.Jobs, j => Assert.Equal(7, j.Retry.MaxAttempts));
    }

    [Fact]
    public async Task Validate_reports_an_alias_to_no_anchor_at_the_alias_and_one_after_a_value_without_crashing()
    {
        var undefined = Write("undefined.yaml", "jobs:\n  a:\n    handler: *zz\n");
        var afterValue = Write("after-value.yaml", "jobs:\n  a:\n    handler: &a echo\nsubscriptions:\n  s:\n    events: 'order.*'   *a\n    job: a\n");

        var first = await EndToEnd.Cli.RunAsync("validate", undefined);
        var second = await EndToEnd.Cli.RunAsync("validate", afterValue); // Found by the fuzz tests: an unhandled ArgumentException.

        Assert.Contains($"{undefined}:3:14: alias *zz refers to no anchor &zz defined above it", first.Stderr);
        Assert.True(second.ExitCode == 1, second.ToString());
        Assert.Contains("malformed YAML", second.Stderr);
        Assert.DoesNotContain("   at ", second.Stderr);
    }

    [Fact]
    public void Numbers_that_JSON_cannot_hold_stay_text_in_a_payload()
    {
        // Found by the fuzz tests: 1e400 became Infinity, which no JSON writer accepts.
        var config = YamlConfigLoader.Load("jobs:\n  a:\n    handler: echo\n    triggers:\n      - now: true\n        payload: { big: 1e400, nan: NaN, n: 1.5 }\n", "test.yaml");

        Assert.Equal("""{"big":"1e400","nan":"NaN","n":1.5}""", config.Jobs.Single().Triggers.Single().Payload);
    }

    [Fact]
    public async Task Validate_points_at_a_second_document_instead_of_ignoring_it()
    {
        var file = Write("two.yaml", "jobs:\n  a:\n    handler: echo\n---\njobs:\n  b:\n    handler: nope\n");

        var result = await EndToEnd.Cli.RunAsync("validate", file);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains($"{file}:4:1: a second YAML document starts here", result.Stderr);
    }

    private string Write(string name, string text)
    {
        var path = _directory.File(name);
        File.WriteAllText(path, text);
        return path;
    }

    public void Dispose() => _directory.Dispose();
}
