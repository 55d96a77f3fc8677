using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kairos.Engine;
using Kairos.Model;

namespace Kairos.Cli.Bench;

/// <summary>
/// <c>kairos bench workflow</c>: what a workflow step costs over a bare run. Timed one at a time (from
/// the run-now call until the run is seen ended, polled every millisecond): a bare no-op run, a
/// 10-step linear workflow of no-op inline steps, and a 1→50→1 fan-out (forEach over 50 items, then a
/// join). Per-step overhead = linear workflow / 10 − bare run. Then throughput: N linear workflows
/// started at once, workflows and steps per second until all have succeeded.
/// </summary>
internal static class WorkflowBench
{
    public static readonly string[] Options = ["--repeat", "--n", "--workers", "--db"];

    private const int LinearSteps = 10;
    private const int FanOut = 50;

    public static async Task<BenchReport> RunAsync(CliArgs args)
    {
        var repeat = BenchArgs.Int(args, "--repeat", 30, max: 10_000);
        var n = BenchArgs.Int(args, "--n", 500, max: 100_000);
        var workers = BenchArgs.Int(args, "--workers", 32, max: 10_000);
        await using var database = await BenchDatabase.CreateAsync(args.Get("--db"));
        await using var bench = await BenchEngine.StartAsync(database, o => o.Workers = workers);
        var engine = bench.Engine;
        await engine.SaveJobAsync(new JobDefinition { Name = "bare", Executor = new HandlerExecutorSpec("noop") });
        await engine.SaveJobAsync(new JobDefinition
        {
            Name = "linear",
            Executor = new WorkflowExecutorSpec(Enumerable.Range(0, LinearSteps)
                .Select(i => new WorkflowStep($"s{i}") { Run = new HandlerExecutorSpec("noop"), Needs = i == 0 ? [] : [$"s{i - 1}"] }).ToList()),
        });
        await engine.SaveJobAsync(new JobDefinition
        {
            Name = "fan",
            Executor = new WorkflowExecutorSpec(
            [
                new WorkflowStep("each") { Run = new HandlerExecutorSpec("noop"), ForEach = "{{input.items}}" },
                new WorkflowStep("join") { Run = new HandlerExecutorSpec("noop"), Needs = ["each"] },
            ]),
        });
        var fanInput = JsonSerializer.Serialize(new { items = Enumerable.Range(0, FanOut) });

        // A warm-up of each, so JIT compilation is not timed.
        await TimeOneAsync(engine, "bare", null);
        await TimeOneAsync(engine, "linear", null);
        await TimeOneAsync(engine, "fan", fanInput);
        var bare = new List<double>();
        var linear = new List<double>();
        var fan = new List<double>();
        for (var i = 0; i < repeat; i++)
        {
            bare.Add(await TimeOneAsync(engine, "bare", null));
            linear.Add(await TimeOneAsync(engine, "linear", null));
            fan.Add(await TimeOneAsync(engine, "fan", fanInput));
        }
        bare.Sort();
        linear.Sort();
        fan.Sort();

        var clock = Stopwatch.StartNew();
        var started = await Task.WhenAll(Enumerable.Range(0, n).Select(_ => engine.EnqueueAsync(new RunRequest("linear", TriggerSources.Manual))));
        foreach (var run in started)
        {
            await WaitAsync(engine, run.RunId);
        }
        var total = clock.Elapsed;

        var bareP50 = Percentiles.Of(bare, 50)!.Value;
        var linearP50 = Percentiles.Of(linear, 50)!.Value;
        return new BenchReport(
            "workflow",
            new JsonObject
            {
                ["repeat"] = repeat,
                ["n"] = n,
                ["workers"] = workers,
                ["database"] = database.Describe(1),
                ["workflows"] = $"linear: {LinearSteps} inline noop steps in a chain; fan: forEach over {FanOut} items (noop), then a join",
                ["timing"] = "run now → seen ended, polled every 1 ms, one at a time",
            },
            new JsonObject
            {
                ["bareRunP50Ms"] = Math.Round(bareP50, 2),
                ["linearP50Ms"] = Math.Round(linearP50, 2),
                ["linearP99Ms"] = Percentiles.Of(linear, 99),
                ["perStepP50Ms"] = Math.Round(linearP50 / LinearSteps, 2),
                ["perStepOverheadP50Ms"] = Math.Round((linearP50 / LinearSteps) - bareP50, 2),
                ["fanOutP50Ms"] = Percentiles.Of(fan, 50),
                ["fanOutP99Ms"] = Percentiles.Of(fan, 99),
                ["linearWorkflowsPerSecond"] = Math.Round(n / total.TotalSeconds, 1),
                ["stepsPerSecond"] = Math.Round(n * LinearSteps / total.TotalSeconds),
            });
    }

    private static async Task<double> TimeOneAsync(KairosEngine engine, string job, string? payload)
    {
        var clock = Stopwatch.StartNew();
        var run = await engine.RunNowAsync(job, payload);
        await WaitAsync(engine, run.RunId);
        return clock.Elapsed.TotalMilliseconds;
    }

    private static async Task WaitAsync(KairosEngine engine, long runId)
    {
        while (true)
        {
            var run = await engine.Store.GetRunAsync(runId, CancellationToken.None);
            if (run!.State == RunState.Succeeded)
            {
                return;
            }
            if (run.State.IsFinished())
            {
                throw new InvalidOperationException($"run {runId} of {run.JobName} ended {run.State.ToWire()}: {run.Error}");
            }
            await Task.Delay(1);
        }
    }
}
