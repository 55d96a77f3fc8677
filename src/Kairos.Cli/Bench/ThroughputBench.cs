using System.Diagnostics;
using System.Text.Json.Nodes;
using Kairos.Engine;
using Kairos.Model;

namespace Kairos.Cli.Bench;

/// <summary>
/// <c>kairos bench throughput</c>: N runs of a no-op handler, enqueued all at once through
/// <see cref="KairosEngine.EnqueueAsync"/> while the engine runs, timed from the first enqueue
/// until every run has succeeded. With <c>--nodes N</c> (PostgreSQL), N engines share the store
/// and the work, and the report says how many runs each node started; <c>--nodes-as processes</c>
/// runs the nodes as <c>kairos serve</c> processes instead (see <see cref="ThroughputInProcesses"/>).
/// With <c>--warmup W</c>, W runs go through first, untimed: the figure is then the engine's steady
/// state, without the JIT compiling and recompiling the run path (on 2 cores, a cold 20,000-run
/// bench spends about a quarter of the process's CPU in the tiered compiler's thread).
/// </summary>
internal static class ThroughputBench
{
    public static readonly string[] Options = ["--n", "--warmup", "--workers", "--nodes", "--nodes-as", "--enqueue-on", "--db"];

    // The end is seen by polling; the interval bounds how late it is noticed.
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(5);

    public static async Task<BenchReport> RunAsync(CliArgs args)
    {
        var n = BenchArgs.Int(args, "--n", 20_000);
        var warmup = BenchArgs.Int(args, "--warmup", 0, min: 0);
        var workers = BenchArgs.Int(args, "--workers", 32, max: 10_000);
        var nodes = BenchArgs.Int(args, "--nodes", 1, max: 16);
        var processes = (args.Get("--nodes-as") ?? "engines") switch
        {
            "engines" => false,
            "processes" => true,
            var other => throw new UsageException($"--nodes-as '{other}' must be engines (in this process) or processes (kairos serve)"),
        };
        var enqueueOnFirst = (args.Get("--enqueue-on") ?? "all") switch
        {
            "all" => false,
            "first" => true,
            var other => throw new UsageException($"--enqueue-on '{other}' must be all (round robin over the nodes) or first"),
        };
        if (processes && args.Has("--enqueue-on"))
        {
            throw new UsageException("--enqueue-on is for --nodes-as engines; with processes this process enqueues as a node of its own");
        }
        if (processes && warmup > 0)
        {
            throw new UsageException("--warmup is for --nodes-as engines");
        }
        await using var database = await BenchDatabase.CreateAsync(args.Get("--db"));
        var run = processes
            ? await ThroughputInProcesses.RunAsync(database, n, workers, nodes)
            : await RunInProcessAsync(database, n, warmup, workers, nodes, enqueueOnFirst);

        return new BenchReport(
            "throughput",
            new JsonObject
            {
                ["n"] = n,
                ["warmup"] = warmup,
                ["workers"] = workers,
                ["nodes"] = processes ? $"{nodes} kairos serve processes" : nodes == 1 ? "1 engine" : $"{nodes} engines in one process",
                ["database"] = database.Describe(processes ? nodes + 1 : nodes),
                ["enqueue"] = "KairosEngine.EnqueueAsync, all N issued at once while the nodes run, " + (
                    processes ? "on a node of this process with no workers"
                    : enqueueOnFirst || nodes == 1 ? "on the first node" : "round robin over the nodes"),
                ["handler"] = processes ? "noop" : "no-op (counts the runs each node started)",
            },
            new JsonObject
            {
                ["seconds"] = BenchArgs.Seconds(run.Total),
                ["jobsPerSecond"] = Math.Round(n / run.Total.TotalSeconds),
                ["enqueueSeconds"] = BenchArgs.Seconds(run.Enqueue),
                ["enqueuesPerSecond"] = Math.Round(n / run.Enqueue.TotalSeconds),
                ["startedWhileEnqueueing"] = run.StartedWhileEnqueueing,
                ["runsPerNode"] = run.PerNode,
            });
    }

    private static async Task<ThroughputRun> RunInProcessAsync(BenchDatabase database, int n, int warmup, int workers, int nodes, bool enqueueOnFirst)
    {
        await using var cluster = await BenchNodes.StartAsync(database, nodes, o => o.Workers = workers);
        var engines = cluster.Nodes.Select(b => b.Engine).ToList();
        await engines[0].SaveJobAsync(new JobDefinition { Name = "bench-noop", Executor = new HandlerExecutorSpec(BenchNodes.Handler) });
        if (warmup > 0)
        {
            await EnqueueAllAsync(engines, warmup, enqueueOnFirst);
            await WaitUntilAllSucceededAsync(cluster, warmup);
        }

        var clock = Stopwatch.StartNew();
        var startedBefore = cluster.TotalStarted;
        await EnqueueAllAsync(engines, n, enqueueOnFirst);
        var enqueueTime = clock.Elapsed;
        var startedWhileEnqueueing = cluster.TotalStarted - startedBefore;

        await WaitUntilAllSucceededAsync(cluster, warmup + n);
        return new ThroughputRun(enqueueTime, clock.Elapsed, startedWhileEnqueueing, cluster.StartedPerNode());
    }

    private static Task EnqueueAllAsync(IReadOnlyList<KairosEngine> engines, int n, bool enqueueOnFirst)
    {
        var enqueues = new Task[n];
        for (var i = 0; i < n; i++)
        {
            var engine = enqueueOnFirst ? engines[0] : engines[i % engines.Count];
            enqueues[i] = engine.EnqueueAsync(new RunRequest("bench-noop", TriggerSources.Manual));
        }
        return Task.WhenAll(enqueues);
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
            if (cluster.TotalStarted >= n && engines.All(e => e.ActiveRuns == 0) && await engine.Store.GetNextQueuedDueAsync(null, CancellationToken.None) is null)
            {
                var byState = (await engine.Store.GetStatsAsync(null, CancellationToken.None)).RunsByState;
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

/// <summary>What one throughput run measured: until the last enqueue returned, until the last run succeeded, runs started meanwhile, runs per node.</summary>
internal sealed record ThroughputRun(TimeSpan Enqueue, TimeSpan Total, long StartedWhileEnqueueing, JsonObject PerNode);
