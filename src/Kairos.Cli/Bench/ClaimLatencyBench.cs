using System.Diagnostics;
using System.Text.Json.Nodes;
using Kairos.Hosting;
using Kairos.Model;
using Microsoft.Extensions.DependencyInjection;

namespace Kairos.Cli.Bench;

/// <summary>
/// <c>kairos bench claim-latency</c>: how soon a run enqueued on one node starts on another.
/// Two engines (nodes) in this process share one PostgreSQL schema: node B has no workers, so it
/// only enqueues (through <see cref="Engine.KairosEngine.EnqueueAsync"/>, at a steady rate), and
/// every run is claimed and started by node A. Latency is from the moment B's enqueue returned
/// (its transaction committed) to the start of A's handler; the report also gives it from just
/// before the enqueue call. Without a wake-up from B, A only finds the run at its idle recheck.
/// </summary>
internal static class ClaimLatencyBench
{
    public static readonly string[] Options = ["--n", "--rate", "--db"];

    private const string Job = "claim-latency";
    private static readonly TimeSpan Warmup = TimeSpan.FromSeconds(1);

    public static async Task<BenchReport> RunAsync(CliArgs args)
    {
        var n = BenchArgs.Int(args, "--n", 2000, max: 1_000_000);
        var rate = BenchArgs.Int(args, "--rate", 200, max: 100_000);
        await using var database = await BenchDatabase.CreateAsync(args.Get("--db"));
        if (!database.IsPostgres)
        {
            throw new UsageException("claim-latency needs two nodes on one database: --db postgres://…");
        }
        var warmup = Math.Max(1, (int)(rate * Warmup.TotalSeconds));
        var recorder = new StartRecorder(warmup + n);
        var options = new KairosOptions();
        await using (var a = await BenchEngine.StartAsync(database, o => o.NodeId = "bench-a", s => s.AddHandler("record-start", recorder.HandleAsync), nodes: 2))
        await using (var b = await BenchEngine.StartAsync(database, o => { o.NodeId = "bench-b"; o.Workers = 0; }, s => s.AddHandler("record-start", recorder.HandleAsync), nodes: 2))
        {
            await b.Engine.SaveJobAsync(new JobDefinition { Name = Job, Executor = new HandlerExecutorSpec("record-start") });
            // A warm-up at the same rate compiles the path and fills the pools; it is not measured.
            await EnqueueAtRateAsync(b, recorder, rate, 0, warmup);
            await Paced.WaitAsync(() => recorder.Started >= warmup, options.IdleRecheck * 2);
            await EnqueueAtRateAsync(b, recorder, rate, warmup, n);
            await Paced.WaitAsync(() => recorder.Started >= warmup + n, options.IdleRecheck * 2);
        }

        var afterCommit = recorder.LatenciesMs(warmup, n, fromCall: false);
        var fromCall = recorder.LatenciesMs(warmup, n, fromCall: true);
        return new BenchReport(
            "claim-latency",
            new JsonObject
            {
                ["n"] = n,
                ["rate"] = rate,
                ["warmupRuns"] = warmup,
                ["nodes"] = "2 engines in one process: B (no workers) enqueues, A (32 workers) claims and runs",
                ["database"] = database.Describe(2),
                ["enqueue"] = "KairosEngine.EnqueueAsync on node B, one call every 1/rate s, not waiting for earlier ones",
            },
            new JsonObject
            {
                ["started"] = afterCommit.Count,
                ["notStarted"] = n - afterCommit.Count,
                ["afterCommitP50Ms"] = Percentiles.Of(afterCommit, 50),
                ["afterCommitP90Ms"] = Percentiles.Of(afterCommit, 90),
                ["afterCommitP99Ms"] = Percentiles.Of(afterCommit, 99),
                ["afterCommitMaxMs"] = Percentiles.Of(afterCommit, 100),
                ["fromCallP50Ms"] = Percentiles.Of(fromCall, 50),
                ["fromCallP99Ms"] = Percentiles.Of(fromCall, 99),
                ["startedBeforeEnqueueReturned"] = afterCommit.Count(ms => ms < 0),
            });
    }

    private static Task EnqueueAtRateAsync(BenchEngine node, StartRecorder recorder, int rate, int first, int count) =>
        Paced.RunAsync(rate, count, async i =>
        {
            var index = first + i;
            var before = Stopwatch.GetTimestamp();
            await node.Engine.EnqueueAsync(new RunRequest(Job, TriggerSources.Manual) { Payload = $$"""{"i":{{index}}}""" });
            recorder.Enqueued(index, before, Stopwatch.GetTimestamp());
        });
}
