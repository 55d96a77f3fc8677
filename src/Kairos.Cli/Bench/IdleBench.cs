using Kairos.Storage;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Kairos.Model;

namespace Kairos.Cli.Bench;

/// <summary>
/// <c>kairos bench idle</c>: what a server costs while it waits. Set-up queues runs due tomorrow and
/// saves jobs whose cron triggers do not fire during the measurement. After a settle of
/// <see cref="Settle"/> (the engine answers the set-up's last wake-ups and checkpoints its writes),
/// the benchmark measures resident memory (VmRSS) at the end of an idle window and the CPU the
/// process uses over it. The engine runs as <c>kairos serve</c> runs it, giving memory back when
/// quiet (<c>IdleMemory</c>); the benchmark forces no collection of its own.
/// </summary>
internal static class IdleBench
{
    public static readonly string[] Options = ["--runs", "--triggers", "--seconds", "--db"];

    private const int EnqueueBatch = 1000;
    private const int SaveBatch = 100;
    private const string IdleCron = "0 0 1 1 *"; // Midnight on 1 January.
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(2);

    public static async Task<BenchReport> RunAsync(CliArgs args)
    {
        var runs = BenchArgs.Int(args, "--runs", 100_000, min: 0);
        var triggers = BenchArgs.Int(args, "--triggers", 10_000, min: 0);
        var seconds = BenchArgs.Int(args, "--seconds", 10, max: 86_400);
        await using var database = await BenchDatabase.CreateAsync(args.Get("--db"));
        JsonObject results;
        // As kairos serve runs: the engine gives the memory of the set-up's bursts back once quiet.
        await using (var bench = await BenchEngine.StartAsync(database, o => o.ReleaseMemoryWhenIdle = true))
        {
            var engine = bench.Engine;
            var setup = Stopwatch.StartNew();
            await engine.SaveJobAsync(new JobDefinition { Name = "idle-noop", Executor = new HandlerExecutorSpec("noop") });
            var tomorrow = TimeProvider.System.GetUtcNow().AddDays(1);
            for (var done = 0; done < runs; done += EnqueueBatch)
            {
                var batch = Enumerable.Range(0, Math.Min(EnqueueBatch, runs - done))
                    .Select(_ => new RunRequest("idle-noop", TriggerSources.Manual) { NotBefore = tomorrow })
                    .ToList();
                await engine.Store.EnqueueManyAsync(batch, TimeProvider.System.GetUtcNow(), CancellationToken.None);
            }
            // Saved 100 at a time, as a configuration or an apply would: the measurement is of what the
            // engine keeps, not of what the GC keeps committed after 10,000 saves in flight at once.
            foreach (var chunk in Enumerable.Range(0, triggers).Chunk(SaveBatch))
            {
                await Task.WhenAll(chunk.Select(i => engine.SaveJobAsync(new JobDefinition
                {
                    Name = $"idle-cron-{i:00000}",
                    Executor = new HandlerExecutorSpec("noop"),
                    Triggers = [new CronTriggerSpec(IdleCron)],
                })));
            }
            var setupTime = setup.Elapsed;
            await Task.Delay(Settle);

            var residentAtWindowStart = ProcessUsage.StatusMegabytes("VmRSS");
            var cpuBefore = ProcessUsage.CpuTime();
            var wall = Stopwatch.StartNew();
            await Task.Delay(TimeSpan.FromSeconds(seconds));
            var cpu = ProcessUsage.CpuTime() - cpuBefore;
            var elapsed = wall.Elapsed;

            results = new JsonObject
            {
                ["residentMb"] = ProcessUsage.StatusMegabytes("VmRSS"),
                ["residentMbAtWindowStart"] = residentAtWindowStart,
                ["peakResidentMb"] = ProcessUsage.StatusMegabytes("VmHWM"),
                ["managedHeapMb"] = Math.Round(GC.GetTotalMemory(forceFullCollection: false) / 1024.0 / 1024.0, 1),
                ["gcCommittedMb"] = Math.Round(GC.GetGCMemoryInfo().TotalCommittedBytes / 1024.0 / 1024.0, 1),
                ["cpuPercentOfOneCore"] = Math.Round(100 * cpu.TotalSeconds / elapsed.TotalSeconds, 2),
                ["cpuMs"] = Math.Round(cpu.TotalMilliseconds),
                ["windowSeconds"] = BenchArgs.Seconds(elapsed),
                ["setupSeconds"] = BenchArgs.Seconds(setupTime),
            };
        }

        return new BenchReport(
            "idle",
            new JsonObject
            {
                ["runs"] = runs,
                ["triggers"] = triggers,
                ["seconds"] = seconds,
                ["runsDue"] = "tomorrow (NotBefore), enqueued with EnqueueManyAsync (one transaction per batch of 1000)",
                ["cron"] = IdleCron,
                ["settleSeconds"] = Settle.TotalSeconds,
            },
            results);
    }
}
