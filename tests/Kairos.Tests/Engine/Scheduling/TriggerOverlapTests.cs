using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kairos.Model;
using Kairos.Storage;
using Kairos.Tests.Support;

namespace Kairos.Tests.Engine.Scheduling;

/// <summary>
/// Each overlap policy as a user sees it: a time trigger fires every minute while its first run is
/// still running (a handler that waits to be let go), through the real scheduler, dispatcher and
/// store (a SQLite file, and the in-memory driver), on a manual clock.
/// </summary>
public sealed class TriggerOverlapTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A handler that runs until let go (or cancelled), recording the order of starts and how many ran at once.</summary>
    private sealed class LongRuns
    {
        private int _running;
        private int _mostAtOnce;

        public ConcurrentQueue<long> Started { get; } = new();
        public ConcurrentDictionary<long, TaskCompletionSource> Gates { get; } = new();
        public int MostAtOnce => Volatile.Read(ref _mostAtOnce);

        public async Task<JsonNode?> RunAsync(Kairos.Executors.JobContext ctx)
        {
            var now = Interlocked.Increment(ref _running);
            for (var seen = _mostAtOnce; now > seen; seen = _mostAtOnce)
            {
                Interlocked.CompareExchange(ref _mostAtOnce, now, seen);
            }
            var gate = Gates.GetOrAdd(ctx.RunId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            Started.Enqueue(ctx.RunId);
            try
            {
                await gate.Task.WaitAsync(ctx.CancellationToken);
                return null;
            }
            finally
            {
                Interlocked.Decrement(ref _running);
            }
        }

        public void Finish(long runId) => Gates.GetOrAdd(runId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    private static async Task<(TestEngine Engine, LongRuns Runs)> StartAsync(TriggerSpec trigger, TestStore store, ConcurrencyPolicy? concurrency = null)
    {
        var runs = new LongRuns();
        var t = await TestEngine.CreateAsync(
            s => s.AddHandler("long", runs.RunAsync),
            // Longer than the test's jumps, so no heartbeat or rescue timer takes a running run for a crashed one.
            configure: o => o.LeaseDuration = TimeSpan.FromHours(2),
            start: Start,
            store: store);
        await t.Engine.SaveJobAsync(TestEngine.Job("report", "long", j => j with { Triggers = [trigger], Concurrency = concurrency ?? j.Concurrency }));
        await t.StartAsync();
        return (t, runs);
    }

    /// <summary>
    /// Moves the clock one minute and fires the tick (the scheduler loop may fire it first: a tick fires
    /// once). The clock moves only once the scheduler and the dispatcher sleep after the last fire and
    /// start (each woke the dispatcher, and a woken sleep is not reported): a pass still under way
    /// could read the old time and arm its next timer from it, a minute late.
    /// </summary>
    private static async Task TickAsync(TestEngine t)
    {
        await Eventually.TrueAsync(() => t.Engine.Scheduler.SleepingUntil is not null && t.Engine.Dispatcher.SleepingUntil is not null, "the scheduler and the dispatcher to sleep");
        t.Clock.Advance(TimeSpan.FromMinutes(1));
        await t.Engine.Scheduler.FireDueAsync(CancellationToken.None);
    }

    private static async Task<List<RunRecord>> RunsAsync(TestEngine t) =>
        [.. (await t.Store.ListRunsAsync(new RunQuery { JobName = "report" }, CancellationToken.None)).OrderBy(r => r.Id)];

    private static async Task<JournalEntry> EntryAsync(TestEngine t, long runId, string kind) =>
        Assert.Single(await t.Store.ListJournalAsync(new JournalQuery { RunId = runId }, CancellationToken.None), e => e.Kind == kind);

    private static string Reason(JournalEntry entry) => JsonDocument.Parse(entry.Data!).RootElement.GetProperty("reason").GetString()!;

    private static async Task WaitForStartsAsync(LongRuns runs, int count) =>
        await Eventually.TrueAsync(() => runs.Started.Count >= count, $"{count} run(s) to start");

    /// <summary>The first run starts and keeps running; the trigger then fires twice more.</summary>
    private static async Task<long> FireThreeWhileTheFirstRunsAsync(TestEngine t, LongRuns runs)
    {
        await TickAsync(t);
        await WaitForStartsAsync(runs, 1);
        await TickAsync(t);
        await TickAsync(t);
        return runs.Started.Single();
    }

    public static TheoryData<TestStore> Stores => new() { TestStore.Sqlite, TestStore.Memory };

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Skip_records_each_fire_during_a_run_as_skipped_with_the_reason(TestStore store)
    {
        var (t, runs) = await StartAsync(new CronTriggerSpec("* * * * *") { Overlap = TriggerOverlap.Skip }, store);
        await using var _ = t;

        var first = await FireThreeWhileTheFirstRunsAsync(t, runs);

        var all = await RunsAsync(t);
        Assert.Equal([RunState.Running, RunState.Skipped, RunState.Skipped], all.Select(r => r.State));
        var skipped = await EntryAsync(t, all[1].Id, "run.skipped");
        Assert.Equal(all[0].TriggerId, skipped.TriggerId);
        Assert.Equal($"overlap skip: run {first} of trigger {all[0].TriggerId} is still running", Reason(skipped));

        // Once the run ended, the next fire runs.
        runs.Finish(first);
        await t.WaitForStateAsync(first, RunState.Succeeded);
        await TickAsync(t);
        await WaitForStartsAsync(runs, 2);
        Assert.Equal(RunState.Running, (await RunsAsync(t))[3].State);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Buffer_one_keeps_one_fire_waiting_skips_the_rest_and_starts_it_when_the_run_ends(TestStore store)
    {
        var (t, runs) = await StartAsync(new IntervalTriggerSpec(TimeSpan.FromMinutes(1)) { Overlap = TriggerOverlap.BufferOne }, store);
        await using var _ = t;

        var first = await FireThreeWhileTheFirstRunsAsync(t, runs);

        var all = await RunsAsync(t);
        Assert.Equal([RunState.Running, RunState.Queued, RunState.Skipped], all.Select(r => r.State));
        Assert.Equal(new DateTimeOffset(9999, 12, 31, 0, 0, 0, TimeSpan.Zero), all[1].DueAt); // Waiting: no claim reaches it.
        Assert.Equal($"overlap buffer-one: waits for run {first} of trigger {all[0].TriggerId} to end", Reason(await EntryAsync(t, all[1].Id, "run.buffered")));
        Assert.Equal($"overlap buffer-one: run {all[1].Id} of trigger {all[0].TriggerId} already waits", Reason(await EntryAsync(t, all[2].Id, "run.skipped")));

        runs.Finish(first);
        await WaitForStartsAsync(runs, 2);
        Assert.Equal([first, all[1].Id], runs.Started);
        var released = await EntryAsync(t, all[1].Id, "run.unbuffered");
        Assert.Equal($"run {first} of trigger {all[0].TriggerId} ended", Reason(released));
        Assert.Equal(RunState.Running, (await t.RunAsync(all[1].Id)).State);
        Assert.Equal(1, runs.MostAtOnce);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Buffer_all_keeps_every_fire_and_runs_them_one_after_another_in_order(TestStore store)
    {
        var (t, runs) = await StartAsync(new CronTriggerSpec("* * * * *") { Overlap = TriggerOverlap.BufferAll }, store);
        await using var _ = t;

        var first = await FireThreeWhileTheFirstRunsAsync(t, runs);

        var all = await RunsAsync(t);
        Assert.Equal([RunState.Running, RunState.Queued, RunState.Queued], all.Select(r => r.State));
        Assert.Contains($"waits for run {all[1].Id}", Reason(await EntryAsync(t, all[2].Id, "run.buffered")));

        runs.Finish(first);
        await WaitForStartsAsync(runs, 2);
        Assert.Equal(RunState.Queued, (await t.RunAsync(all[2].Id)).State); // Still waits for the second.
        runs.Finish(all[1].Id);
        await WaitForStartsAsync(runs, 3);
        runs.Finish(all[2].Id);
        await t.WaitForStateAsync(all[2].Id, RunState.Succeeded);

        Assert.Equal(all.Select(r => r.Id), runs.Started);
        Assert.Equal(1, runs.MostAtOnce);
        Assert.All(await RunsAsync(t), r => Assert.Equal(RunState.Succeeded, r.State));
    }

    [Theory]
    [InlineData(TestStore.Sqlite, TriggerOverlap.CancelOther)]
    [InlineData(TestStore.Memory, TriggerOverlap.CancelOther)]
    [InlineData(TestStore.Sqlite, TriggerOverlap.TerminateOther)]
    public async Task Cancel_other_cancels_the_running_run_and_the_new_one_starts_once_it_ended(TestStore store, TriggerOverlap policy)
    {
        var (t, runs) = await StartAsync(new CronTriggerSpec("* * * * *") { Overlap = policy }, store);
        await using var _ = t;
        await TickAsync(t);
        await WaitForStartsAsync(runs, 1);
        var first = runs.Started.Single();

        await TickAsync(t);

        await t.WaitForStateAsync(first, RunState.Cancelled);
        await WaitForStartsAsync(runs, 2);
        var all = await RunsAsync(t);
        Assert.Equal([RunState.Cancelled, RunState.Running], all.Select(r => r.State));
        var wire = policy == TriggerOverlap.CancelOther ? "cancel-other" : "terminate-other";
        var requested = await EntryAsync(t, first, "run.cancel-requested");
        Assert.Equal((all[0].TriggerId, $"overlap {wire}: trigger {all[0].TriggerId} fired again"), (requested.TriggerId, Reason(requested)));
        Assert.Equal($"overlap {wire}: waits for run {first} of trigger {all[0].TriggerId} to end", Reason(await EntryAsync(t, all[1].Id, "run.buffered")));
        Assert.Equal(1, runs.MostAtOnce);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Allow_all_lets_runs_overlap_even_when_the_job_skips_overlapping_runs(TestStore store)
    {
        var (t, runs) = await StartAsync(new CronTriggerSpec("* * * * *") { Overlap = TriggerOverlap.AllowAll }, store, new ConcurrencyPolicy(3, OverlapPolicy.Skip));
        await using var _ = t;

        await TickAsync(t);
        await WaitForStartsAsync(runs, 1);
        await TickAsync(t);
        await TickAsync(t);
        await TickAsync(t); // A fourth: over maxInstances, it waits in the queue instead of being skipped.
        await WaitForStartsAsync(runs, 3);

        var all = await RunsAsync(t);
        Assert.Equal([RunState.Running, RunState.Running, RunState.Running, RunState.Queued], all.Select(r => r.State));
        Assert.Equal(3, runs.MostAtOnce);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Without_an_overlap_policy_the_job_s_on_overlap_skip_still_applies(TestStore store)
    {
        var (t, runs) = await StartAsync(new CronTriggerSpec("* * * * *"), store, new ConcurrencyPolicy(1, OverlapPolicy.Skip));
        await using var _ = t;

        await TickAsync(t);
        await WaitForStartsAsync(runs, 1);
        await TickAsync(t);

        var all = await RunsAsync(t);
        Assert.Equal([RunState.Running, RunState.Skipped], all.Select(r => r.State));
        Assert.StartsWith("job allows 1 instance(s)", Reason(await EntryAsync(t, all[1].Id, "run.skipped")));
    }

    [Fact]
    public async Task A_waiting_run_cancelled_by_hand_is_passed_over_and_the_next_one_starts()
    {
        var (t, runs) = await StartAsync(new CronTriggerSpec("* * * * *") { Overlap = TriggerOverlap.BufferAll }, TestStore.Sqlite);
        await using var _ = t;
        var first = await FireThreeWhileTheFirstRunsAsync(t, runs);
        var all = await RunsAsync(t);

        Assert.Equal(CancelResult.Cancelled, await t.Engine.CancelRunAsync(all[1].Id));
        Assert.Equal(RunState.Queued, (await t.RunAsync(all[2].Id)).State); // The first still runs: the third still waits.
        runs.Finish(first);

        await WaitForStartsAsync(runs, 2);
        Assert.Equal([first, all[2].Id], runs.Started);
    }

    [Fact]
    public void Overlap_is_refused_on_triggers_other_than_cron_and_interval()
    {
        var onOnce = TestEngine.Job("once", change: j => j with { Triggers = [new OnceTriggerSpec(Start) { Overlap = TriggerOverlap.Skip }] });
        var onHook = TestEngine.Job("hook", change: j => j with { Triggers = [new WebhookTriggerSpec("h") { Overlap = TriggerOverlap.BufferAll }] });
        var onCron = TestEngine.Job("cron", change: j => j with { Triggers = [new CronTriggerSpec("* * * * *") { Overlap = TriggerOverlap.BufferAll }] });

        Assert.Contains(JobRules.Validate(onOnce), e => e.StartsWith("triggers[0].overlap", StringComparison.Ordinal));
        Assert.Contains(JobRules.Validate(onHook), e => e.StartsWith("triggers[0].overlap", StringComparison.Ordinal));
        Assert.DoesNotContain(JobRules.Validate(onCron), e => e.Contains("overlap", StringComparison.Ordinal));
    }

    [Fact]
    public void An_unset_overlap_leaves_a_trigger_s_key_as_it_was()
    {
        // Keys are a hash of the definition: an older trigger must keep its key (and its fire state) after an upgrade.
        var json = JsonSerializer.Serialize<TriggerSpec>(new CronTriggerSpec("* * * * *"), KairosJson.Options);
        Assert.DoesNotContain("overlap", json, StringComparison.Ordinal);
        Assert.Contains("\"overlap\":\"buffer-one\"", JsonSerializer.Serialize<TriggerSpec>(new CronTriggerSpec("* * * * *") { Overlap = TriggerOverlap.BufferOne }, KairosJson.Options));
    }
}
