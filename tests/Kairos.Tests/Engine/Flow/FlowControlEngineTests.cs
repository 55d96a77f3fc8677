using System.Collections.Concurrent;
using Kairos.Model;
using Kairos.Tests.Support;

namespace Kairos.Tests.Engine.Flow;

/// <summary>
/// Flow control through a running engine on a manual clock (never sleeps): throttled runs start when
/// their key has room as the clock moves, and concurrency keys hold runs back until their key's runs end.
/// </summary>
public sealed class FlowControlEngineTests
{
    /// <summary>An engine with job <paramref name="job"/> under <paramref name="flow"/>, whose runs record their payloads in <paramref name="seen"/>.</summary>
    private static async Task<TestEngine> StartRecordingAsync(TestStore store, string job, FlowControl flow, ConcurrentQueue<string> seen)
    {
        var t = await TestEngine.CreateAsync(store: store, handlers: k => k.AddHandler("record", ctx =>
        {
            seen.Enqueue(ctx.Payload.GetRawText());
            return Task.FromResult<System.Text.Json.Nodes.JsonNode?>(null);
        }));
        await t.Engine.SaveJobAsync(TestEngine.Job(job, "record", j => j with { Flow = flow }));
        await t.StartAsync();
        return t;
    }

    /// <summary>
    /// Waits until the dispatcher, with none of its runs still ending, sleeps in a sleep that ends by
    /// <paramref name="due"/>. An enqueue and a run's end wake it, and a woken sleep is no longer
    /// reported, so this is the sleep after them: moving the clock now is seen by the pass that claims.
    /// (Waiting for any sleep read the one before the wake; the clock then moved while the woken pass
    /// read it, and that pass armed its next timer from the old time, too late.)
    /// </summary>
    private static Task DispatcherSleepsAsync(TestEngine t, DateTimeOffset due, string what) =>
        Eventually.TrueAsync(() => t.Engine.Dispatcher.ActiveCount == 0 && t.Engine.Dispatcher.SleepingUntil is { } until && until <= due, $"the dispatcher to sleep until {what}");

    [Theory]
    [InlineData(TestStore.Sqlite)]
    [InlineData(TestStore.Memory)]
    public async Task Throttled_runs_start_one_per_spacing_as_the_clock_moves(TestStore store)
    {
        await using var t = await TestEngine.CreateAsync(store: store);
        await t.Engine.SaveJobAsync(TestEngine.Job("throttled", change: j => j with
        {
            Flow = new FlowControl { Throttle = new ThrottleRule(1, TimeSpan.FromSeconds(10), Key: "{{payload.k}}") },
        }));
        await t.StartAsync();
        var start = t.Clock.GetUtcNow();
        var runs = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            runs.Add((await t.Engine.RunNowAsync("throttled", """{"k":"a"}""")).RunId);
        }

        await t.WaitForStateAsync(runs[0], RunState.Succeeded);
        for (var i = 1; i < 3; i++)
        {
            var due = start.AddSeconds(10 * i);
            Assert.Equal(RunState.Queued, (await t.RunAsync(runs[i])).State);
            Assert.Equal(due, (await t.RunAsync(runs[i])).DueAt);
            await DispatcherSleepsAsync(t, due, "the next throttled run");
            t.Clock.Advance(due - t.Clock.GetUtcNow());
            await t.WaitForStateAsync(runs[i], RunState.Succeeded);
        }
    }

    [Theory]
    [InlineData(TestStore.Sqlite)]
    [InlineData(TestStore.Memory)]
    public async Task A_concurrency_key_holds_runs_of_a_busy_key_while_other_keys_run(TestStore store)
    {
        var release = new ConcurrentDictionary<long, TaskCompletionSource>();
        var running = new ConcurrentDictionary<string, int>();
        var busiest = 0;
        await using var t = await TestEngine.CreateAsync(store: store, handlers: k => k.AddHandler("hold", async ctx =>
        {
            var key = ctx.Payload.GetProperty("k").GetString()!;
            var now = running.AddOrUpdate(key, 1, (_, n) => n + 1);
            AtomicMax.Raise(ref busiest, now);
            await release.GetOrAdd(ctx.RunId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            running.AddOrUpdate(key, 0, (_, n) => n - 1);
            return null;
        }));
        await t.Engine.SaveJobAsync(TestEngine.Job("keyed", "hold", j => j with
        {
            Flow = new FlowControl { Concurrency = [new ConcurrencyKey(1, "{{payload.k}}")] },
        }));
        await t.StartAsync();
        var a1 = (await t.Engine.RunNowAsync("keyed", """{"k":"a"}""")).RunId;
        var a2 = (await t.Engine.RunNowAsync("keyed", """{"k":"a"}""")).RunId;
        var b1 = (await t.Engine.RunNowAsync("keyed", """{"k":"b"}""")).RunId;

        await t.WaitForStateAsync(a1, RunState.Running);
        await t.WaitForStateAsync(b1, RunState.Running);
        Assert.Equal(RunState.Queued, (await t.RunAsync(a2)).State);

        release.GetOrAdd(a1, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).SetResult();
        await t.WaitForStateAsync(a1, RunState.Succeeded);
        await t.WaitForStateAsync(a2, RunState.Running);
        foreach (var id in new[] { a2, b1 })
        {
            release.GetOrAdd(id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).SetResult();
            await t.WaitForStateAsync(id, RunState.Succeeded);
        }
        Assert.Equal(1, busiest);
    }

    [Theory]
    [InlineData(TestStore.Sqlite)]
    [InlineData(TestStore.Memory)]
    public async Task A_debounced_burst_runs_once_with_its_last_payload_after_the_quiet_period(TestStore store)
    {
        var seen = new ConcurrentQueue<string>();
        await using var t = await StartRecordingAsync(store, "debounced", new FlowControl { Debounce = new DebounceRule(TimeSpan.FromSeconds(10)) }, seen);
        var start = t.Clock.GetUtcNow();
        var run = (await t.Engine.RunNowAsync("debounced", """{"n":1}""")).RunId;
        t.Clock.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal(run, (await t.Engine.RunNowAsync("debounced", """{"n":2}""")).RunId);

        var due = start.AddSeconds(16);
        Assert.Equal(due, (await t.RunAsync(run)).DueAt);
        await DispatcherSleepsAsync(t, due, "the debounced run");
        Assert.Equal(RunState.Queued, (await t.RunAsync(run)).State);
        t.Clock.Advance(due - t.Clock.GetUtcNow());
        await t.WaitForStateAsync(run, RunState.Succeeded);
        Assert.Equal("""{"n":2}""", Assert.Single(seen));
    }

    [Theory]
    [InlineData(TestStore.Sqlite)]
    [InlineData(TestStore.Memory)]
    public async Task A_batch_starts_with_its_payloads_as_a_list_at_its_timeout(TestStore store)
    {
        var seen = new ConcurrentQueue<string>();
        await using var t = await StartRecordingAsync(store, "batched", new FlowControl { Batch = new BatchRule(10, TimeSpan.FromSeconds(5)) }, seen);
        var due = t.Clock.GetUtcNow().AddSeconds(5);
        var run = (await t.Engine.RunNowAsync("batched", """{"n":1}""")).RunId;
        t.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(run, (await t.Engine.RunNowAsync("batched", """{"n":2}""")).RunId);

        await DispatcherSleepsAsync(t, due, "the batch is due");
        Assert.Equal(RunState.Queued, (await t.RunAsync(run)).State);
        t.Clock.Advance(due - t.Clock.GetUtcNow());
        await t.WaitForStateAsync(run, RunState.Succeeded);
        Assert.Equal("""[{"n":1},{"n":2}]""", Assert.Single(seen));
    }

    [Theory]
    [InlineData(TestStore.Sqlite)]
    [InlineData(TestStore.Memory)]
    public async Task A_run_takes_its_priority_from_its_payload_or_the_jobs_with_a_note_saying_why(TestStore store)
    {
        await using var t = await TestEngine.CreateAsync(store: store);
        await t.Engine.SaveJobAsync(TestEngine.Job("ranked", change: j => j with { Priority = 4, Flow = new FlowControl { Priority = "{{payload.urgency}}" } }));

        var urgent = await t.Engine.RunNowAsync("ranked", """{"urgency":9}""");
        var words = await t.Engine.RunNowAsync("ranked", """{"urgency":"high"}""");
        var missing = await t.Engine.RunNowAsync("ranked", "{}");
        var told = await t.Engine.EnqueueAsync(new RunRequest("ranked", TriggerSources.Manual) { Payload = """{"urgency":9}""", Priority = 2 });

        Assert.Equal(9, (await t.RunAsync(urgent.RunId)).Priority);
        Assert.Equal(4, (await t.RunAsync(words.RunId)).Priority);
        Assert.Contains("run.priority-defaulted", await t.JournalKindsAsync(words.RunId));
        Assert.Equal(4, (await t.RunAsync(missing.RunId)).Priority);
        Assert.Contains("run.priority-defaulted", await t.JournalKindsAsync(missing.RunId));
        Assert.Equal(2, (await t.RunAsync(told.RunId)).Priority);
        Assert.DoesNotContain("run.priority-defaulted", await t.JournalKindsAsync(urgent.RunId));
    }
}
