using Kairos.Configuration;
using Kairos.Model;
using Kairos.Tests.Support;

namespace Kairos.Tests.Configuration;

public sealed class YamlConfigLoaderTests
{
    private static KairosConfigException Fails(string yaml) =>
        Assert.Throws<KairosConfigException>(() => YamlConfigLoader.Load(yaml, "test.yaml"));

    [Fact]
    public void The_shipped_example_file_is_valid()
    {
        var config = YamlConfigLoader.LoadFile(RepositoryRoot.File("examples", "kairos.yaml"));
        Assert.Contains(config.Jobs, j => j.Name == "weekday-report" && j.Triggers.Single() is CronTriggerSpec { TimeZone: "Europe/Paris" });
    }

    [Fact]
    public void A_full_job_is_read_into_its_definition()
    {
        var config = YamlConfigLoader.Load("""
            engine:
              workers: 4
              leaseDuration: 20s
              leaderLease: 6s
              queues: { reports: 2 }
              executorLimits: { command: 1 }
              namespaces: { billing: { maxRunning: 5 } }
            jobs:
              report:
                command:
                  argv: ["/usr/bin/make", "report", "{{payload.month}}"]
                  env: { LANG: C }
                  workingDirectory: /tmp
                  killGrace: 3s
                queue: reports
                priority: 8
                timeout: 1h30m
                retry: { backoff: linear, initialDelay: 5s, maxDelay: 1m, jitter: 0, maxAttempts: 4 }
                concurrency: { maxInstances: 1, onOverlap: skip }
                paused: true
                triggers:
                  - cron: "0 9 * * MON-FRI"
                    timeZone: Europe/Paris
                    misfire: skip
                    payload: { month: current, n: 3 }
                  - interval: 10m
                    mode: fixed-delay
                  - once: 2026-12-01T09:00:00+01:00
                  - now: true
              ping:
                http: { method: post, url: "https://example.org/hook", headers: { X-Token: abc }, body: { run: "{{payload.trigger}}" }, timeout: 5s }
            """, "test.yaml");

        Assert.Equal((4, TimeSpan.FromSeconds(20), 2, 1), (config.Engine.Workers, config.Engine.LeaseDuration, config.Engine.QueueLimits["reports"], config.Engine.ExecutorLimits["command"]));
        Assert.Equal(5, config.Engine.NamespaceLimits["billing"]);
        Assert.Equal(TimeSpan.FromSeconds(6), config.Engine.LeaderLease);
        var report = config.Jobs.Single(j => j.Name == "report");
        var command = Assert.IsType<CommandExecutorSpec>(report.Executor);
        Assert.Equal(["/usr/bin/make", "report", "{{payload.month}}"], command.Argv);
        Assert.Equal(("C", "/tmp", TimeSpan.FromSeconds(3)), (command.Env["LANG"], command.WorkingDirectory, command.KillGracePeriod));
        Assert.Equal(("reports", 8, TimeSpan.FromMinutes(90), true), (report.Queue, report.Priority, report.Timeout, report.Paused));
        Assert.Equal(new RetryPolicy(BackoffKind.Linear, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(1), 0, 4), report.Retry);
        Assert.Equal(new ConcurrencyPolicy(1, OverlapPolicy.Skip), report.Concurrency);
        var cron = Assert.IsType<CronTriggerSpec>(report.Triggers[0]);
        Assert.Equal(("Europe/Paris", MisfirePolicy.Skip, """{"month":"current","n":3}"""), (cron.TimeZone, cron.Misfire, cron.Payload));
        Assert.Equal(IntervalMode.FixedDelay, Assert.IsType<IntervalTriggerSpec>(report.Triggers[1]).Mode);
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero), Assert.IsType<OnceTriggerSpec>(report.Triggers[2]).At);
        Assert.IsType<NowTriggerSpec>(report.Triggers[3]);
        var http = Assert.IsType<HttpExecutorSpec>(config.Jobs.Single(j => j.Name == "ping").Executor);
        Assert.Equal(("POST", """{"run":"{{payload.trigger}}"}""", "abc"), (http.Method, http.Body, http.Headers["X-Token"]));
    }

    [Fact]
    public void Every_error_is_reported_with_its_line_and_column()
    {
        var error = Fails("""
            jobs:
              a:
                handler: echo
                priorty: 3
                triggers:
                  - cron: "61 * * * *"
                  - cron: "0 9 * * *"
                    timeZone: Europe/Pariss
              b:
                handler: echo
                command: ["/bin/true"]
                timeout: soon
            """);

        Assert.Collection(error.Errors,
            e => Assert.Equal((4, 5, true), (e.Line, e.Column, e.Message.Contains("unknown key 'priorty'"))),
            e => Assert.Equal((6, 15, true), (e.Line, e.Column, e.Message.Contains("minute") && e.Message.Contains("61"))),
            e => Assert.Equal((8, 19, true), (e.Line, e.Column, e.Message.Contains("unknown time zone 'Europe/Pariss'"))),
            e => Assert.Equal((11, 14, true), (e.Line, e.Column, e.Message.Contains("exactly one executor"))),
            e => Assert.Equal((12, 14, true), (e.Line, e.Column, e.Message.Contains("'soon' is not a positive duration"))));
        Assert.Contains("test.yaml:4:5: unknown key 'priorty'", error.Message);
    }

    [Fact]
    public void Malformed_yaml_names_the_position()
    {
        var error = Fails("jobs:\n  a:\n    handler: [echo\n");
        var only = Assert.Single(error.Errors);
        Assert.StartsWith("malformed YAML", only.Message);
        Assert.True(only.Line >= 3);
    }

    [Theory]
    [InlineData("jobs:\n  a:\n    handler: echo\n    priority: 11\n", "priority 11 is out of range 1–10")]
    [InlineData("jobs:\n  a:\n    handler: echo\n    retry: { jitter: 2 }\n", "retry.jitter 2 is out of range")]
    [InlineData("jobs:\n  a:\n    handler: echo\n    concurrency: { onOverlap: drop }\n", "'drop' is not one of: queue, skip")]
    [InlineData("jobs:\n  a:\n    handler: echo\n    triggers:\n      - once: 2026-12-01T09:00:00\n", "with an offset")]
    [InlineData("jobs:\n  a:\n    handler: echo\n    triggers:\n      - cron: '* * * * *'\n        interval: 5m\n", "exactly one of: cron, interval, once, now")]
    [InlineData("jobs:\n  a:\n    handler: echo\n    triggers:\n      - interval: 5m\n        timeZone: UTC\n", "'timeZone' applies only to cron triggers")]
    [InlineData("jobs:\n  'bad name':\n    handler: echo\n", "not a valid job name")]
    [InlineData("jobs:\n  a:\n    command: []\n", "non-empty list")]
    [InlineData("jobs:\n  a:\n    http: { url: 'ftp://x' }\n", "not an absolute http(s) URL")]
    [InlineData("engine:\n  wrkers: 3\n", "unknown key 'wrkers' in engine")]
    [InlineData("engine:\n  namespaces: { Billing: { maxRunning: 2 } }\n", "'Billing' is not a valid namespace")]
    [InlineData("api:\n  trustedProxies: [10.0.0.1/8]\n", "api.trustedProxies: '10.0.0.1/8' is not a CIDR range: its address has bits set past the prefix (the range is 10.0.0.0/8)")]
    [InlineData("api:\n  trustedProxies: [proxy.local]\n", "api.trustedProxies: 'proxy.local' is not an IP address")]
    [InlineData("api:\n  maxBodyBytes: 1023\n", "api.maxBodyBytes 1023 is out of range 1024–67108864")]
    [InlineData("api:\n  maxBodyBytes: 9223372036854775807\n", "api.maxBodyBytes 9223372036854775807 is out of range")]
    [InlineData("engine:\n  namespaces: { billing: { maxRunning: -1 } }\n", "engine.namespaces.billing.maxRunning")]
    [InlineData("engine:\n  namespaces: { billing: { maxRuning: 2 } }\n", "unknown key 'maxRuning'")]
    public void Bad_values_get_a_message_that_says_what_is_wrong(string yaml, string expected) =>
        Assert.Contains(expected, Assert.Single(Fails(yaml).Errors).Message);

    [Fact]
    public void Handlers_that_are_not_registered_are_errors_when_the_engine_loads_the_file()
    {
        var error = Assert.Throws<KairosConfigException>(() =>
            YamlConfigLoader.Load("jobs:\n  a:\n    handler: nosuch\n", "test.yaml", name => name == "echo"));
        Assert.Contains("no handler named 'nosuch'", Assert.Single(error.Errors).Message);
    }

    [Theory]
    [InlineData("250ms", 250)]
    [InlineData("30s", 30_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("2d", 172_800_000)]
    public void Durations_read_as_people_write_them(string text, long ms) =>
        Assert.Equal(TimeSpan.FromMilliseconds(ms), Durations.Parse(text));

    [Fact]
    public void Allow_options_names_argument_indexes_and_refuses_others_with_their_line()
    {
        var config = YamlConfigLoader.Load("jobs:\n  ssh:\n    command:\n      argv: [ssh, \"{{payload.flag}}\", host]\n      allowOptions: [1]\n", "test.yaml");
        var error = Assert.Throws<KairosConfigException>(() =>
            YamlConfigLoader.Load("jobs:\n  ssh:\n    command:\n      argv: [ssh, host]\n      allowOptions: [0]\n", "test.yaml"));

        Assert.Equal([1], ((CommandExecutorSpec)config.Jobs.Single().Executor).AllowOptions);
        Assert.Contains("test.yaml:5", error.Message);
        Assert.Contains("allowOptions", error.Message);
    }
}
