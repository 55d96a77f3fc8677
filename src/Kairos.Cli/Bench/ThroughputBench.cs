using System.Diagnostics;
using System.Text.Json.Nodes;
using Kairos.Model;

namespace Kairos.Cli.Bench;

/// <summary>
/// <c>kairos bench throughput</c>: N runs of the built-in noop handler, enqueued all at once through
/// <see cref="Engine.KairosEngine.EnqueueAsync"/> while the engine runs, timed from the first enqueue
/// until every run has succeeded.
/// </summary>
internal static class ThroughputBench
{
    public static readonly string[] Options = ["--n", "--workers", "--db"];

    // Completion is seen by polling the store; the interval bounds how late the end is noticed.
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(10);

    public static async Task<BenchReport> RunAsync(CliArgs args)
    {
        var n = BenchArgs.Int(args, "--n", 20_000);
        var workers = BenchArgs.Int(args, "--workers", 32, max: 10_000);
        using var database = BenchDatabase.Create(args.Get("--db"));
        TimeSpan enqueueTime, totalTime;
        await using (var bench = await BenchEngine.StartAsync(database.Path, o => o.Workers = workers))
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

            while (true)
            {
                var stats = await engine.Store.GetStatsAsync(CancellationToken.None);
                var succeeded = stats.RunsByState.GetValueOrDefault(RunState.Succeeded.ToWire());
                if (succeeded == n)
                {
                    break;
                }
                if (stats.RunsByState.Keys.Any(s => s != RunState.Succeeded.ToWire() && RunStates.Parse(s).IsFinished()))
                {
                    throw new InvalidOperationException("a benchmark run did not succeed: " + string.Join(", ", stats.RunsByState));
                }
                await Task.Delay(PollInterval);
            }
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
}
