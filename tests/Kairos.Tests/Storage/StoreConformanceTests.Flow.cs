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
}
