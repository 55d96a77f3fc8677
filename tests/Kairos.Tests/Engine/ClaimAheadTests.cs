using System.Collections.Concurrent;
using Kairos.Model;
using Kairos.Storage;
using Kairos.Tests.Support;

namespace Kairos.Tests.Engine;

/// <summary>
/// Runs due within the dispatcher's claim-ahead window are claimed before their due time and begin
/// at it; given back unspent at shutdown; cancellable while they wait. A real SQLite file (and the
/// in-memory driver), a manual clock.
/// </summary>
public sealed class ClaimAheadTests
{
    private static readonly TimeSpan Soon = TimeSpan.FromMilliseconds(150);

    [Theory]
    [InlineData(TestStore.Sqlite)]
    [InlineData(TestStore.Memory)]
    public async Task A_run_due_soon_is_claimed_early_and_its_handler_starts_on_its_due_time(TestStore store)
    {
        var starts = new ConcurrentQueue<DateTimeOffset>();
        TestEngine? engine = null;
        await using var t = engine = await TestEngine.CreateAsync(store: store, handlers: s => s.AddHandler("record", _ =>
        {
            starts.Enqueue(engine!.Clock.GetUtcNow());
            return Task.FromResult<System.Text.Json.Nodes.JsonNode?>(null);
        }));
        await t.Engine.SaveJobAsync(TestEngine.Job("job", "record"));
        await t.StartAsync();
        var due = t.Clock.GetUtcNow() + Soon;

        var id = (await t.Engine.RunNowAsync("job", notBefore: due)).RunId;

        // Claimed now, marked started at its due time, and waiting for that instant on the clock.
        var claimed = await t.WaitForStateAsync(id, RunState.Running);
        Assert.Equal((1, due), (claimed.Attempt, claimed.StartedAt));
        await Eventually.TrueAsync(() => t.Clock.HasTimerAt(due), "the claimed run to wait for its due time");
        Assert.Empty(starts);

        t.Clock.Advance(Soon);

        await t.WaitForStateAsync(id, RunState.Succeeded);
        Assert.Equal([due], starts);
        Assert.Equal(["run.enqueued", "run.started", "run.succeeded"], await t.JournalKindsAsync(id));
    }

    [Fact]
    public async Task A_node_shut_down_before_a_claimed_run_is_due_gives_it_back_and_the_next_node_runs_it_as_its_first_attempt()
    {
        using var directory = new TempDirectory();
        var database = directory.File("kairos.db");
        var noRetry = new RetryPolicy(BackoffKind.Fixed, TimeSpan.Zero, TimeSpan.Zero, 0, 1);
        long id;
        DateTimeOffset due;
        var handlerRan = false;
        await using (var first = await TestEngine.CreateAsync(databasePath: database, handlers: s => s.AddHandler("record", _ =>
        {
            handlerRan = true;
            return Task.FromResult<System.Text.Json.Nodes.JsonNode?>(null);
        })))
        {
            await first.Engine.SaveJobAsync(TestEngine.Job("job", "record", j => j with { Retry = noRetry }));
            await first.StartAsync();
            due = first.Clock.GetUtcNow() + Soon;
            id = (await first.Engine.RunNowAsync("job", notBefore: due)).RunId;
            await first.WaitForStateAsync(id, RunState.Running);
            await Eventually.TrueAsync(() => first.Clock.HasTimerAt(due), "the claimed run to wait for its due time");
        }

        Assert.False(handlerRan);
        await using var second = await TestEngine.CreateAsync(databasePath: database, start: due - Soon,
            handlers: s => s.AddHandler("record", _ => Task.FromResult<System.Text.Json.Nodes.JsonNode?>(null)));
        var givenBack = await second.RunAsync(id);
        Assert.Equal((RunState.Queued, 0, (DateTimeOffset?)null), (givenBack.State, givenBack.Attempt, givenBack.StartedAt));
        Assert.Equal(["run.enqueued", "run.started", "run.unclaimed"], await second.JournalKindsAsync(id));

        await second.StartAsync();
        await second.WaitForStateAsync(id, RunState.Running); // Claimed ahead again, now by this node.
        await Eventually.TrueAsync(() => second.Clock.HasTimerAt(due), "the claimed run to wait for its due time");
        second.Clock.Advance(Soon);
        var done = await second.WaitForStateAsync(id, RunState.Succeeded);
        Assert.Equal(1, done.Attempt); // Its only attempt was not spent by the claim given back.
    }

    [Fact]
    public async Task A_claimed_run_cancelled_before_its_due_time_ends_cancelled_and_its_handler_never_runs()
    {
        var handlerRan = false;
        await using var t = await TestEngine.CreateAsync(handlers: s => s.AddHandler("record", _ =>
        {
            handlerRan = true;
            return Task.FromResult<System.Text.Json.Nodes.JsonNode?>(null);
        }));
        await t.Engine.SaveJobAsync(TestEngine.Job("job", "record"));
        await t.StartAsync();
        var due = t.Clock.GetUtcNow() + Soon;
        var id = (await t.Engine.RunNowAsync("job", notBefore: due)).RunId;
        await t.WaitForStateAsync(id, RunState.Running);

        Assert.Equal(CancelResult.CancelRequested, await t.Engine.CancelRunAsync(id));

        await t.WaitForStateAsync(id, RunState.Cancelled);
        t.Clock.Advance(Soon);
        Assert.False(handlerRan);
    }
}
