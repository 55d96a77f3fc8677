using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Kairos.Configuration;
using Kairos.Hosting;
using Kairos.Model;
using Microsoft.Extensions.DependencyInjection;

namespace Kairos.Cli.Bench;

/// <summary>
/// <c>kairos bench file-latency</c>: files written into a watched directory one after another;
/// latency is from the moment a file is closed to the start of the handler its run calls. A file
/// fires only once it has settled, so the target is p99 ≤ settle + 100 ms.
/// </summary>
internal static class FileLatencyBench
{
    public static readonly string[] Options = ["--files", "--settle", "--gap-ms", "--db"];

    public static async Task<BenchReport> RunAsync(CliArgs args)
    {
        var files = BenchArgs.Int(args, "--files", 200, max: 100_000);
        var gapMs = BenchArgs.Int(args, "--gap-ms", 20, min: 0, max: 60_000);
        var settleText = args.Get("--settle") ?? "500ms";
        if (!Durations.TryParse(settleText, out var settle))
        {
            throw new UsageException($"--settle '{settleText}' is not a duration such as 500ms");
        }
        await using var database = await BenchDatabase.CreateAsync(args.Get("--db"));
        var watched = Path.Combine(database.Directory, "watched-" + Guid.NewGuid().ToString("n")[..8]);
        Directory.CreateDirectory(watched);
        var written = new ConcurrentDictionary<string, long>();
        var latencies = new ConcurrentBag<double>();
        try
        {
            await using var bench = await BenchEngine.StartAsync(database, handlers: services => services.AddHandler("record-start", context =>
            {
                var now = Stopwatch.GetTimestamp();
                if (written.TryGetValue(context.Payload.GetProperty("path").GetString()!, out var at))
                {
                    latencies.Add(Stopwatch.GetElapsedTime(at, now).TotalMilliseconds);
                }
                return Task.FromResult<JsonNode?>(null);
            }));
            await bench.Engine.SaveJobAsync(new JobDefinition
            {
                Name = "on-file",
                Executor = new HandlerExecutorSpec("record-start"),
                // Files keep arriving while runs execute: none of them is the job's own output.
                Triggers = [new FileTriggerSpec(watched) { Settle = settle, Events = [FileChangeKind.Created], IgnoreOwnChanges = false }],
            });
            await Task.Delay(TimeSpan.FromSeconds(1)); // Let the watcher take its first look at the (empty) directory.

            for (var i = 0; i < files; i++)
            {
                var path = Path.Combine(watched, $"file-{i:000000}.txt");
                await File.WriteAllTextAsync(path, $"file {i}\n");
                written[path] = Stopwatch.GetTimestamp();
                await Task.Delay(gapMs);
            }
            var deadline = Stopwatch.StartNew();
            while (latencies.Count < files && deadline.Elapsed < settle + TimeSpan.FromSeconds(30))
            {
                await Task.Delay(20);
            }
        }
        finally
        {
            Directory.Delete(watched, recursive: true);
        }

        var sorted = latencies.Order().ToList();
        return new BenchReport(
            "file-latency",
            new JsonObject { ["files"] = files, ["settleMs"] = settle.TotalMilliseconds, ["gapMs"] = gapMs },
            new JsonObject
            {
                ["handlerStarts"] = sorted.Count,
                ["latencyP50Ms"] = Percentiles.Of(sorted, 50),
                ["latencyP99Ms"] = Percentiles.Of(sorted, 99),
                ["latencyMaxMs"] = Percentiles.Of(sorted, 100),
                ["targetP99Ms"] = settle.TotalMilliseconds + 100,
            });
    }
}
