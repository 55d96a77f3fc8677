using System.Diagnostics;
using System.Text.Json.Nodes;
using Kairos.Engine;
using Kairos.Model;

namespace Kairos.Cli.Bench;

/// <summary>
/// <c>kairos bench throughput</c>: N runs of the built-in noop handler, enqueued all at once through
/// <see cref="KairosEngine.EnqueueAsync"/> while the engine runs, timed from the first enqueue
/// until every run has succeeded.
/// </summary>
internal static class ThroughputBench
{
    public static readonly string[] Options = ["--n", "--workers", "--db"];

    // The end is seen by polling; the interval bounds how late it is noticed.
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(5);

    public static async Task<BenchReport> RunAsync(CliArgs args)
    {
        var n = BenchArgs.Int(args, "--n", 20_000);
        var workers = BenchArgs.Int(args, "--workers", 32, max: 10_000);
        await using var database = await BenchDatabase.CreateAsync(args.Get("--db"));
        TimeSpan enqueueTime, totalTime;
        await using (var bench = await BenchEngine.StartAsync(database, o => o.Workers = workers))
        {
            var engine = bench.Engine;
            await engine.SaveJobAsync(new JobDefinition { Name = "bench-noop", Executor = new HandlerExecutorSpec("noop") });

            var clock = Stopwatch.StartNew();
            var enqueues = new Task[n];
            for (var i = 0; i < n; i++)
            {
                enqueues[i] = engine.EnqueueAsync(new RunRequest("bench-noop", TriggerSources.Manual));
            }
            await Task.WhenAll(enqueues);
            enqueueTime = clock.Elapsed;

            await WaitUntilAllSucceededAsync(engine, n);
            totalTime = clock.Elapsed;
        }

        return new BenchReport(
            "throughput",
            new JsonObject
            {
                ["n"] = n,
                ["workers"] = workers,
                ["enqueue"] = "KairosEngine.EnqueueAsync, all N issued at once while the engine runs",
                ["handler"] = "noop",
            },
            new JsonObject
            {
                ["seconds"] = BenchArgs.Seconds(totalTime),
                ["jobsPerSecond"] = Math.Round(n / totalTime.TotalSeconds),
                ["enqueueSeconds"] = BenchArgs.Seconds(enqueueTime),
                ["enqueuesPerSecond"] = Math.Round(n / enqueueTime.TotalSeconds),
            });
    }

    /// <summary>
    /// Polls cheaply (nothing queued, nothing running here: an index seek and a counter) and counts
    /// runs by state only when that says done, so the polling itself takes next to no CPU from the engine.
    /// </summary>
    private static async Task WaitUntilAllSucceededAsync(KairosEngine engine, int n)
    {
        while (true)
        {
            if (engine.ActiveRuns == 0 && await engine.Store.GetNextQueuedDueAsync(CancellationToken.None) is null)
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
