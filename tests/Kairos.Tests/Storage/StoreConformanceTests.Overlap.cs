using Kairos.Model;
using Kairos.Storage;
using Kairos.Tests.Support;

namespace Kairos.Tests.Storage;

/// <summary>
/// Time triggers' overlap policies (Core's <c>TriggerOverlaps</c>) over each driver's primitives:
/// waiting runs, their release when the trigger's run ends, and the race of a fire with that end.
/// </summary>
public abstract partial class StoreConformanceTests
{
    private static readonly DateTimeOffset Waiting = new(9999, 12, 31, 0, 0, 0, TimeSpan.Zero);

    private async Task<long> SaveTriggeredAsync(TriggerOverlap overlap, int maxAttempts = 3, FlowControl? flow = null)
    {
        var spec = new IntervalTriggerSpec(TimeSpan.FromMinutes(1)) { Overlap = overlap };
        await Store.SaveJobAsync(new JobDefinition { Name = "tick", Executor = new HandlerExecutorSpec("ok"), Triggers = [spec], Retry = RetryPolicy.Default with { MaxAttempts = maxAttempts }, Flow = flow },
            [new TriggerRegistration("k", spec, T0)], T0, CancellationToken.None);
        return Assert.Single(await Store.ListDueTriggersAsync(T0, 10, CancellationToken.None)).Id;
    }

    /// <summary>Fires the trigger's tick <paramref name="minute"/> (scheduled and fired at T0 + that many minutes); returns its run.</summary>
    private async Task<RunRecord> FireTickAsync(long triggerId, TriggerOverlap overlap, int minute)
    {
        var at = T0.AddMinutes(minute);
        var request = new RunRequest("tick", TriggerSources.Interval) { TriggerId = triggerId, IdempotencyKey = $"trigger:{triggerId}:{minute}" };
        Assert.True(await Store.FireTriggerAsync(new TriggerFire(triggerId, at, at.AddMinutes(1), [request], at, null) { Overlap = overlap }, CancellationToken.None));
        return (await Store.ListRunsAsync(new RunQuery { JobName = "tick" }, CancellationToken.None)).MaxBy(r => r.Id)!;
    }

    private Task<bool> FinishAsync(long runId, int minute, RunOutcome outcome = RunOutcome.Succeeded) =>
        Store.CompleteAsync(new RunCompletion(runId, "node-a", outcome, T0.AddMinutes(minute)) { MayReleaseWaitingRun = true }, CancellationToken.None);

    private async Task<RunRecord> RunAsync(long id) => (await Store.GetRunAsync(id, CancellationToken.None))!;

    [StoreFact]
    public async Task Buffered_fires_wait_out_of_the_claim_and_are_released_one_at_a_time_in_order()
    {
        var trigger = await SaveTriggeredAsync(TriggerOverlap.BufferAll);
        var first = await FireTickAsync(trigger, TriggerOverlap.BufferAll, 0);
        Assert.Equal(first.Id, Assert.Single(await ClaimAsync(5)).Id);

        var second = await FireTickAsync(trigger, TriggerOverlap.BufferAll, 1);
        var third = await FireTickAsync(trigger, TriggerOverlap.BufferAll, 2);
        Assert.Equal((RunState.Queued, Waiting), (second.State, second.DueAt));
        Assert.Equal((RunState.Queued, Waiting), (third.State, third.DueAt));
        Assert.Empty(await ClaimAsync(5, T0.AddMinutes(2)));
        Assert.Contains("run.buffered", await JournalKindsAsync(third.Id));

        Assert.True(await FinishAsync(first.Id, 3));
        Assert.Equal(T0.AddMinutes(3), (await RunAsync(second.Id)).DueAt);
        Assert.Equal(Waiting, (await RunAsync(third.Id)).DueAt);
        Assert.Contains("run.unbuffered", await JournalKindsAsync(second.Id));
        Assert.Equal(second.Id, Assert.Single(await ClaimAsync(5, T0.AddMinutes(3))).Id);

        // Cancelled while running: its end releases the next one as any end does.
        Assert.Equal(CancelResult.CancelRequested, await Store.CancelRunAsync(second.Id, T0.AddMinutes(4), CancellationToken.None));
        Assert.True(await FinishAsync(second.Id, 4, RunOutcome.Cancelled));
        Assert.Equal(third.Id, Assert.Single(await ClaimAsync(5, T0.AddMinutes(4))).Id);
    }

    [StoreFact]
    public async Task A_run_that_dies_when_its_lease_expires_releases_the_waiting_one()
    {
        var trigger = await SaveTriggeredAsync(TriggerOverlap.BufferOne, maxAttempts: 1);
        var first = await FireTickAsync(trigger, TriggerOverlap.BufferOne, 0);
        await ClaimAsync(1);
        var second = await FireTickAsync(trigger, TriggerOverlap.BufferOne, 1);
        var third = await FireTickAsync(trigger, TriggerOverlap.BufferOne, 2);
        Assert.Equal((RunState.Queued, RunState.Skipped), (second.State, third.State));

        Assert.Equal(1, await Store.RescueExpiredAsync(T0.AddMinutes(5), CancellationToken.None));

        Assert.Equal(RunState.Dead, (await RunAsync(first.Id)).State);
        Assert.Equal(T0.AddMinutes(5), (await RunAsync(second.Id)).DueAt);
    }

    [StoreFact]
    public async Task Cancel_other_cancels_a_queued_run_at_once_and_queues_the_new_one_without_waiting()
    {
        var trigger = await SaveTriggeredAsync(TriggerOverlap.CancelOther);
        var first = await FireTickAsync(trigger, TriggerOverlap.CancelOther, 0);

        var second = await FireTickAsync(trigger, TriggerOverlap.CancelOther, 1);

        Assert.Equal(RunState.Cancelled, (await RunAsync(first.Id)).State);
        Assert.Equal((RunState.Queued, T0.AddMinutes(1)), (second.State, second.DueAt));
        Assert.Contains("run.cancelled", await JournalKindsAsync(first.Id));
    }

    [StoreFact]
    public async Task A_fire_racing_the_end_of_the_trigger_s_run_never_leaves_a_run_waiting_for_nothing()
    {
        // Whichever commits first, the other sees it: the end releases a run the fire made wait, or
        // the fire finds nothing running and queues. Stores that take writes in parallel (PostgreSQL)
        // run both at once here.
        var trigger = await SaveTriggeredAsync(TriggerOverlap.BufferOne);
        var running = await FireTickAsync(trigger, TriggerOverlap.BufferOne, 0);
        await ClaimAsync(1);
        for (var minute = 1; minute <= 15; minute++)
        {
            var at = T0.AddMinutes(minute);
            var request = new RunRequest("tick", TriggerSources.Interval) { TriggerId = trigger, IdempotencyKey = $"trigger:{trigger}:{minute}" };
            var fire = Store.FireTriggerAsync(new TriggerFire(trigger, at, at.AddMinutes(1), [request], at, null) { Overlap = TriggerOverlap.BufferOne }, CancellationToken.None);
            var end = FinishAsync(running.Id, minute);
            await Task.WhenAll(fire, end);

            var active = (await Store.ListRunsAsync(new RunQuery { JobName = "tick" }, CancellationToken.None)).Where(r => r.State is RunState.Queued or RunState.Running).ToList();
            var next = Assert.Single(active);
            Assert.True(next.DueAt <= at, $"minute {minute}: run {next.Id} waits ({next.DueAt:O}) though nothing runs");
            running = Assert.Single(await ClaimAsync(1, at));
        }
    }

    [StoreFact]
    public async Task A_buffered_fire_obeys_the_job_s_rate_limit_like_any_run()
    {
        var trigger = await SaveTriggeredAsync(TriggerOverlap.BufferOne, flow: new FlowControl { RateLimit = new RateLimitRule(1, TimeSpan.FromHours(1)) });
        var first = await FireTickAsync(trigger, TriggerOverlap.BufferOne, 0);
        await ClaimAsync(1);

        var second = await FireTickAsync(trigger, TriggerOverlap.BufferOne, 1);

        Assert.Equal(RunState.Skipped, second.State);
        Assert.Contains("rate limit: at most 1 run(s) per 1h", await ReasonAsync(second.Id));
        Assert.True(await FinishAsync(first.Id, 2));
        Assert.Empty(await ClaimAsync(5, T0.AddMinutes(2))); // Nothing waited to be released.
    }

    [StoreFact]
    public async Task Fires_that_overlap_freely_still_take_the_job_s_concurrency_keys()
    {
        var trigger = await SaveTriggeredAsync(TriggerOverlap.AllowAll, flow: new FlowControl { Concurrency = [new ConcurrencyKey(1)] });
        var first = await FireTickAsync(trigger, TriggerOverlap.AllowAll, 0);
        var second = await FireTickAsync(trigger, TriggerOverlap.AllowAll, 1);
        Assert.Equal(first.Id, Assert.Single(await ClaimAsync(5, T0.AddMinutes(1))).Id); // The second waits for the key.
        Assert.True(await FinishAsync(first.Id, 2));
        Assert.Equal(second.Id, Assert.Single(await ClaimAsync(5, T0.AddMinutes(2))).Id);
    }

    [StoreFact]
    public async Task A_fire_let_in_by_its_overlap_is_still_skipped_by_the_job_s_singleton()
    {
        var trigger = await SaveTriggeredAsync(TriggerOverlap.AllowAll, flow: new FlowControl { Singleton = new SingletonRule() });
        var first = await FireTickAsync(trigger, TriggerOverlap.AllowAll, 0);

        var second = await FireTickAsync(trigger, TriggerOverlap.AllowAll, 1);

        Assert.Equal(RunState.Skipped, second.State);
        Assert.Contains($"singleton: run {first.Id} is queued", await ReasonAsync(second.Id));
    }
}
