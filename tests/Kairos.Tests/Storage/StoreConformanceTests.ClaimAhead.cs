using Kairos.Model;
using Kairos.Storage;
using Kairos.Tests.Support;

namespace Kairos.Tests.Storage;

/// <summary>Claiming runs ahead of their due time, and giving such a claim back, on every driver.</summary>
public abstract partial class StoreConformanceTests
{
    [StoreFact]
    public async Task A_run_claimed_ahead_is_marked_started_at_its_due_time_and_runs_due_later_are_left()
    {
        await SaveAsync("job");
        var soon = (await EnqueueAsync("job", change: r => r with { NotBefore = T0.AddMilliseconds(150) })).RunId;
        var later = (await EnqueueAsync("job", change: r => r with { NotBefore = T0.AddSeconds(5) })).RunId;
        Assert.Equal(T0.AddMilliseconds(150), await Store.GetNextQueuedDueAsync(T0, CancellationToken.None));
        Assert.Equal(T0.AddSeconds(5), await Store.GetNextQueuedDueAsync(T0.AddMilliseconds(150), CancellationToken.None));
        Assert.Null(await Store.GetNextQueuedDueAsync(T0.AddSeconds(5), CancellationToken.None));

        Assert.Empty(await ClaimAsync(10)); // Due by now: nothing.
        var claimed = await Store.ClaimAsync(
            new ClaimRequest("node-a", T0, T0.AddSeconds(30), 10, NoLimits, NoLimits) { DueBy = T0.AddMilliseconds(200) }, CancellationToken.None);

        var run = Assert.Single(claimed);
        Assert.Equal(soon, run.Id);
        Assert.Equal((RunState.Running, 1, T0.AddMilliseconds(150)), (run.State, run.Attempt, run.StartedAt));
        var started = (await Store.ListJournalAsync(new JournalQuery { RunId = soon }, CancellationToken.None)).Single(e => e.Kind == "run.started");
        Assert.Equal(T0.AddMilliseconds(150), started.At);
        Assert.Equal(RunState.Queued, (await Store.GetRunAsync(later, CancellationToken.None))!.State);
    }

    [StoreFact]
    public async Task A_run_claimed_ahead_and_given_back_is_queued_again_with_its_attempt_unspent()
    {
        await SaveAsync("job", j => j with { Retry = new RetryPolicy(BackoffKind.Fixed, TimeSpan.Zero, TimeSpan.Zero, 0, 1) });
        var id = (await EnqueueAsync("job", change: r => r with { NotBefore = T0.AddMilliseconds(100) })).RunId;
        await Store.ClaimAsync(new ClaimRequest("node-a", T0, T0.AddSeconds(30), 10, NoLimits, NoLimits) { DueBy = T0.AddMilliseconds(200) }, CancellationToken.None);

        Assert.Equal(0, await Store.UnclaimAsync("node-b", [id], "not mine", T0, CancellationToken.None)); // Only the owner gives it back.
        Assert.Equal(1, await Store.UnclaimAsync("node-a", [id], "the node shut down before the run was due", T0, CancellationToken.None));

        var run = (await Store.GetRunAsync(id, CancellationToken.None))!;
        Assert.Equal((RunState.Queued, 0, (DateTimeOffset?)null, (string?)null), (run.State, run.Attempt, run.StartedAt, run.LeaseOwner));
        Assert.Equal(T0.AddMilliseconds(100), run.DueAt);
        Assert.Equal(["run.enqueued", "run.started", "run.unclaimed"], await JournalKindsAsync(id));
        // Its only attempt is still there to spend: claimed again when due, it is attempt 1, not dead.
        var again = Assert.Single(await ClaimAsync(10, now: T0.AddMilliseconds(100)));
        Assert.Equal((id, 1), (again.Id, again.Attempt));
    }
}
