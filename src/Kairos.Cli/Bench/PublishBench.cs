using System.Diagnostics;
using System.Text.Json.Nodes;
using Kairos.Events;
using Kairos.Model;

namespace Kairos.Cli.Bench;

/// <summary>
/// <c>kairos bench publish</c>: how fast events are stored, matched and turned into queued runs.
/// Fan-out: one event matched by 100 subscriptions (100 runs in its transaction), timed per event.
/// Rate: N events to one subscription, published concurrently (as many producers would) — events/s
/// until every event and its run are committed, while the engine executes those runs (no-op handler).
/// </summary>
internal static class PublishBench
{
    public static readonly string[] Options = ["--subscriptions", "--fanout-events", "--events", "--db"];

    public static async Task<BenchReport> RunAsync(CliArgs args)
    {
        var subscriptions = BenchArgs.Int(args, "--subscriptions", 100, max: 10_000);
        var fanoutEvents = BenchArgs.Int(args, "--fanout-events", 200, max: 100_000);
        var events = BenchArgs.Int(args, "--events", 20_000);
        await using var database = await BenchDatabase.CreateAsync(args.Get("--db"));
        var fanout = new List<double>();
        TimeSpan rateTime;
        await using (var bench = await BenchEngine.StartAsync(database))
        {
            var engine = bench.Engine;
            // The runs execute (no-op) while publishing goes on, as they would in production.
            await engine.SaveJobAsync(new JobDefinition { Name = "fanout-target", Executor = new HandlerExecutorSpec("noop") });
            await engine.SaveJobAsync(new JobDefinition { Name = "rate-target", Executor = new HandlerExecutorSpec("noop") });
            for (var i = 0; i < subscriptions; i++)
            {
                await engine.SaveSubscriptionAsync(new Subscription($"fanout-{i:0000}", "fanout.*", "fanout-target") { Filter = """{"data.n": {"$gte": 0}}""" });
            }
            await engine.SaveSubscriptionAsync(new Subscription("rate", "rate.tick", "rate-target"));

            for (var i = 0; i < fanoutEvents; i++)
            {
                var one = Stopwatch.StartNew();
                var result = await engine.PublishAsync(new EventRequest("fanout.created", "bench") { Data = $$"""{"n":{{i}}}""" });
                fanout.Add(one.Elapsed.TotalMilliseconds);
                if (result.Runs.Count != subscriptions)
                {
                    throw new InvalidOperationException($"an event matched {result.Runs.Count} subscriptions, expected {subscriptions}");
                }
            }

            var clock = Stopwatch.StartNew();
            var publishes = new Task[events];
            for (var i = 0; i < events; i++)
            {
                publishes[i] = engine.PublishAsync(new EventRequest("rate.tick", "bench") { Data = $$"""{"n":{{i}}}""" });
            }
            await Task.WhenAll(publishes);
            rateTime = clock.Elapsed;
        }
        fanout.Sort();
        return new BenchReport(
            "publish",
            new JsonObject
            {
                ["subscriptions"] = subscriptions,
                ["fanoutEvents"] = fanoutEvents,
                ["events"] = events,
                ["publish"] = "KairosEngine.PublishAsync; rate events issued all at once; the runs they enqueue execute (noop) meanwhile",
            },
            new JsonObject
            {
                ["fanoutRunsPerEvent"] = subscriptions,
                ["fanoutP50Ms"] = Percentiles.Of(fanout, 50),
                ["fanoutP99Ms"] = Percentiles.Of(fanout, 99),
                ["rateSeconds"] = BenchArgs.Seconds(rateTime),
                ["eventsPerSecond"] = Math.Round(events / rateTime.TotalSeconds),
            });
    }
}
