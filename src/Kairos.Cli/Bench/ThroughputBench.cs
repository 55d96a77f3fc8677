using System.Diagnostics;
using System.Text.Json.Nodes;
using Kairos.Engine;
using Kairos.Model;

namespace Kairos.Cli.Bench;

/// <summary>
/// <c>kairos bench throughput</c>: N runs of a no-op handler, enqueued all at once through
/// <see cref="KairosEngine.EnqueueAsync"/> while the engine runs, timed from the first enqueue
/// until every run has succeeded. With <c>--nodes N</c> (PostgreSQL), N engines share the store
/// and the work, and the report says how many runs each node started.
/// </summary>
internal static class ThroughputBench
{
    public static readonly string[] Options = ["--n", "--workers", "--nodes", "--enqueue-on", "--db"];

    // The end is seen by polling; the interval bounds how late it is noticed.
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(5);

    public static async Task<BenchReport> RunAsync(CliArgs args)
    {
        var n = BenchArgs.Int(args, "--n", 20_000);
        var workers = BenchArgs.Int(args, "--workers", 32, max: 10_000);
        var nodes = BenchArgs.Int(args, "--nodes", 1, max: 16);
        var enqueueOnFirst = (args.Get("--enqueue-on") ?? "all") switch
        {
            "all" => false,
            "first" => true,
            var other => throw new UsageException($"--enqueue-on '{other}' must be all (round robin over the nodes) or first"),
        };
        await using var database = await BenchDatabase.CreateAsync(args.Get("--db"));
        TimeSpan enqueueTime, totalTime;
        JsonObject perNode;
        long startedWhileEnqueueing;
        await using (var cluster = await BenchNodes.StartAsync(database, nodes, o => o.Workers = workers))
        {
            var engines = cluster.Nodes.Select(b => b.Engine).ToList();
            await engines[0].SaveJobAsync(new JobDefinition { Name = "bench-noop", Executor = new HandlerExecutorSpec(BenchNodes.Handler) });

            var clock = Stopwatch.StartNew();
            var enqueues = new Task[n];
            for (var i = 0; i < n; i++)
            {
                var engine = enqueueOnFirst ? engines[0] : engines[i % engines.Count];
                enqueues[i] = engine.EnqueueAsync(new RunRequest("bench-noop", TriggerSources.Manual));
            }
            await Task.WhenAll(enqueues);
            enqueueTime = clock.Elapsed;
            startedWhileEnqueueing = cluster.TotalStarted;

            await WaitUntilAllSucceededAsync(cluster, n);
            totalTime = clock.Elapsed;
            perNode = cluster.StartedPerNode();
        }

        return new BenchReport(
            "throughput",
            new JsonObject
            {
                ["n"] = n,
                ["workers"] = workers,
                ["nodes"] = nodes == 1 ? "1 engine" : $"{nodes} engines in one process",
                ["database"] = database.Describe(nodes),
                ["enqueue"] = "KairosEngine.EnqueueAsync, all N issued at once while the engines run, "
                    + (enqueueOnFirst || nodes == 1 ? "on the first node" : "round robin over the nodes"),
                ["handler"] = "no-op (counts the runs each node started)",
            },
            new JsonObject
            {
                ["seconds"] = BenchArgs.Seconds(totalTime),
                ["jobsPerSecond"] = Math.Round(n / totalTime.TotalSeconds),
                ["enqueueSeconds"] = BenchArgs.Seconds(enqueueTime),
                ["enqueuesPerSecond"] = Math.Round(n / enqueueTime.TotalSeconds),
                ["startedWhileEnqueueing"] = startedWhileEnqueueing,
                ["runsPerNode"] = perNode,
            });
    }

    /// <summary>
    /// Polls cheaply: asks the store only once every run has started (counted by the handlers) and
    /// nothing runs on any node, whether anything is still queued (one read), and counts runs by
    /// state only when that says done, so the polling itself takes next to no CPU from the engines.
    /// </summary>
    private static async Task WaitUntilAllSucceededAsync(BenchNodes cluster, int n)
    {
        var engines = cluster.Nodes.Select(b => b.Engine).ToList();
        var engine = engines[0];
        while (true)
        {
            if (cluster.TotalStarted >= n && engines.All(e => e.ActiveRuns == 0) && await engine.Store.GetNextQueuedDueAsync(CancellationToken.None) is null)
            {
                var byState = (await engine.Store.GetStatsAsync(CancellationToken.None)).RunsByState;
                if (byState.GetValueOrDefault(RunState.Succeeded.ToWire()) == n)
                {
                    return;
                }
                if (byState.Keys.Any(s => s != RunState.Succeeded.ToWire() && RunStates.Parse(s).IsFinished()))
                {
                    throw new InvalidOperationException("a benchmark run did not succeed: " + string.Join(", ", byState));
                }
            }
            await Task.Delay(PollInterval);
        }
    }
}
