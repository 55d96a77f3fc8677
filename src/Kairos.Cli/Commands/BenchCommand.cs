using System.CommandLine;
using Kairos.Cli.Bench;

namespace Kairos.Cli.Commands;

/// <summary><c>kairos bench SCENARIO</c>: one JSON line of measurements against a fresh store (see docs/benchmarks.md).</summary>
internal static class BenchCommand
{
    /// <summary>What each benchmark option means, for --help; each scenario declares which it takes.</summary>
    private static readonly Dictionary<string, (string Value, string Description)> OptionHelp = new(StringComparer.Ordinal)
    {
        ["--db"] = ("DATABASE", "a SQLite path or postgres://… (default: a temporary SQLite file)"),
        ["--n"] = ("N", "how many runs"),
        ["--warmup"] = ("N", "how many runs go through first, untimed"),
        ["--workers"] = ("N", "worker slots per node"),
        ["--nodes"] = ("N", "how many nodes share the database"),
        ["--nodes-as"] = ("engines|processes", "nodes as engines in this process or as child processes"),
        ["--enqueue-on"] = ("all|first", "which nodes enqueue"),
        ["--triggers"] = ("N", "how many time triggers"),
        ["--seconds"] = ("N", "how long to measure"),
        ["--runs"] = ("N", "how many runs are stored first"),
        ["--rate"] = ("N", "requests or runs per second"),
        ["--files"] = ("N", "how many files are written"),
        ["--settle"] = ("DURATION", "how long a file must stay unchanged"),
        ["--gap-ms"] = ("N", "milliseconds between two files"),
        ["--subscriptions"] = ("N", "how many subscriptions"),
        ["--fanout-events"] = ("N", "how many events match every subscription"),
        ["--events"] = ("N", "how many events are published"),
        ["--repeat"] = ("N", "how many times the measure is repeated"),
        ["--leader-lease"] = ("DURATION", "the leader's lease"),
        ["--stop"] = ("kill|term", "how the leader is stopped"),
    };

    public static Command Build() => CliCommand.Group("bench", "measure a scenario against a fresh store; prints one JSON line",
        Scenario("throughput", "runs per second through enqueue, claim and completion", ThroughputBench.Options, ThroughputBench.RunAsync),
        Scenario("cron-latency", "how late cron triggers fire", CronLatencyBench.Options, CronLatencyBench.RunAsync),
        Scenario("idle", "what an idle server costs", IdleBench.Options, IdleBench.RunAsync),
        Scenario("webhook-latency", "from webhook delivery to run start", WebhookLatencyBench.Options, WebhookLatencyBench.RunAsync),
        Scenario("file-latency", "from file written to run start", FileLatencyBench.Options, FileLatencyBench.RunAsync),
        Scenario("publish", "publishing events matched to subscriptions", PublishBench.Options, PublishBench.RunAsync),
        Scenario("workflow", "workflow runs end to end", WorkflowBench.Options, WorkflowBench.RunAsync),
        Scenario("claim-latency", "from enqueue to claim on PostgreSQL", ClaimLatencyBench.Options, ClaimLatencyBench.RunAsync),
        Scenario("failover", "how long a cluster takes to replace a stopped leader (PostgreSQL)", FailoverBench.Options, FailoverBench.RunAsync));

    private static Command Scenario(string name, string description, string[] options, Func<CliArgs, Task<BenchReport>> run) =>
        CliCommand.Leaf(name, description, async (args, output) =>
            {
                var report = await run(args);
                report.WriteTo(output);
                return 0;
            },
            options.Select(o => CliCommand.Valued(o, OptionHelp[o].Value, OptionHelp[o].Description)));
}
