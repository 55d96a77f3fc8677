using Kairos.Model;
using Kairos.Storage;
using Kairos.Tests.Support;

namespace Kairos.Tests.Storage;

/// <summary>
/// Flow control (Core's <c>Engine/Flow</c>) over each driver's primitives: concurrency keys at the
/// claim, rate limit, singleton and throttle at the enqueue. Times are passed in, so no clock runs.
/// </summary>
public abstract partial class StoreConformanceTests
{
    private Task SaveFlowAsync(string name, FlowControl flow) => SaveAsync(name, j => j with { Flow = flow });

    private Task<EnqueueResult> EnqueueForAsync(string job, string customer, DateTimeOffset? at = null) =>
        EnqueueAsync(job, at, r => r with { Payload = $$"""{"customer":"{{customer}}"}""" });

    private async Task<string?> ReasonAsync(long runId) =>
        (await Store.ListJournalAsync(new JournalQuery { RunId = runId }, CancellationToken.None)).Last().Data;

    [StoreFact]
    public async Task Concurrency_keys_limit_running_runs_per_key_value_and_the_others_wait()
    {
        await SaveFlowAsync("per-customer", new FlowControl { Concurrency = [new ConcurrencyKey(1, "{{payload.customer}}"), new ConcurrencyKey(3)] });
        var a1 = await EnqueueForAsync("per-customer", "a");
        var a2 = await EnqueueForAsync("per-customer", "a");
        var b1 = await EnqueueForAsync("per-customer", "b");
        var b2 = await EnqueueForAsync("per-customer", "b");
        var c1 = await EnqueueForAsync("per-customer", "c");
        var d1 = await EnqueueForAsync("per-customer", "d");

        var first = await ClaimAsync(10);
        Assert.Equal(new[] { a1.RunId, b1.RunId, c1.RunId }, first.Select(r => r.Id)); // One per customer, three in all.
        Assert.Empty(await ClaimAsync(10, owner: "node-b"));

        await Store.CompleteAsync(new RunCompletion(a1.RunId, "node-a", RunOutcome.Succeeded, T0), CancellationToken.None);
        Assert.Equal(a2.RunId, Assert.Single(await ClaimAsync(10, owner: "node-b")).Id);
        await Store.CompleteAsync(new RunCompletion(c1.RunId, "node-a", RunOutcome.Succeeded, T0), CancellationToken.None);
        Assert.Equal(d1.RunId, Assert.Single(await ClaimAsync(10)).Id); // b2 still waits for b1.
        await Store.CompleteAsync(new RunCompletion(b1.RunId, "node-a", RunOutcome.Succeeded, T0), CancellationToken.None);
        Assert.Equal(b2.RunId, Assert.Single(await ClaimAsync(10)).Id);
        Assert.DoesNotContain(await Store.ListRunsAsync(new RunQuery(), CancellationToken.None), r => r.State == RunState.Skipped);
    }

    [StoreFact]
    public async Task Concurrency_keys_leave_other_jobs_alone_and_a_missing_path_is_one_key()
    {
        await SaveFlowAsync("keyed", new FlowControl { Concurrency = [new ConcurrencyKey(1, "{{payload.customer}}")] });
        await SaveAsync("plain");
        await EnqueueAsync("keyed");
        await EnqueueAsync("keyed", change: r => r with { Payload = "{}" });
        await EnqueueAsync("plain");
        await EnqueueAsync("plain");

        var claimed = await ClaimAsync(10);
        Assert.Equal(new[] { "keyed", "plain", "plain" }, claimed.Select(r => r.JobName).Order());
    }

    [StoreFact]
    public async Task A_rate_limit_skips_runs_over_the_limit_per_key_and_period()
    {
        await SaveFlowAsync("limited", new FlowControl { RateLimit = new RateLimitRule(2, TimeSpan.FromMinutes(1), "{{payload.customer}}") });
        var a1 = await EnqueueForAsync("limited", "a");
        var a2 = await EnqueueForAsync("limited", "a");
        var a3 = await EnqueueForAsync("limited", "a");
        var b1 = await EnqueueForAsync("limited", "b");

        Assert.Equal((RunState.Queued, RunState.Queued, RunState.Skipped, RunState.Queued), (a1.State, a2.State, a3.State, b1.State));
        Assert.Equal("run.skipped", (await JournalKindsAsync(a3.RunId)).Single());
        Assert.Contains("rate limit: at most 2 run(s) per 1m", await ReasonAsync(a3.RunId));
        Assert.Equal(RunState.Skipped, (await EnqueueForAsync("limited", "a", T0.AddSeconds(29))).State);
        // GCRA: capacity comes back evenly, one run per period / limit.
        Assert.Equal(RunState.Queued, (await EnqueueForAsync("limited", "a", T0.AddSeconds(30))).State);
        Assert.Equal(RunState.Skipped, (await EnqueueForAsync("limited", "a", T0.AddSeconds(31))).State);
        Assert.Equal(RunState.Queued, (await EnqueueForAsync("limited", "a", T0.AddMinutes(2))).State);
        Assert.Equal(RunState.Queued, (await EnqueueForAsync("limited", "a", T0.AddMinutes(2))).State);
    }

    [StoreFact]
    public async Task A_singleton_in_skip_mode_skips_a_run_while_its_key_has_one_queued_or_running()
    {
        await SaveFlowAsync("single", new FlowControl { Singleton = new SingletonRule("{{payload.customer}}", SingletonMode.Skip) });
        var a1 = await EnqueueForAsync("single", "a");
        var a2 = await EnqueueForAsync("single", "a");
        var b1 = await EnqueueForAsync("single", "b");
        Assert.Equal((RunState.Queued, RunState.Skipped, RunState.Queued), (a1.State, a2.State, b1.State));
        Assert.Contains($"singleton: run {a1.RunId} is queued", await ReasonAsync(a2.RunId));

        await ClaimAsync(10);
        Assert.Equal(RunState.Skipped, (await EnqueueForAsync("single", "a")).State); // Running counts too.
        await Store.CompleteAsync(new RunCompletion(a1.RunId, "node-a", RunOutcome.Succeeded, T0), CancellationToken.None);
        Assert.Equal(RunState.Queued, (await EnqueueForAsync("single", "a")).State);
    }

    [StoreFact]
    public async Task A_singleton_in_cancel_mode_cancels_the_old_run_and_queues_the_new_one()
    {
        await SaveFlowAsync("latest", new FlowControl { Singleton = new SingletonRule("{{payload.customer}}", SingletonMode.Cancel) });
        var first = await EnqueueForAsync("latest", "a");
        var second = await EnqueueForAsync("latest", "a");
        Assert.Equal(RunState.Queued, second.State);
        Assert.Equal(RunState.Cancelled, (await Store.GetRunAsync(first.RunId, CancellationToken.None))!.State);
        Assert.Contains("run.cancelled", await JournalKindsAsync(first.RunId));

        Assert.Equal(second.RunId, Assert.Single(await ClaimAsync(10)).Id);
        var third = await EnqueueForAsync("latest", "a");
        Assert.Equal(RunState.Queued, third.State);
        Assert.Contains("run.cancel-requested", await JournalKindsAsync(second.RunId)); // Running: asked to stop, through the normal path.
    }

    [StoreFact]
    public async Task A_throttle_spaces_runs_per_key_in_order_with_a_burst_and_drops_none()
    {
        await SaveFlowAsync("throttled", new FlowControl { Throttle = new ThrottleRule(2, TimeSpan.FromMinutes(1), Burst: 2, Key: "{{payload.customer}}") });
        var runs = new List<EnqueueResult>();
        for (var i = 0; i < 5; i++)
        {
            runs.Add(await EnqueueForAsync("throttled", "a"));
        }
        var other = await EnqueueForAsync("throttled", "b");
        var due = new List<DateTimeOffset>();
        foreach (var run in runs)
        {
            due.Add((await Store.GetRunAsync(run.RunId, CancellationToken.None))!.DueAt);
        }
        Assert.Equal(new[] { T0, T0, T0.AddSeconds(30), T0.AddSeconds(60), T0.AddSeconds(90) }, due);
        Assert.Equal(T0, (await Store.GetRunAsync(other.RunId, CancellationToken.None))!.DueAt);
        Assert.All(runs, r => Assert.Equal(RunState.Queued, r.State));
        Assert.Equal(3, (await ClaimAsync(10)).Count); // Two of "a" and the one of "b".
        Assert.Single(await ClaimAsync(10, T0.AddSeconds(30)));

        // After a quiet spell the key has its burst again.
        var later = await EnqueueForAsync("throttled", "a", T0.AddMinutes(10));
        Assert.Equal(T0.AddMinutes(10), (await Store.GetRunAsync(later.RunId, CancellationToken.None))!.DueAt);
    }

    [StoreFact]
    public async Task Debounce_folds_requests_into_one_run_with_the_last_payload_capped_by_its_timeout()
    {
        await SaveFlowAsync("debounced", new FlowControl { Debounce = new DebounceRule(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(25), "{{payload.customer}}") });
        var first = await EnqueueAsync("debounced", T0, r => r with { Payload = """{"customer":"a","n":1}""" });
        var second = await EnqueueAsync("debounced", T0.AddSeconds(5), r => r with { Payload = """{"customer":"a","n":2}""" });
        var other = await EnqueueAsync("debounced", T0.AddSeconds(5), r => r with { Payload = """{"customer":"b","n":1}""" });

        Assert.True(first.Created);
        Assert.Equal((first.RunId, false, RunState.Queued), (second.RunId, second.Created, second.State));
        Assert.NotEqual(first.RunId, other.RunId);
        var run = (await Store.GetRunAsync(first.RunId, CancellationToken.None))!;
        Assert.Equal(("""{"customer":"a","n":2}""", T0.AddSeconds(15)), (run.Payload, run.DueAt));
        Assert.Contains("run.debounced", await JournalKindsAsync(first.RunId));
        Assert.Empty(await ClaimAsync(10, T0.AddSeconds(14.9)));

        // Each request restarts the quiet period, up to the timeout after the first.
        await EnqueueAsync("debounced", T0.AddSeconds(14), r => r with { Payload = """{"customer":"a","n":3}""" });
        await EnqueueAsync("debounced", T0.AddSeconds(20), r => r with { Payload = """{"customer":"a","n":4}""" });
        run = (await Store.GetRunAsync(first.RunId, CancellationToken.None))!;
        Assert.Equal(("""{"customer":"a","n":4}""", T0.AddSeconds(25)), (run.Payload, run.DueAt));

        Assert.Contains(first.RunId, (await ClaimAsync(10, T0.AddSeconds(25))).Select(r => r.Id));
        var after = await EnqueueAsync("debounced", T0.AddSeconds(26), r => r with { Payload = """{"customer":"a","n":5}""" });
        Assert.True(after.Created); // The run started: a new burst makes a new run.
        Assert.Equal(T0.AddSeconds(36), (await Store.GetRunAsync(after.RunId, CancellationToken.None))!.DueAt);
    }

    [StoreFact]
    public async Task A_batch_gathers_payloads_into_one_run_started_when_full_or_at_its_timeout()
    {
        await SaveFlowAsync("batched", new FlowControl { Batch = new BatchRule(3, TimeSpan.FromMinutes(1), "{{payload.customer}}") });
        var ids = new List<EnqueueResult>();
        for (var i = 1; i <= 4; i++)
        {
            ids.Add(await EnqueueAsync("batched", T0.AddSeconds(i), r => r with { Payload = $$"""{"customer":"a","n":{{i}}}""" }));
        }
        var lone = await EnqueueAsync("batched", T0, r => r with { Payload = """{"customer":"b","n":1}""" });

        Assert.Equal(new[] { true, false, false, true }, ids.Select(r => r.Created));
        Assert.Equal(ids[0].RunId, ids[2].RunId);
        var full = (await Store.GetRunAsync(ids[0].RunId, CancellationToken.None))!;
        Assert.Equal(("""[{"customer":"a","n":1},{"customer":"a","n":2},{"customer":"a","n":3}]""", T0.AddSeconds(3)), (full.Payload, full.DueAt));
        Assert.Equal(2, (await JournalKindsAsync(full.Id)).Count(k => k == "run.batched"));
        var next = (await Store.GetRunAsync(ids[3].RunId, CancellationToken.None))!;
        Assert.Equal(("""[{"customer":"a","n":4}]""", T0.AddSeconds(64)), (next.Payload, next.DueAt));

        Assert.Equal(full.Id, Assert.Single(await ClaimAsync(10, T0.AddSeconds(3))).Id);
        Assert.Equal(lone.RunId, Assert.Single(await ClaimAsync(10, T0.AddMinutes(1))).Id);
        Assert.Equal(next.Id, Assert.Single(await ClaimAsync(10, T0.AddSeconds(64))).Id);
    }

    [StoreFact]
    public async Task Retention_deletes_old_flow_state_but_not_a_key_whose_run_is_still_active()
    {
        await SaveFlowAsync("guarded", new FlowControl
        {
            Singleton = new SingletonRule("{{payload.customer}}"),
            RateLimit = new RateLimitRule(100, TimeSpan.FromHours(1), "{{payload.customer}}"),
        });
        var run = await EnqueueForAsync("guarded", "a");

        Assert.Equal(1, await Store.DeleteFlowStateAsync(T0.AddDays(8), 100, CancellationToken.None)); // The rate limit's time, not the singleton's run.
        Assert.Equal(RunState.Skipped, (await EnqueueForAsync("guarded", "a", T0.AddDays(8))).State);

        Assert.Single(await ClaimAsync(10, T0.AddDays(8)));
        await Store.CompleteAsync(new RunCompletion(run.RunId, "node-a", RunOutcome.Succeeded, T0.AddDays(8)), CancellationToken.None);
        Assert.Equal(1, await Store.DeleteFlowStateAsync(T0.AddDays(8), 100, CancellationToken.None));
        Assert.Equal(0, await Store.DeleteFlowStateAsync(T0.AddDays(8), 100, CancellationToken.None));
    }
}
