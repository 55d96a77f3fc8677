using System.Text.Json.Nodes;
using Kairos.Hosting;
using Kairos.Model;
using Kairos.Storage;
using Kairos.Tests.Support;

namespace Kairos.Tests.Events;

/// <summary>Job chaining: completion triggers are subscriptions to run.* events.</summary>
public sealed class CompletionChainTests
{
    [Theory]
    [InlineData(TestStore.Sqlite)]
    [InlineData(TestStore.Memory)]
    public async Task A_three_job_chain_passes_each_output_on_and_links_runs_both_ways(TestStore store)
    {
        await using var t = await TestEngine.CreateAsync(store: store, handlers: s => s.AddHandler("step", ctx =>
        {
            var previous = ctx.Payload.ValueKind == System.Text.Json.JsonValueKind.Object && ctx.Payload.TryGetProperty("parent", out var parent)
                ? parent.GetProperty("output").GetProperty("total").GetInt32()
                : 0;
            return Task.FromResult<JsonNode?>(new JsonObject { ["total"] = previous + 1, ["job"] = ctx.JobName });
        }));
        await t.Engine.SaveJobAsync(TestEngine.Job("extract", "step"));
        await t.Engine.SaveJobAsync(TestEngine.Job("transform", "step", j => j with { Triggers = [new CompletionTriggerSpec("extract")] }));
        await t.Engine.SaveJobAsync(TestEngine.Job("load", "step", j => j with { Triggers = [new CompletionTriggerSpec("transform", CompletionOutcome.Any)] }));
        await t.StartAsync();

        var first = await t.Engine.RunNowAsync("extract");
        await Eventually.TrueAsync(async () => (await t.Store.ListRunsAsync(new RunQuery { JobName = "load", State = RunState.Succeeded }, CancellationToken.None)).Count == 1, "the chain to reach load");

        var load = (await t.Store.ListRunsAsync(new RunQuery { JobName = "load" }, CancellationToken.None)).Single();
        var transform = (await t.Store.ListRunsAsync(new RunQuery { JobName = "transform" }, CancellationToken.None)).Single();
        Assert.Equal(3, JsonNode.Parse(load.Output!)!["total"]!.GetValue<int>());
        Assert.Equal((first.RunId, transform.Id), (transform.ParentRunId, load.ParentRunId));
        Assert.Equal(("completion", 2), (load.Source, load.ChainDepth));
        Assert.Equal(transform.Id, (await t.Store.ListRunsAsync(new RunQuery { ParentRunId = first.RunId }, CancellationToken.None)).Single().Id);
    }

    [Theory]
    [InlineData(TestStore.Sqlite)]
    [InlineData(TestStore.Memory)]
    public async Task On_failed_fires_only_after_a_dead_run(TestStore store)
    {
        await using var t = await TestEngine.CreateAsync(store: store, handlers: s => s.AddHandler("boom", _ => throw new InvalidOperationException("disk full")));
        await t.Engine.SaveJobAsync(TestEngine.Job("fragile", "boom", j => j with { Retry = j.Retry with { MaxAttempts = 1 } }));
        await t.Engine.SaveJobAsync(TestEngine.Job("alert", change: j => j with { Triggers = [new CompletionTriggerSpec("fragile", CompletionOutcome.Failed)] }));
        await t.Engine.SaveJobAsync(TestEngine.Job("celebrate", change: j => j with { Triggers = [new CompletionTriggerSpec("fragile")] }));
        await t.StartAsync();

        await t.Engine.RunNowAsync("fragile");
        await Eventually.TrueAsync(async () => (await t.Store.ListRunsAsync(new RunQuery { JobName = "alert", State = RunState.Succeeded }, CancellationToken.None)).Count == 1, "the alert");

        var alert = (await t.Store.ListRunsAsync(new RunQuery { JobName = "alert" }, CancellationToken.None)).Single();
        Assert.Equal("disk full", JsonNode.Parse(alert.Payload!)!["parent"]!["error"]!.GetValue<string>().Split(": ")[^1]);
        Assert.Empty(await t.Store.ListRunsAsync(new RunQuery { JobName = "celebrate" }, CancellationToken.None));
    }

    [Theory]
    [InlineData(TestStore.Sqlite)]
    [InlineData(TestStore.Memory)]
    public async Task A_cycle_with_a_max_depth_stops_there_and_one_without_is_refused(TestStore store)
    {
        await using var t = await TestEngine.CreateAsync(store: store);
        await t.Engine.SaveJobAsync(TestEngine.Job("ping"));
        await t.Engine.SaveJobAsync(TestEngine.Job("pong", change: j => j with { Triggers = [new CompletionTriggerSpec("ping")] }));
        var refused = await Assert.ThrowsAsync<KairosValidationException>(() =>
            t.Engine.SaveJobAsync(TestEngine.Job("ping", change: j => j with { Triggers = [new CompletionTriggerSpec("pong")] })));
        Assert.Contains("cycle", refused.Message);

        await t.Engine.SaveJobAsync(TestEngine.Job("ping", change: j => j with { Triggers = [new CompletionTriggerSpec("pong") { MaxDepth = 4 }] }));
        await t.StartAsync();
        await t.Engine.RunNowAsync("ping");

        await Eventually.TrueAsync(async () => (await t.Store.ListJournalAsync(new JournalQuery { Limit = 10_000 }, CancellationToken.None)).Any(e => e.Kind == "chain.stopped"), "the chain to stop");
        await Eventually.TrueAsync(async () => (await t.Store.ListRunsAsync(new RunQuery { State = RunState.Queued }, CancellationToken.None)).Count == 0
            && (await t.Store.ListRunsAsync(new RunQuery { State = RunState.Running }, CancellationToken.None)).Count == 0, "every run to finish");
        var runs = await t.Store.ListRunsAsync(new RunQuery { Limit = 100 }, CancellationToken.None);
        // ping (depth 0), pong 1, ping 2, pong 3, ping 4, pong 5; ping at depth 6 would pass its trigger's maxDepth of 4.
        Assert.Equal(6, runs.Count);
        Assert.Equal(4, runs.Where(r => r.JobName == "ping").Max(r => r.ChainDepth));
    }

    [Fact]
    public async Task A_long_output_checked_by_a_backtracking_glob_succeeds_once()
    {
        // Regression: the glob below timed out inside the completion write, so the outcome was lost,
        // the run executed again when its lease expired, and ended dead.
        await using var t = await TestEngine.CreateAsync(s => s.AddHandler("talkative",
            _ => Task.FromResult<JsonNode?>(JsonValue.Create(new string('a', 200_000)))));
        await t.Engine.SaveJobAsync(TestEngine.Job("producer", "talkative"));
        await t.Engine.SaveJobAsync(TestEngine.Job("never"));
        await t.Engine.SaveJobAsync(TestEngine.Job("consumer"));
        await t.Engine.SaveSubscriptionAsync(new Kairos.Events.Subscription("long-tail", "run.succeeded", "never")
        {
            Filter = """{"data.output": {"$glob": "*a*a*a*a*a*a*a*a*a*a*a*a*b"}}""",
        });
        // Routed in the same transaction: once its run exists, the glob has been evaluated.
        await t.Engine.SaveSubscriptionAsync(new Kairos.Events.Subscription("witness", "run.succeeded", "consumer") { Filter = """{"data.job": "producer"}""" });
        await t.StartAsync();

        var run = await t.Engine.RunNowAsync("producer");
        await Eventually.TrueAsync(async () => (await t.Store.ListRunsAsync(new RunQuery { JobName = "consumer", State = RunState.Succeeded }, CancellationToken.None)).Count == 1,
            "the witness subscription's run");

        var producer = await t.RunAsync(run.RunId);
        Assert.Equal((RunState.Succeeded, 1), (producer.State, producer.Attempt));
        Assert.Empty(await t.Store.ListRunsAsync(new RunQuery { JobName = "never" }, CancellationToken.None));
    }
}
