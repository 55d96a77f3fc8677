using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Kairos.Hosting;
using Kairos.Model;
using Kairos.Storage;
using Kairos.Tests.Support;

namespace Kairos.Tests.Engine;

/// <summary>
/// The dispatcher end to end on a real SQLite file with a manual clock: outcomes, retries, timeouts, cancel, limits.
/// The theories run on the in-memory driver too.
/// </summary>
public sealed class RunExecutionTests
{
    private static readonly RetryPolicy NoJitter = new(BackoffKind.Exponential, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(1), 0, 4);

    [Theory]
    [InlineData(TestStore.Sqlite)]
    [InlineData(TestStore.Memory)]
    public async Task A_handler_run_succeeds_with_its_output_log_and_journal(TestStore store)
    {
        await using var t = await TestEngine.CreateAsync(store: store, handlers: s => s.AddHandler("greet", ctx =>
        {
            ctx.Logger.LogInformationMessage("hello " + ctx.Payload.GetProperty("name").GetString());
            return Task.FromResult<JsonNode?>(new JsonObject { ["greeted"] = ctx.Payload.GetProperty("name").GetString(), ["attempt"] = ctx.Attempt });
        }));
        await t.Engine.SaveJobAsync(TestEngine.Job("greet", "greet"));
        await t.StartAsync();

        var run = await t.Engine.RunNowAsync("greet", """{"name":"Ada"}""");
        var done = await t.WaitForStateAsync(run.RunId, RunState.Succeeded);

        Assert.Equal("""{"greeted":"Ada","attempt":1}""", done.Output);
        Assert.Equal("manual", done.Source);
        Assert.Contains(await t.Store.GetRunLogAsync(run.RunId, CancellationToken.None), l => l.Text == "hello Ada");
        Assert.Equal(["run.enqueued", "run.started", "run.succeeded"], await t.JournalKindsAsync(run.RunId));
    }

    [Theory]
    [InlineData(TestStore.Sqlite)]
    [InlineData(TestStore.Memory)]
    public async Task A_failing_run_retries_with_exponential_backoff_then_dies_and_can_be_retried_by_hand(TestStore store)
    {
        var starts = new ConcurrentQueue<DateTimeOffset>();
        TestEngine? engine = null;
        await using var t = engine = await TestEngine.CreateAsync(store: store, handlers: s => s.AddHandler("flaky", _ =>
        {
            starts.Enqueue(engine!.Clock.GetUtcNow());
            throw new InvalidOperationException("database unavailable");
        }));
        await t.Engine.SaveJobAsync(TestEngine.Job("flaky", "flaky", j => j with { Retry = NoJitter }));
        await t.StartAsync();
        var start = t.Clock.GetUtcNow();
        var id = (await t.Engine.RunNowAsync("flaky")).RunId;

        // Attempts at +0, +10 s, +30 s (10 + 20), +70 s (… + 40): each delay doubles.
        foreach (var (expectedAttempts, advance) in new[] { (1, 10), (2, 20), (3, 40) })
        {
            await Eventually.TrueAsync(() => starts.Count == expectedAttempts, $"attempt {expectedAttempts}");
            await t.WaitForStateAsync(id, RunState.Queued);
            t.Clock.Advance(TimeSpan.FromSeconds(advance - 1));
            Assert.Equal(expectedAttempts, starts.Count); // Not a second early.
            t.Clock.Advance(TimeSpan.FromSeconds(1));
        }
        var dead = await t.WaitForStateAsync(id, RunState.Dead);

        Assert.Equal([0, 10, 30, 70], starts.Select(s => (int)(s - start).TotalSeconds));
        Assert.Equal((4, "InvalidOperationException: database unavailable"), (dead.Attempt, dead.Error));
        var kinds = await t.JournalKindsAsync(id);
        Assert.Equal(4, kinds.Count(k => k == "run.started"));
        Assert.Equal(4, kinds.Count(k => k == "run.failed"));
        Assert.Equal("run.dead", kinds[^1]);

        await t.Engine.RetryRunAsync(id);
        await Eventually.TrueAsync(() => starts.Count == 5, "the manual retry's attempt");
    }

    [Fact]
    public async Task An_attempt_that_exceeds_the_job_timeout_is_cancelled_and_counted_as_failed()
    {
        var started = new TaskCompletionSource();
        await using var t = await TestEngine.CreateAsync(s => s.AddHandler("slow", async ctx =>
        {
            started.TrySetResult();
            await Task.Delay(Timeout.Infinite, ctx.CancellationToken);
            return null;
        }));
        await t.Engine.SaveJobAsync(TestEngine.Job("slow", "slow", j => j with { Timeout = TimeSpan.FromSeconds(30), Retry = NoJitter with { MaxAttempts = 1 } }));
        await t.StartAsync();
        var id = (await t.Engine.RunNowAsync("slow")).RunId;
        // The handler has started, so its timeout timer exists on the manual clock before the clock moves.
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));

        t.Clock.Advance(TimeSpan.FromSeconds(30));

        var dead = await t.WaitForStateAsync(id, RunState.Dead);
        Assert.Equal("timed out after 30 s", dead.Error);
    }

    [Theory]
    [InlineData(TestStore.Sqlite)]
    [InlineData(TestStore.Memory)]
    public async Task Cancelling_a_running_run_stops_its_handler(TestStore store)
    {
        var sawCancel = new TaskCompletionSource();
        await using var t = await TestEngine.CreateAsync(store: store, handlers: s => s.AddHandler("wait", async ctx =>
        {
            try
            {
                await Task.Delay(Timeout.Infinite, ctx.CancellationToken);
            }
            finally
            {
                sawCancel.TrySetResult();
            }
            return null;
        }));
        await t.Engine.SaveJobAsync(TestEngine.Job("wait", "wait"));
        await t.StartAsync();
        var id = (await t.Engine.RunNowAsync("wait")).RunId;
        await t.WaitForStateAsync(id, RunState.Running);

        Assert.Equal(CancelResult.CancelRequested, await t.Engine.CancelRunAsync(id));

        await sawCancel.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(RunState.Cancelled, (await t.WaitForStateAsync(id, RunState.Cancelled)).State);
        Assert.Contains("run.cancel-requested", await t.JournalKindsAsync(id));
    }

    [Theory]
    [InlineData(TestStore.Sqlite)]
    [InlineData(TestStore.Memory)]
    public async Task A_job_limited_to_one_instance_never_overlaps(TestStore store)
    {
        var running = 0;
        var maxSeen = 0;
        var release = new SemaphoreSlim(0);
        await using var t = await TestEngine.CreateAsync(store: store, handlers: s => s.AddHandler("exclusive", async ctx =>
        {
            var now = Interlocked.Increment(ref running);
            AtomicMax.Raise(ref maxSeen, now);
            await release.WaitAsync(ctx.CancellationToken);
            Interlocked.Decrement(ref running);
            return null;
        }));
        await t.Engine.SaveJobAsync(TestEngine.Job("exclusive", "exclusive", j => j with { Concurrency = new ConcurrencyPolicy(1, OverlapPolicy.Queue) }));
        await t.StartAsync();
        var ids = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await t.Engine.RunNowAsync("exclusive")).RunId);
        }
        for (var i = 0; i < 5; i++)
        {
            await Eventually.TrueAsync(() => Volatile.Read(ref running) == 1, "one instance running");
            release.Release();
            await t.WaitForStateAsync(ids[i], RunState.Succeeded);
        }
        Assert.Equal(1, maxSeen);
    }

    [Fact]
    public async Task A_paused_job_refuses_manual_runs_with_a_conflict()
    {
        await using var t = await TestEngine.CreateAsync();
        await t.Engine.SaveJobAsync(TestEngine.Job("job"));
        await t.Engine.SetPausedAsync("job", true);

        var error = await Assert.ThrowsAsync<KairosConflictException>(() => t.Engine.RunNowAsync("job"));
        Assert.Contains("paused", error.Message);
        await Assert.ThrowsAsync<KairosNotFoundException>(() => t.Engine.RunNowAsync("ghost"));
        Assert.Empty(await t.Store.ListRunsAsync(new RunQuery(), CancellationToken.None));
    }

    [Fact]
    public async Task A_payload_that_is_not_JSON_is_refused_and_nothing_is_stored()
    {
        await using var t = await TestEngine.CreateAsync();
        await t.Engine.SaveJobAsync(TestEngine.Job("job"));

        var error = await Assert.ThrowsAsync<KairosValidationException>(() => t.Engine.RunNowAsync("job", "{not json"));
        Assert.Contains("not valid JSON", error.Message);
        Assert.Empty(await t.Store.ListRunsAsync(new RunQuery(), CancellationToken.None));
    }

    [Fact]
    public async Task Saving_a_job_with_an_unregistered_handler_or_bad_fields_lists_every_problem()
    {
        await using var t = await TestEngine.CreateAsync();
        var error = await Assert.ThrowsAsync<KairosValidationException>(() => t.Engine.SaveJobAsync(TestEngine.Job("bad job!", "missing",
            j => j with { Priority = 11, Triggers = [new CronTriggerSpec("61 * * * *", "Mars/Olympus")] })));

        Assert.Contains("not a valid job name", error.Message);
        Assert.Contains("no handler named 'missing'", error.Message);
        Assert.Contains("priority 11 is out of range", error.Message);
        Assert.Contains("triggers[0].cron", error.Message);
        Assert.Contains("unknown time zone 'Mars/Olympus'", error.Message);
        Assert.Empty(await t.Store.ListJobsAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_command_that_cannot_start_fails_with_a_clear_error_without_retrying()
    {
        await using var t = await TestEngine.CreateAsync();
        await t.Engine.SaveJobAsync(new JobDefinition { Name = "ghost-binary", Executor = new CommandExecutorSpec(["/no/such/program", "x"]) });
        await t.StartAsync();

        var dead = await t.WaitForStateAsync((await t.Engine.RunNowAsync("ghost-binary")).RunId, RunState.Dead);

        Assert.Equal(1, dead.Attempt);
        Assert.Contains("/no/such/program", dead.Error);
    }

}

internal static class LoggerMessages
{
    public static void LogInformationMessage(this Microsoft.Extensions.Logging.ILogger logger, string message) =>
        Microsoft.Extensions.Logging.LoggerExtensions.LogInformation(logger, "{Message}", message);
}
