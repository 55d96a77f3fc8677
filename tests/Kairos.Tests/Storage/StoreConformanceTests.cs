using Kairos.Events;
using Kairos.Model;
using Kairos.Storage;
using Kairos.Tests.Support;
using Kairos.Webhooks;
using Xunit;

namespace Kairos.Tests.Storage;

/// <summary>
/// What every <see cref="IKairosStore"/> must do, run against each implementation (SQLite here;
/// PostgreSQL subclasses this suite too; its tests are [StoreFact] so that subclass can report them
/// skipped when there is no PostgreSQL server). Time is passed in explicitly, so no clock is involved.
/// </summary>
public abstract partial class StoreConformanceTests : IAsyncLifetime
{
    protected static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly Dictionary<string, int> NoLimits = [];

    private protected IKairosStore Store { get; private set; } = null!;

    private protected abstract Task<IKairosStore> CreateStoreAsync(string node);

    public async Task InitializeAsync()
    {
        Store = await CreateStoreAsync("node-a");
        await Store.MigrateAsync(CancellationToken.None);
    }

    public async Task DisposeAsync() => await Store.DisposeAsync();

    private Task SaveAsync(string name, Func<JobDefinition, JobDefinition>? change = null)
    {
        var job = new JobDefinition { Name = name, Executor = new HandlerExecutorSpec("ok") };
        return Store.SaveJobAsync(change is null ? job : change(job), [], T0, CancellationToken.None);
    }

    private Task<EnqueueResult> EnqueueAsync(string job, DateTimeOffset? at = null, Func<RunRequest, RunRequest>? change = null)
    {
        var request = new RunRequest(job, TriggerSources.Manual);
        return Store.EnqueueAsync(change is null ? request : change(request), at ?? T0, CancellationToken.None);
    }

    private Task<IReadOnlyList<RunRecord>> ClaimAsync(int max, DateTimeOffset? now = null, string owner = "node-a",
        Dictionary<string, int>? queues = null, Dictionary<string, int>? kinds = null)
    {
        var at = now ?? T0;
        return Store.ClaimAsync(new ClaimRequest(owner, at, at + TimeSpan.FromSeconds(30), max, queues ?? NoLimits, kinds ?? NoLimits), CancellationToken.None);
    }

    private async Task<List<string>> JournalKindsAsync(long runId) =>
        (await Store.ListJournalAsync(new JournalQuery { RunId = runId }, CancellationToken.None)).Select(e => e.Kind).ToList();

    [StoreFact]
    public async Task Enqueue_of_an_unknown_job_is_refused_and_stores_nothing()
    {
        var error = await Assert.ThrowsAsync<KairosNotFoundException>(() => EnqueueAsync("nope"));
        Assert.Contains("job 'nope' does not exist", error.Message);
        Assert.Empty(await Store.ListRunsAsync(new RunQuery(), CancellationToken.None));
        Assert.Empty(await Store.ListJournalAsync(new JournalQuery(), CancellationToken.None));
    }

    [StoreFact]
    public async Task Claims_take_highest_priority_first_then_earliest_due_then_oldest()
    {
        await SaveAsync("job");
        var low = await EnqueueAsync("job", change: r => r with { Priority = 2 });
        var highLate = await EnqueueAsync("job", change: r => r with { Priority = 9, NotBefore = T0.AddSeconds(-1) });
        var highEarly = await EnqueueAsync("job", change: r => r with { Priority = 9, NotBefore = T0.AddSeconds(-5) });
        var normalFirst = await EnqueueAsync("job");
        var normalSecond = await EnqueueAsync("job");
        var future = await EnqueueAsync("job", change: r => r with { Priority = 10, NotBefore = T0.AddMinutes(1) });

        var claimed = await ClaimAsync(10);

        Assert.Equal(
            new[] { highEarly.RunId, highLate.RunId, normalFirst.RunId, normalSecond.RunId, low.RunId },
            claimed.Select(r => r.Id));
        Assert.DoesNotContain(future.RunId, claimed.Select(r => r.Id));
        Assert.All(claimed, r => Assert.Equal((RunState.Running, 1, "node-a"), (r.State, r.Attempt, r.LeaseOwner)));
    }

    [StoreFact]
    public async Task An_idempotency_key_returns_the_existing_run()
    {
        await SaveAsync("job");
        var first = await EnqueueAsync("job", change: r => r with { IdempotencyKey = "order-17" });
        var second = await EnqueueAsync("job", change: r => r with { IdempotencyKey = "order-17" });
        var other = await EnqueueAsync("job", change: r => r with { IdempotencyKey = "order-18" });

        Assert.True(first.Created);
        Assert.False(second.Created);
        Assert.Equal(first.RunId, second.RunId);
        Assert.NotEqual(first.RunId, other.RunId);
        Assert.Equal(2, (await Store.ListRunsAsync(new RunQuery(), CancellationToken.None)).Count);
    }

    [StoreFact]
    public async Task Max_instances_limits_claims_and_skip_policy_records_a_skipped_run()
    {
        await SaveAsync("single", j => j with { Concurrency = new ConcurrencyPolicy(1, OverlapPolicy.Queue) });
        await SaveAsync("skipper", j => j with { Concurrency = new ConcurrencyPolicy(1, OverlapPolicy.Skip) });
        await EnqueueAsync("single");
        await EnqueueAsync("single");
        await EnqueueAsync("skipper");
        var skipped = await EnqueueAsync("skipper");

        Assert.Equal(RunState.Skipped, skipped.State);
        Assert.Contains("run.skipped", await JournalKindsAsync(skipped.RunId));
        var claimed = await ClaimAsync(10);
        Assert.Equal(new[] { "single", "skipper" }, claimed.Select(r => r.JobName).Order());
        Assert.Empty(await ClaimAsync(10)); // The second "single" waits for the first.

        await Store.CompleteAsync(new RunCompletion(claimed.First(r => r.JobName == "single").Id, "node-a", RunOutcome.Succeeded, T0), CancellationToken.None);
        Assert.Single(await ClaimAsync(10));
    }

    [StoreFact]
    public async Task Queue_and_executor_kind_limits_count_running_runs_of_every_owner()
    {
        await SaveAsync("reports", j => j with { Queue = "reports" });
        await SaveAsync("shell", j => j with { Executor = new CommandExecutorSpec(["/bin/true"]) });
        for (var i = 0; i < 5; i++)
        {
            await EnqueueAsync("reports");
            await EnqueueAsync("shell");
        }
        var queues = new Dictionary<string, int> { ["reports"] = 2 };
        var kinds = new Dictionary<string, int> { ["command"] = 1 };

        var first = await ClaimAsync(10, owner: "node-a", queues: queues, kinds: kinds);
        var second = await ClaimAsync(10, owner: "node-b", queues: queues, kinds: kinds);

        Assert.Equal(2, first.Count(r => r.Queue == "reports"));
        Assert.Equal(1, first.Count(r => r.ExecutorKind == "command"));
        Assert.Empty(second);
    }

    [StoreFact]
    public async Task Enqueues_arriving_together_each_get_their_own_outcome_and_one_bad_request_fails_alone()
    {
        await SaveAsync("plain", j => j with { Priority = 3 });
        await SaveAsync("paused", j => j with { Paused = true });
        await SaveAsync("single", j => j with { Concurrency = new ConcurrencyPolicy(1, OverlapPolicy.Skip) });
        var requests = new List<RunRequest>();
        for (var i = 0; i < 30; i++)
        {
            requests.Add(new RunRequest("plain", TriggerSources.Manual) { Payload = $$"""{"i":{{i}}}""", Priority = i % 3 == 0 ? 9 : null });
        }
        requests.Add(new RunRequest("plain", TriggerSources.Manual) { IdempotencyKey = "once" });
        requests.Add(new RunRequest("plain", TriggerSources.Manual) { IdempotencyKey = "once" });
        requests.Add(new RunRequest("paused", TriggerSources.Manual) { NotBefore = T0.AddMinutes(5) });
        requests.Add(new RunRequest("single", TriggerSources.Manual));
        requests.Add(new RunRequest("single", TriggerSources.Manual));

        var outcomes = await EnqueueTogetherAsync(requests);

        Assert.All(outcomes, o => Assert.Null(o.Error));
        for (var i = 0; i < 30; i++)
        {
            var run = (await Store.GetRunAsync(outcomes[i].Result!.RunId, CancellationToken.None))!;
            Assert.Equal((RunState.Queued, $$"""{"i":{{i}}}""", i % 3 == 0 ? 9 : 3, T0), (run.State, run.Payload, run.Priority, run.DueAt));
            Assert.Equal(["run.enqueued"], await JournalKindsAsync(run.Id));
        }
        Assert.Equal(outcomes[30].Result!.RunId, outcomes[31].Result!.RunId);
        Assert.Single(new[] { outcomes[30].Result!, outcomes[31].Result! }, r => r.Created);
        Assert.Equal(T0.AddMinutes(5), (await Store.GetRunAsync(outcomes[32].Result!.RunId, CancellationToken.None))!.DueAt);
        Assert.Equal([RunState.Queued, RunState.Skipped], new[] { outcomes[33].Result!.State, outcomes[34].Result!.State }.Order());
        Assert.Equal(34, (await Store.ListRunsAsync(new RunQuery(), CancellationToken.None)).Count);

        var withBadOne = await EnqueueTogetherAsync([new RunRequest("plain", "manual"), new RunRequest("missing", "manual"), new RunRequest("plain", "manual")]);
        Assert.Contains("job 'missing' does not exist", withBadOne[1].Error!.Message);
        Assert.All([withBadOne[0], withBadOne[2]], o => Assert.True(o.Result!.Created));
        Assert.Equal(36, (await Store.ListRunsAsync(new RunQuery(), CancellationToken.None)).Count);

        // The paused job's run waits for the resume; the rest are claimable in priority order.
        var claimed = await ClaimAsync(100, T0.AddMinutes(10));
        Assert.Equal(34, claimed.Count);
        Assert.DoesNotContain(claimed, r => r.JobName == "paused");
        Assert.Equal(claimed.Select(r => r.Priority).OrderDescending(), claimed.Select(r => r.Priority));
    }

    /// <summary>Issues every enqueue at once, so the store may commit them together.</summary>
    private Task<(EnqueueResult? Result, Exception? Error)[]> EnqueueTogetherAsync(IEnumerable<RunRequest> requests) =>
        Task.WhenAll(requests.Select(async r =>
        {
            try
            {
                return ((EnqueueResult?)await Store.EnqueueAsync(r, T0, CancellationToken.None), (Exception?)null);
            }
            catch (KairosNotFoundException ex)
            {
                return ((EnqueueResult?)null, (Exception?)ex);
            }
        }));

    [StoreFact]
    public async Task Completions_arriving_together_each_get_their_own_outcome_journal_and_log()
    {
        await SaveAsync("job", j => j with { Retry = j.Retry with { MaxAttempts = 2 } });
        for (var i = 0; i < 40; i++)
        {
            await EnqueueAsync("job");
        }
        var runs = await ClaimAsync(40);
        var completions = runs.Select((run, i) => (i % 5) switch
        {
            0 => new RunCompletion(run.Id, "node-a", RunOutcome.Succeeded, T0.AddSeconds(1)) { Output = $$"""{"n":{{i}}}""", Log = [new RunLogLine(T0, "stdout", $"line {i}")] },
            1 => new RunCompletion(run.Id, "node-a", RunOutcome.Failed, T0.AddSeconds(1)) { Error = $"boom {i}", RetryAt = T0.AddMinutes(1) },
            2 => new RunCompletion(run.Id, "node-a", RunOutcome.Failed, T0.AddSeconds(1)) { Error = $"fatal {i}" },
            3 => new RunCompletion(run.Id, "node-a", RunOutcome.Cancelled, T0.AddSeconds(1)),
            _ => new RunCompletion(run.Id, "node-b", RunOutcome.Succeeded, T0.AddSeconds(1)), // Not the owner: refused.
        }).ToList();

        var accepted = await Task.WhenAll(completions.Select(c => Store.CompleteAsync(c, CancellationToken.None)));

        Assert.Equal(completions.Select(c => c.Owner == "node-a"), accepted);
        for (var i = 0; i < runs.Count; i++)
        {
            var run = (await Store.GetRunAsync(runs[i].Id, CancellationToken.None))!;
            var kinds = await JournalKindsAsync(run.Id);
            switch (i % 5)
            {
                case 0:
                    Assert.Equal((RunState.Succeeded, $$"""{"n":{{i}}}"""), (run.State, run.Output));
                    Assert.Equal([$"line {i}"], (await Store.GetRunLogAsync(run.Id, CancellationToken.None)).Select(l => l.Text));
                    Assert.Equal(["run.enqueued", "run.started", "run.succeeded"], kinds);
                    break;
                case 1:
                    Assert.Equal((RunState.Queued, $"boom {i}", T0.AddMinutes(1)), (run.State, run.Error, run.DueAt));
                    Assert.Equal(["run.enqueued", "run.started", "run.failed"], kinds);
                    break;
                case 2:
                    Assert.Equal((RunState.Dead, $"fatal {i}"), (run.State, run.Error));
                    Assert.Equal(["run.enqueued", "run.started", "run.failed", "run.dead"], kinds);
                    break;
                case 3:
                    Assert.Equal(RunState.Cancelled, run.State);
                    Assert.Equal(["run.enqueued", "run.started", "run.cancelled"], kinds);
                    break;
                default:
                    Assert.Equal((RunState.Running, "node-a"), (run.State, run.LeaseOwner));
                    Assert.Equal(["run.enqueued", "run.started"], kinds);
                    break;
            }
        }
    }

    [StoreFact]
    public async Task The_next_due_time_is_the_earliest_over_every_priority()
    {
        await SaveAsync("job");
        Assert.Null(await Store.GetNextQueuedDueAsync(null, CancellationToken.None));
        foreach (var (priority, seconds) in new[] { (1, 10), (5, 20), (3, 5), (3, 7), (-2, 30) })
        {
            await EnqueueAsync("job", change: r => r with { Priority = priority, NotBefore = T0.AddSeconds(seconds) });
        }
        Assert.Equal(T0.AddSeconds(5), await Store.GetNextQueuedDueAsync(null, CancellationToken.None));
    }

    [StoreFact]
    public async Task Runs_queued_again_while_their_job_is_paused_wait_for_the_resume_and_others_are_not_held_up()
    {
        await SaveAsync("paused-job");
        await SaveAsync("other");
        var retrying = (await EnqueueAsync("paused-job")).RunId;
        for (var i = 0; i < 50; i++)
        {
            await EnqueueAsync("paused-job");
        }
        Assert.Equal(retrying, (await ClaimAsync(1)).Single().Id);
        Assert.True(await Store.SetJobPausedAsync("paused-job", true, T0, CancellationToken.None));
        await Store.CompleteAsync(new RunCompletion(retrying, "node-a", RunOutcome.Failed, T0) { Error = "x", RetryAt = T0 }, CancellationToken.None);
        var other = (await EnqueueAsync("other")).RunId;
        var late = (await EnqueueAsync("paused-job")).RunId;

        Assert.Equal([other], (await ClaimAsync(100)).Select(r => r.Id));
        Assert.Null(await Store.GetNextQueuedDueAsync(null, CancellationToken.None)); // Nothing claimable is waiting.

        await Store.SetJobPausedAsync("paused-job", false, T0, CancellationToken.None);
        var resumed = await ClaimAsync(100);
        Assert.Equal(52, resumed.Count);
        Assert.Contains(resumed, r => r.Id == retrying);
        Assert.Contains(resumed, r => r.Id == late);
    }

    [StoreFact]
    public async Task Paused_jobs_keep_their_runs_queued_until_resumed()
    {
        await SaveAsync("job");
        var run = await EnqueueAsync("job");
        Assert.True(await Store.SetJobPausedAsync("job", true, T0, CancellationToken.None));
        Assert.Empty(await ClaimAsync(10));
        Assert.True((await Store.GetJobAsync("job", CancellationToken.None))!.Definition.Paused);

        await Store.SetJobPausedAsync("job", false, T0, CancellationToken.None);
        Assert.Equal(run.RunId, Assert.Single(await ClaimAsync(10)).Id);
    }

    [StoreFact]
    public async Task A_failure_with_a_retry_time_requeues_and_without_one_buries_the_run()
    {
        await SaveAsync("job");
        var id = (await EnqueueAsync("job")).RunId;
        await ClaimAsync(1);
        await Store.CompleteAsync(new RunCompletion(id, "node-a", RunOutcome.Failed, T0) { Error = "boom", RetryAt = T0.AddSeconds(10) }, CancellationToken.None);

        var queued = (await Store.GetRunAsync(id, CancellationToken.None))!;
        Assert.Equal((RunState.Queued, "boom", T0.AddSeconds(10)), (queued.State, queued.Error, queued.DueAt));
        Assert.Empty(await ClaimAsync(1, T0.AddSeconds(9)));
        Assert.Equal(2, Assert.Single(await ClaimAsync(1, T0.AddSeconds(10))).Attempt);

        await Store.CompleteAsync(new RunCompletion(id, "node-a", RunOutcome.Failed, T0.AddSeconds(11)) { Error = "boom again" }, CancellationToken.None);
        Assert.Equal(RunState.Dead, (await Store.GetRunAsync(id, CancellationToken.None))!.State);
        Assert.Equal(
            ["run.enqueued", "run.started", "run.failed", "run.started", "run.failed", "run.dead"],
            await JournalKindsAsync(id));
    }

    [StoreFact]
    public async Task Dead_runs_in_a_row_pause_a_job_that_asks_for_it_and_a_success_between_resets_the_count()
    {
        await SaveAsync("job", j => j with { PauseAfterFailures = 2, Retry = j.Retry with { MaxAttempts = 1 } });
        async Task FinishAsync(RunOutcome outcome)
        {
            var id = (await EnqueueAsync("job")).RunId;
            Assert.Single(await ClaimAsync(1));
            await Store.CompleteAsync(new RunCompletion(id, "node-a", outcome, T0) { Error = outcome == RunOutcome.Failed ? "boom" : null }, CancellationToken.None);
        }

        await FinishAsync(RunOutcome.Failed);
        await FinishAsync(RunOutcome.Succeeded);
        await FinishAsync(RunOutcome.Failed);
        Assert.False((await Store.GetJobAsync("job", CancellationToken.None))!.Definition.Paused);
        await FinishAsync(RunOutcome.Failed);

        Assert.True((await Store.GetJobAsync("job", CancellationToken.None))!.Definition.Paused);
        var journal = await Store.ListJournalAsync(new JournalQuery { JobName = "job" }, CancellationToken.None);
        Assert.Contains("2 runs in a row ended dead", Assert.Single(journal, e => e.Kind == "job.paused").Data);
    }

    [StoreFact]
    public async Task Only_the_lease_owner_can_complete_a_run()
    {
        await SaveAsync("job");
        var id = (await EnqueueAsync("job")).RunId;
        await ClaimAsync(1, owner: "node-a");
        Assert.False(await Store.CompleteAsync(new RunCompletion(id, "node-b", RunOutcome.Succeeded, T0), CancellationToken.None));
        Assert.True(await Store.CompleteAsync(new RunCompletion(id, "node-a", RunOutcome.Succeeded, T0) { Output = "{\"n\":1}" }, CancellationToken.None));
        var run = (await Store.GetRunAsync(id, CancellationToken.None))!;
        Assert.Equal((RunState.Succeeded, "{\"n\":1}", (string?)null), (run.State, run.Output, run.LeaseOwner));
    }

    [StoreFact]
    public async Task Expired_leases_are_rescued_counting_the_attempt_and_the_last_attempt_dies()
    {
        await SaveAsync("job", j => j with { Retry = j.Retry with { MaxAttempts = 2 } });
        var id = (await EnqueueAsync("job")).RunId;
        await ClaimAsync(1);
        var renewal = await Store.RenewLeasesAsync("node-a", [id], T0.AddSeconds(60), CancellationToken.None);
        Assert.Empty(renewal.Lost);
        Assert.Equal(0, await Store.RescueExpiredAsync(T0.AddSeconds(59), CancellationToken.None));

        Assert.Equal(1, await Store.RescueExpiredAsync(T0.AddSeconds(61), CancellationToken.None));
        Assert.Equal(RunState.Queued, (await Store.GetRunAsync(id, CancellationToken.None))!.State);
        Assert.Equal(["node-a"], (await Store.RenewLeasesAsync("node-a", [id], T0.AddSeconds(90), CancellationToken.None)).Lost.Select(_ => "node-a"));

        await ClaimAsync(1, T0.AddSeconds(61), owner: "node-b");
        Assert.Equal(1, await Store.RescueExpiredAsync(T0.AddSeconds(100), CancellationToken.None));
        var run = (await Store.GetRunAsync(id, CancellationToken.None))!;
        Assert.Equal((RunState.Dead, 2), (run.State, run.Attempt));
        Assert.Equal(2, (await JournalKindsAsync(id)).Count(k => k == "run.rescued"));
    }

    [StoreFact]
    public async Task Cancel_stops_a_queued_run_at_once_and_flags_a_running_one()
    {
        await SaveAsync("job");
        var queued = (await EnqueueAsync("job")).RunId;
        Assert.Equal(CancelResult.Cancelled, await Store.CancelRunAsync(queued, T0, CancellationToken.None));
        var running = (await EnqueueAsync("job")).RunId;
        await ClaimAsync(1);
        Assert.Equal(CancelResult.CancelRequested, await Store.CancelRunAsync(running, T0, CancellationToken.None));
        Assert.Equal([running], (await Store.RenewLeasesAsync("node-a", [running], T0.AddSeconds(30), CancellationToken.None)).CancelRequested);
        Assert.Equal(CancelResult.AlreadyFinished, await Store.CancelRunAsync(queued, T0, CancellationToken.None));
        Assert.Equal(CancelResult.NotFound, await Store.CancelRunAsync(999, T0, CancellationToken.None));
    }

    [StoreFact]
    public async Task A_dead_run_can_be_retried_by_hand_and_a_running_one_cannot()
    {
        await SaveAsync("job", j => j with { Retry = j.Retry with { MaxAttempts = 1 } });
        var id = (await EnqueueAsync("job")).RunId;
        await ClaimAsync(1);
        await Assert.ThrowsAsync<KairosConflictException>(() => Store.RetryRunAsync(id, 1, T0, CancellationToken.None));
        await Store.CompleteAsync(new RunCompletion(id, "node-a", RunOutcome.Failed, T0) { Error = "x" }, CancellationToken.None);

        var retried = (await Store.RetryRunAsync(id, 1, T0.AddMinutes(1), CancellationToken.None))!;
        Assert.Equal((RunState.Queued, 2), (retried.State, retried.MaxAttempts));
        Assert.Equal(2, Assert.Single(await ClaimAsync(1, T0.AddMinutes(1))).Attempt);
        Assert.Contains("run.retried", await JournalKindsAsync(id));
    }

    [StoreFact]
    public async Task Firing_a_trigger_is_conditional_so_a_tick_fires_once()
    {
        var spec = new IntervalTriggerSpec(TimeSpan.FromMinutes(1));
        await Store.SaveJobAsync(new JobDefinition { Name = "job", Executor = new HandlerExecutorSpec("ok"), Triggers = [spec] },
            [new TriggerRegistration("k", spec, T0)], T0, CancellationToken.None);
        var trigger = Assert.Single(await Store.ListDueTriggersAsync(T0, 10, CancellationToken.None));
        var fire = new TriggerFire(trigger.Id, T0, T0.AddMinutes(1), [new RunRequest("job", "interval") { TriggerId = trigger.Id }], T0, null);

        Assert.True(await Store.FireTriggerAsync(fire, CancellationToken.None));
        Assert.False(await Store.FireTriggerAsync(fire, CancellationToken.None));
        Assert.Single(await Store.ListRunsAsync(new RunQuery(), CancellationToken.None));
        Assert.Equal(T0.AddMinutes(1), await Store.GetNextTriggerFireAsync(CancellationToken.None));
    }

    [StoreFact]
    public async Task Saving_a_job_keeps_the_state_of_unchanged_triggers_and_drops_removed_ones()
    {
        var keep = new IntervalTriggerSpec(TimeSpan.FromMinutes(1));
        var drop = new OnceTriggerSpec(T0.AddDays(1));
        var job = new JobDefinition { Name = "job", Executor = new HandlerExecutorSpec("ok") };
        await Store.SaveJobAsync(job, [new("keep", keep, T0.AddMinutes(5)), new("drop", drop, T0.AddDays(1))], T0, CancellationToken.None);
        await Store.SaveJobAsync(job, [new("keep", keep, T0.AddMinutes(99))], T0, CancellationToken.None);

        var trigger = Assert.Single(await Store.ListTriggersAsync("job", CancellationToken.None));
        Assert.Equal(("keep", T0.AddMinutes(5)), (trigger.Key, trigger.NextFireAt));
        Assert.Equal(2, (await Store.GetJobAsync("job", CancellationToken.None))!.Version);
    }

    [StoreFact]
    public async Task Run_logs_are_kept_in_order()
    {
        await SaveAsync("job");
        var id = (await EnqueueAsync("job")).RunId;
        await Store.AppendRunLogAsync(id, [new RunLogLine(T0, "stdout", "one"), new RunLogLine(T0, "stderr", "two")], CancellationToken.None);
        await ClaimAsync(1);
        await Store.CompleteAsync(new RunCompletion(id, "node-a", RunOutcome.Succeeded, T0) { Log = [new RunLogLine(T0, "stdout", "three")] }, CancellationToken.None);
        Assert.Equal(["one", "two", "three"], (await Store.GetRunLogAsync(id, CancellationToken.None)).Select(l => l.Text));
    }

    [StoreFact]
    public async Task A_window_of_a_run_log_reads_only_its_lines_each_cut_one_character_past_the_bound()
    {
        await SaveAsync("job");
        var id = (await EnqueueAsync("job")).RunId;
        await Store.AppendRunLogAsync(id, [new(T0, "stdout", "one"), new(T0, "stdout", "two-long"), new(T0, "stdout", "three"), new(T0, "stdout", "four")], CancellationToken.None);

        var window = await Store.GetRunLogAsync(id, new RunLogQuery { Skip = 1, Limit = 2, MaxLineChars = 4 }, CancellationToken.None);

        Assert.Equal(["two-l", "three"], window.Select(l => l.Text)); // The client cuts to 4 and marks it; the store reads 5 to tell.
    }

    [StoreFact]
    public async Task Events_enqueue_one_run_per_matching_subscription_and_a_key_returns_the_first_event()
    {
        await SaveAsync("ship");
        await SaveAsync("audit");
        await Store.SaveSubscriptionAsync(new Subscription("ship-orders", "order.created", "ship"), T0, CancellationToken.None);
        await Store.SaveSubscriptionAsync(new Subscription("audit-orders", "order.*", "audit") { Filter = """{"data.amount": {"$gte": 100}}""" }, T0, CancellationToken.None);
        await Store.SaveSubscriptionAsync(new Subscription("off", "order.*", "audit") { Active = false }, T0, CancellationToken.None);

        var small = await Store.PublishAsync(new EventRequest("order.created", "shop") { Data = """{"amount":5}""", IdempotencyKey = "o-1" }, T0, CancellationToken.None);
        var big = await Store.PublishAsync(new EventRequest("order.created", "shop") { Data = """{"amount":500}""" }, T0, CancellationToken.None);
        var again = await Store.PublishAsync(new EventRequest("order.created", "shop") { Data = """{"amount":5}""", IdempotencyKey = "o-1" }, T0, CancellationToken.None);

        Assert.Single(small.Runs);
        Assert.Equal(2, big.Runs.Count);
        Assert.Equal((small.EventId, false), (again.EventId, again.Created));
        Assert.Equal(small.Runs.Select(r => r.RunId), again.Runs.Select(r => r.RunId));
        Assert.Equal(["audit-orders", "off", "ship-orders"], (await Store.ListSubscriptionsAsync(CancellationToken.None)).Select(s => s.Name));
        var stored = (await Store.GetEventAsync(big.EventId, CancellationToken.None))!;
        Assert.Equal((EventStatus.Pending, 2, """{"amount":500}"""), (stored.Status, stored.Runs, stored.Data));
        var run = (await Store.GetRunAsync(big.Runs[0].RunId, CancellationToken.None))!;
        Assert.Equal(big.EventId, run.EventId);
        Assert.Equal(2, (await Store.ListEventsAsync(new EventQuery { TypePattern = "order.*" }, CancellationToken.None)).Count);

        Assert.Equal(2, await Store.CancelEventAsync(big.EventId, T0, CancellationToken.None));
        Assert.Equal(EventStatus.Cancelled, (await Store.GetEventAsync(big.EventId, CancellationToken.None))!.Status);
        await Assert.ThrowsAsync<KairosNotFoundException>(() => Store.CancelEventAsync(999, T0, CancellationToken.None));

        var replayed = await Store.ReplayEventsAsync(new ReplayRequest("ship-orders", T0.AddMinutes(-1), T0.AddMinutes(1)), T0, CancellationToken.None);
        Assert.Equal(2, replayed.Count);
        // Narrowed to one event of the range (the client's replay of one event): only it goes again.
        var one = await Store.ReplayEventsAsync(new ReplayRequest("ship-orders", T0.AddMinutes(-1), T0.AddMinutes(1)) { EventId = big.EventId }, T0, CancellationToken.None);
        Assert.Equal(big.EventId, (await Store.GetRunAsync(Assert.Single(one).RunId, CancellationToken.None))!.EventId);
        Assert.True(await Store.DeleteSubscriptionAsync("off", T0, CancellationToken.None));
        Assert.False(await Store.DeleteSubscriptionAsync("off", T0, CancellationToken.None));
    }

    [StoreFact]
    public async Task A_finished_run_publishes_its_outcome_when_a_subscription_listens()
    {
        await SaveAsync("job");
        await SaveAsync("after");
        await Store.ReplaceOwnedSubscriptionsAsync("after", [new Subscription("after-job", "run.succeeded", "after") { Filter = """{"data.job": "job"}""", MaxDepth = 3 }], T0, CancellationToken.None);
        Assert.Equal("after", (await Store.GetSubscriptionAsync("after-job", CancellationToken.None))!.OwnerJob);
        var id = (await EnqueueAsync("job")).RunId;
        await ClaimAsync(1);
        await Store.CompleteAsync(new RunCompletion(id, "node-a", RunOutcome.Succeeded, T0) { Output = "{\"n\":1}" }, CancellationToken.None);

        var chained = Assert.Single(await Store.ListRunsAsync(new RunQuery { JobName = "after" }, CancellationToken.None));
        Assert.Equal((id, 1, "completion"), (chained.ParentRunId, chained.ChainDepth, chained.Source));
        Assert.Contains("\"runId\":" + id, chained.Payload);
        await Store.ReplaceOwnedSubscriptionsAsync("after", [], T0, CancellationToken.None);
        Assert.Empty(await Store.ListSubscriptionsAsync(CancellationToken.None));
    }

    private Task<WebhookDeliveryResult> AcceptDeliveryAsync(WebhookDelivery delivery) =>
        Store.WriteAsync(tx => Kairos.Webhooks.WebhookIntake.AcceptAsync(tx, delivery), CancellationToken.None);

    [StoreFact]
    public async Task A_delivery_stamped_ahead_of_now_keeps_its_id_until_its_timestamps_window_has_passed()
    {
        // Regression: ids were kept for the window from receipt, while a timestamp up to the window
        // ahead is accepted, so a delivery stamped 4 minutes ahead could be replayed once after 5.
        var spec = new WebhookTriggerSpec("gh");
        await Store.SaveWebhookAsync(new WebhookDefinition("gh"), T0, CancellationToken.None);
        await Store.SaveJobAsync(new JobDefinition { Name = "build", Executor = new HandlerExecutorSpec("ok"), Triggers = [spec] },
            [new TriggerRegistration("webhook:gh", spec, null)], T0, CancellationToken.None);
        var window = TimeSpan.FromMinutes(5);
        var stamped = new WebhookDelivery("gh", "d-ahead", "{}", T0) { RejectRepeatedId = true, ReplayWindow = window, SentAt = T0.AddMinutes(4) };

        Assert.Equal(WebhookDeliveryOutcome.Accepted, (await AcceptDeliveryAsync(stamped)).Outcome);
        var later = T0.AddMinutes(6);
        Assert.Equal(0, await Store.DeleteWebhookDeliveriesAsync("gh", later - window, 100, CancellationToken.None)); // What the pruner would ask then.
        Assert.Equal(WebhookDeliveryOutcome.Replayed, (await AcceptDeliveryAsync(stamped with { ReceivedAt = later })).Outcome);
        Assert.Equal(WebhookDeliveryOutcome.Accepted, (await AcceptDeliveryAsync(stamped with { ReceivedAt = T0.AddMinutes(9.5) })).Outcome);
    }

    [StoreFact]
    public async Task Webhook_deliveries_enqueue_the_bound_jobs_and_a_repeated_id_is_refused()
    {
        var spec = new WebhookTriggerSpec("gh");
        await Store.SaveWebhookAsync(new WebhookDefinition("gh"), T0, CancellationToken.None);
        Assert.Equal(["gh"], (await Store.ListWebhooksAsync(CancellationToken.None)).Select(h => h.Name));
        Assert.NotNull(await Store.GetWebhookAsync("gh", CancellationToken.None));
        var none = await AcceptDeliveryAsync(new WebhookDelivery("gh", "d-0", "{}", T0));
        Assert.Equal(WebhookDeliveryOutcome.NoJobs, none.Outcome);

        await Store.SaveJobAsync(new JobDefinition { Name = "build", Executor = new HandlerExecutorSpec("ok"), Triggers = [spec] },
            [new TriggerRegistration("webhook:gh", spec, null)], T0, CancellationToken.None);
        var delivery = new WebhookDelivery("gh", "d-1", """{"ref":"main"}""", T0) { RejectRepeatedId = true };
        var accepted = await AcceptDeliveryAsync(delivery);
        Assert.Equal(WebhookDeliveryOutcome.Accepted, accepted.Outcome);
        var run = (await Store.GetRunAsync(Assert.Single(accepted.Runs).RunId, CancellationToken.None))!;
        Assert.Equal(("""{"ref":"main"}""", "webhook"), (run.Payload, run.Source));
        Assert.Equal(WebhookDeliveryOutcome.Replayed, (await AcceptDeliveryAsync(delivery)).Outcome);
        Assert.Equal(WebhookDeliveryOutcome.Accepted, (await AcceptDeliveryAsync(delivery with { ReceivedAt = T0.AddMinutes(6) })).Outcome);

        await Store.SetJobPausedAsync("build", true, T0, CancellationToken.None);
        var paused = await AcceptDeliveryAsync(new WebhookDelivery("gh", null, "{}", T0));
        Assert.Equal((WebhookDeliveryOutcome.AllPaused, "build"), (paused.Outcome, Assert.Single(paused.PausedJobs)));
        Assert.Contains("webhook.rejected", (await Store.ListJournalAsync(new JournalQuery(), CancellationToken.None)).Select(e => e.Kind));
        Assert.True(await Store.DeleteWebhookAsync("gh", T0, CancellationToken.None));
        Assert.Null(await Store.GetWebhookAsync("gh", CancellationToken.None));
    }

    [StoreFact]
    public async Task File_and_poll_state_are_kept_per_trigger_with_the_runs_they_enqueue()
    {
        var spec = new IntervalTriggerSpec(TimeSpan.FromMinutes(1));
        await Store.SaveJobAsync(new JobDefinition { Name = "job", Executor = new HandlerExecutorSpec("ok"), Triggers = [spec] },
            [new TriggerRegistration("k", spec, null)], T0, CancellationToken.None);
        var trigger = Assert.Single(await Store.ListTriggersAsync("job", CancellationToken.None)).Id;

        var run = await Store.RecordFileChangeAsync(trigger, "b.txt", new FileSnapshot("b.txt", 10, T0), null, new RunRequest("job", "file"), T0, CancellationToken.None);
        Assert.NotNull(run);
        await Store.RecordFileChangeAsync(trigger, "a.txt", new FileSnapshot("a.txt", 1, T0), null, null, T0, CancellationToken.None);
        await Store.RecordFileChangeAsync(trigger, "c.txt", new FileSnapshot("c.txt", 2, T0.AddSeconds(1)), "a.txt", null, T0, CancellationToken.None);
        Assert.Equal([new FileSnapshot("b.txt", 10, T0), new FileSnapshot("c.txt", 2, T0.AddSeconds(1))], await Store.GetFileStateAsync(trigger, CancellationToken.None));
        await Store.RecordFileChangeAsync(trigger, "b.txt", null, null, null, T0, CancellationToken.None);
        Assert.Single(await Store.GetFileStateAsync(trigger, CancellationToken.None));

        Assert.Null(await Store.GetPollStateAsync(trigger, CancellationToken.None));
        await Store.RecordPollAsync(trigger, new PollState(T0, 0, "42"), new RunRequest("job", "poll"), null, T0, CancellationToken.None);
        await Store.RecordPollAsync(trigger, new PollState(T0.AddMinutes(1), 1, "42"), null, "timeout", T0.AddMinutes(1), CancellationToken.None);
        Assert.Equal(new PollState(T0.AddMinutes(1), 1, "42"), await Store.GetPollStateAsync(trigger, CancellationToken.None));
        Assert.Contains("poll.failed", (await Store.ListJournalAsync(new JournalQuery { JobName = "job" }, CancellationToken.None)).Select(e => e.Kind));
        Assert.Equal(2, (await Store.ListRunsAsync(new RunQuery { JobName = "job" }, CancellationToken.None)).Count);
    }
    [StoreFact]
    public async Task Webhooks_files_and_polls_publish_their_event_with_the_runs_they_enqueue()
    {
        var spec = new FileTriggerSpec("/in") { Publish = "files.new" };
        await Store.SaveJobAsync(new JobDefinition { Name = "ops/job", Executor = new HandlerExecutorSpec("ok"), Triggers = [spec] },
            [new TriggerRegistration("k", spec, null)], T0, CancellationToken.None);
        await Store.SaveJobAsync(new JobDefinition { Name = "ops/audit", Executor = new HandlerExecutorSpec("ok") }, [], T0, CancellationToken.None);
        await Store.SaveSubscriptionAsync(new Kairos.Events.Subscription("ops/all-sources", "**", "ops/audit"), T0, CancellationToken.None);
        var trigger = Assert.Single(await Store.ListTriggersAsync("ops/job", CancellationToken.None)).Id;

        await Store.RecordFileChangeAsync(trigger, "a.csv", new FileSnapshot("a.csv", 1, T0), null,
            new RunRequest("ops/job", "file") { Payload = """{"path":"/in/a.csv"}""" }, T0, CancellationToken.None, "files.new");
        // Already recorded (another node first): neither a run nor an event.
        await Store.RecordFileChangeAsync(trigger, "a.csv", new FileSnapshot("a.csv", 1, T0), null,
            new RunRequest("ops/job", "file"), T0, CancellationToken.None, "files.new");
        await Store.RecordPollAsync(trigger, new PollState(T0, 0, null), new RunRequest("ops/job", "poll") { Payload = """{"context":1}""" }, null, T0, CancellationToken.None, "poll.fired");
        await Store.SaveWebhookAsync(new Kairos.Webhooks.WebhookDefinition("ops/gh") { Publish = "webhook.github.push" }, T0, CancellationToken.None);
        var delivery = await AcceptDeliveryAsync(new WebhookDelivery("ops/gh", "d-1", """{"body":{"ref":"main"}}""", T0) { Publish = "webhook.github.push" });

        Assert.Equal(WebhookDeliveryOutcome.Accepted, delivery.Outcome); // no job bound: the event is its consumer
        var events = await Store.ListEventsAsync(new Kairos.Events.EventQuery(), CancellationToken.None);
        Assert.Equal(["ops/files.new", "ops/poll.fired", "ops/webhook.github.push"], events.Select(e => e.Type).Order());
        Assert.Equal("""{"path":"/in/a.csv"}""", events.Single(e => e.Type == "ops/files.new").Data);
        Assert.Equal("webhook", events.Single(e => e.Type == "ops/webhook.github.push").Source);
        Assert.Equal(3, (await Store.ListRunsAsync(new RunQuery { JobName = "ops/audit" }, CancellationToken.None)).Count);
        Assert.Equal(2, (await Store.ListRunsAsync(new RunQuery { JobName = "ops/job" }, CancellationToken.None)).Count);
    }
}
