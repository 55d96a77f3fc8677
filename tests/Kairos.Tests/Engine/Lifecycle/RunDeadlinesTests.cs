using System.Text.Json.Nodes;
using Kairos.Configuration;
using Kairos.Engine.Lifecycle;
using Kairos.Events;
using Kairos.Model;
using Kairos.Storage;
using Kairos.Tests.Support;

namespace Kairos.Tests.Engine.Lifecycle;

/// <summary>timeouts: { start, finish } on a fake clock: a run waiting too long, or taking too long in all, is cancelled and says why.</summary>
public sealed class RunDeadlinesTests
{
    private static Task<TestEngine> EngineAsync(TestStore store = TestStore.Sqlite) =>
        // Leases outlast the jumps of the clock here, so no run is rescued meanwhile.
        TestEngine.CreateAsync(store: store, configure: o => o.LeaseDuration = TimeSpan.FromDays(1), handlers: s => s.AddHandler("block", async ctx =>
        {
            await Task.Delay(Timeout.Infinite, ctx.CancellationToken);
            return (JsonNode?)null;
        }));

    /// <summary>
    /// Moves the clock once the deadline service sleeps in a sleep that neither the clock nor a wake has
    /// ended (<see cref="Kairos.Engine.Services.EngineLoop"/>'s signal), so the pass the move starts reads
    /// the new time. (A sleep the last move had already ended still showed: the clock then moved again
    /// while that pass read it, and it armed its next timer from the old time, too late.)
    /// </summary>
    private static async Task AdvanceAsync(TestEngine t, TimeSpan by)
    {
        await Eventually.TrueAsync(() => t.Engine.Deadlines.SleepingUntil is not null, "the deadline service to sleep");
        t.Clock.Advance(by);
    }

    [Theory]
    [InlineData(TestStore.Sqlite)]
    [InlineData(TestStore.Memory)]
    public async Task A_run_still_queued_start_after_it_was_due_is_cancelled_and_journaled(TestStore store)
    {
        await using var t = await EngineAsync(store);
        await t.Engine.SaveJobAsync(TestEngine.Job("one-at-a-time", "block", j => j with
        {
            Concurrency = new ConcurrencyPolicy(1, OverlapPolicy.Queue),
            Timeouts = new RunTimeouts { Start = TimeSpan.FromMinutes(5) },
        }));
        await t.StartAsync();
        var first = (await t.Engine.RunNowAsync("one-at-a-time")).RunId;
        await t.WaitForStateAsync(first, RunState.Running);
        var waiting = (await t.Engine.RunNowAsync("one-at-a-time")).RunId;

        await AdvanceAsync(t, TimeSpan.FromMinutes(4));
        Assert.Equal(RunState.Queued, (await t.RunAsync(waiting)).State);
        await AdvanceAsync(t, TimeSpan.FromMinutes(1));

        var cancelled = await t.WaitForStateAsync(waiting, RunState.Cancelled);
        Assert.Contains("timeouts.start", cancelled.Error);
        var entry = Assert.Single(await t.Store.ListJournalAsync(new JournalQuery { RunId = waiting }, CancellationToken.None), e => e.Kind == "run.cancelled");
        Assert.Contains("still queued 5m after it was due", entry.Data);
        Assert.Equal(RunState.Running, (await t.RunAsync(first)).State); // started in time: start no longer applies
    }

    [Fact]
    public async Task A_running_run_past_finish_is_stopped_through_the_cancel_path_and_notifies()
    {
        await using var t = await EngineAsync();
        await t.Engine.SaveJobAsync(TestEngine.Job("slow", "block", j => j with
        {
            Timeouts = new RunTimeouts { Finish = TimeSpan.FromMinutes(10) },
            Notify = [new Notification { On = [NotifyOn.Cancelled], Event = "slow.cancelled" }],
        }));
        await t.StartAsync();
        var id = (await t.Engine.RunNowAsync("slow")).RunId;
        await t.WaitForStateAsync(id, RunState.Running);

        await AdvanceAsync(t, TimeSpan.FromMinutes(10));

        await t.WaitForStateAsync(id, RunState.Cancelled);
        var requested = Assert.Single(await t.Store.ListJournalAsync(new JournalQuery { RunId = id }, CancellationToken.None), e => e.Kind == "run.cancel-requested");
        Assert.Contains("timeouts.finish", requested.Data);
        Assert.Single(await t.Store.ListEventsAsync(new EventQuery { TypePattern = "slow.cancelled" }, CancellationToken.None));
    }

    [Fact]
    public void Start_counts_from_the_due_time_of_a_run_never_started_and_finish_from_enqueue()
    {
        var t0 = TestEngine.DefaultStart;
        var run = new RunRecord
        {
            Id = 1, JobName = "j", Queue = "default", ExecutorKind = "handler", Priority = 5, State = RunState.Queued, Attempt = 0, MaxAttempts = 3,
            Source = "manual", CreatedAt = t0, DueAt = t0.AddMinutes(30),
        };
        var timeouts = new RunTimeouts { Start = TimeSpan.FromMinutes(5), Finish = TimeSpan.FromHours(1) };
        Assert.Null(RunDeadlines.Overdue(run, timeouts, t0.AddMinutes(34)));
        Assert.Contains("timeouts.start", RunDeadlines.Overdue(run, timeouts, t0.AddMinutes(35)));
        // Queued again for a retry: only finish applies.
        var retrying = run with { StartedAt = t0.AddMinutes(31) };
        Assert.Null(RunDeadlines.Overdue(retrying, timeouts, t0.AddMinutes(59)));
        Assert.Contains("timeouts.finish", RunDeadlines.Overdue(retrying, timeouts, t0.AddHours(1)));
    }

    [Fact]
    public void Timeouts_are_read_from_yaml_and_mistakes_are_errors_at_their_position()
    {
        var job = YamlConfigLoader.Load("jobs:\n  a:\n    handler: echo\n    timeouts: { start: 10m, finish: 1h }\n", "test.yaml").Jobs.Single();
        Assert.Equal(new RunTimeouts { Start = TimeSpan.FromMinutes(10), Finish = TimeSpan.FromHours(1) }, job.Timeouts);

        var error = Assert.Single(Assert.Throws<KairosConfigException>(() =>
            YamlConfigLoader.Load("jobs:\n  a:\n    handler: echo\n    timeouts:\n      start: soon\n", "test.yaml")).Errors);
        Assert.Equal((5, 14), (error.Line, error.Column));
        Assert.Contains("timeouts.start", error.Message);
        Assert.Contains(JobRules.Validate(TestEngine.Job("a", change: j => j with { Timeouts = new RunTimeouts { Finish = TimeSpan.FromDays(60) } })),
            e => e.StartsWith("timeouts.finish:", StringComparison.Ordinal));
    }

    [Fact]
    public void A_run_waiting_for_its_buffered_trigger_is_never_overdue_to_start_and_checking_it_does_not_overflow()
    {
        var now = new DateTimeOffset(2026, 12, 7, 0, 0, 0, TimeSpan.Zero);
        var waiting = new RunRecord
        {
            Id = 1, JobName = "tick", Queue = "default", ExecutorKind = "handler", Priority = 5, State = RunState.Queued,
            Attempt = 0, MaxAttempts = 3, Source = "cron", CreatedAt = now, DueAt = new DateTimeOffset(9999, 12, 31, 0, 0, 0, TimeSpan.Zero),
        };

        Assert.Null(RunDeadlines.Overdue(waiting, new RunTimeouts { Start = TimeSpan.FromDays(2) }, now.AddYears(100)));
        Assert.NotNull(RunDeadlines.Overdue(waiting, new RunTimeouts { Start = TimeSpan.FromDays(2), Finish = TimeSpan.FromDays(1) }, now.AddDays(2)));
    }
}
