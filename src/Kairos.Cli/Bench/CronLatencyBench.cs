using System.Text.Json.Nodes;
using Kairos.Hosting;
using Kairos.Model;
using Microsoft.Extensions.DependencyInjection;

namespace Kairos.Cli.Bench;

/// <summary>
/// <c>kairos bench cron-latency</c>: N jobs, each with a cron trigger firing every second, whose
/// handler records how late it started after the scheduled fire time. Only fires scheduled inside
/// the measurement window count. The window opens on a whole second after a warm-up of
/// <see cref="WarmUp"/> (the first ticks load every job's definition and JIT-compile the path),
/// and the engine keeps running a little after it closes so late fires are still seen.
/// </summary>
internal static class CronLatencyBench
{
    public static readonly string[] Options = ["--triggers", "--seconds", "--workers", "--db"];

    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Drain = TimeSpan.FromSeconds(2);

    public static async Task<BenchReport> RunAsync(CliArgs args)
    {
        var triggers = BenchArgs.Int(args, "--triggers", 1000, max: 100_000);
        var seconds = BenchArgs.Int(args, "--seconds", 20, max: 86_400);
        var workers = BenchArgs.Int(args, "--workers", new KairosOptions().Workers, max: 100_000);
        var recorder = new LatenessRecorder();
        await using var database = await BenchDatabase.CreateAsync(args.Get("--db"));
        DateTimeOffset windowStart, windowEnd;
        await using (var bench = await BenchEngine.StartAsync(
            database,
            o => o.Workers = workers,
            services => services.AddHandler("lateness", recorder.HandleAsync)))
        {
            await Task.WhenAll(Enumerable.Range(0, triggers).Select(i => bench.Engine.SaveJobAsync(new JobDefinition
            {
                Name = $"cron-{i:00000}",
                Executor = new HandlerExecutorSpec("lateness"),
                Triggers = [new CronTriggerSpec("* * * * * *")],
            })));
            var now = TimeProvider.System.GetUtcNow();
            windowStart = DateTimeOffset.FromUnixTimeSeconds((now + WarmUp).ToUnixTimeSeconds() + 1);
            windowEnd = windowStart.AddSeconds(seconds);
            await Task.Delay(windowEnd + Drain - now);
        }

        var lateness = recorder.LatenessBetween(windowStart, windowEnd);
        return new BenchReport(
            "cron-latency",
            new JsonObject
            {
                ["triggers"] = triggers,
                ["seconds"] = seconds,
                ["workers"] = workers,
                ["cron"] = "* * * * * *",
                ["warmUpSeconds"] = WarmUp.TotalSeconds,
            },
            new JsonObject
            {
                ["fires"] = lateness.Count,
                ["expectedFires"] = (long)triggers * seconds,
                ["latenessP50Ms"] = Percentiles.Of(lateness, 50),
                ["latenessP99Ms"] = Percentiles.Of(lateness, 99),
                ["latenessMaxMs"] = Percentiles.Of(lateness, 100),
            });
    }
}
