using Kairos.Cli.Bench;

namespace Kairos.Cli.Commands;

/// <summary><c>kairos bench SCENARIO</c>: one JSON line of measurements against a fresh store.</summary>
internal static class BenchCommand
{
    public static async Task<int> RunAsync(string[] rest, TextWriter output)
    {
        if (rest.Length == 0)
        {
            throw new UsageException("missing the scenario: throughput, cron-latency, idle, webhook-latency, file-latency, publish, claim-latency or failover");
        }
        var (options, run) = rest[0] switch
        {
            "throughput" => (ThroughputBench.Options, (Func<CliArgs, Task<BenchReport>>)ThroughputBench.RunAsync),
            "cron-latency" => (CronLatencyBench.Options, CronLatencyBench.RunAsync),
            "idle" => (IdleBench.Options, IdleBench.RunAsync),
            "webhook-latency" => (WebhookLatencyBench.Options, WebhookLatencyBench.RunAsync),
            "file-latency" => (FileLatencyBench.Options, FileLatencyBench.RunAsync),
            "publish" => (PublishBench.Options, PublishBench.RunAsync),
            "workflow" => (WorkflowBench.Options, WorkflowBench.RunAsync),
            "claim-latency" => (ClaimLatencyBench.Options, ClaimLatencyBench.RunAsync),
            "failover" => (FailoverBench.Options, FailoverBench.RunAsync),
            _ => throw new UsageException($"unknown bench scenario '{rest[0]}'; use throughput, cron-latency, idle, webhook-latency, file-latency, publish, claim-latency or failover"),
        };
        var args = CliArgs.Parse(rest[1..], [], options);
        args.NoMorePositionals(0);
        var report = await run(args);
        report.WriteTo(output);
        return 0;
    }
}
