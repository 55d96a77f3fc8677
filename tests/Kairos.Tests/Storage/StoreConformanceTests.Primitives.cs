using Kairos.Model;
using Kairos.Storage;
using Kairos.Storage.Drivers;
using Kairos.Tests.Support;

namespace Kairos.Tests.Storage;

/// <summary>The primitives the rest of the suite reached only indirectly: release, enqueue-many, listen.</summary>
public abstract partial class StoreConformanceTests
{
    [StoreFact]
    public async Task Released_runs_go_back_to_the_queue_or_die_on_their_last_attempt_and_others_runs_are_left_alone()
    {
        await SaveAsync("twice", j => j with { Retry = j.Retry with { MaxAttempts = 2 } });
        await SaveAsync("once", j => j with { Retry = j.Retry with { MaxAttempts = 1 } });
        var twice = (await EnqueueAsync("twice")).RunId;
        var once = (await EnqueueAsync("once")).RunId;
        var theirs = (await EnqueueAsync("twice")).RunId;
        await ClaimAsync(2);
        await ClaimAsync(1, owner: "node-b");

        Assert.Equal(2, await Store.ReleaseAsync("node-a", [twice, once, theirs], "the node shut down", T0.AddSeconds(5), CancellationToken.None));

        Assert.Equal((RunState.Queued, 1), ((await Store.GetRunAsync(twice, CancellationToken.None))!.State, (await Store.GetRunAsync(twice, CancellationToken.None))!.Attempt));
        Assert.Equal(RunState.Dead, (await Store.GetRunAsync(once, CancellationToken.None))!.State);
        Assert.Equal(RunState.Running, (await Store.GetRunAsync(theirs, CancellationToken.None))!.State);
        Assert.Contains("run.released", await JournalKindsAsync(twice));
        Assert.DoesNotContain("run.released", await JournalKindsAsync(theirs));
    }

    [StoreFact]
    public async Task Enqueue_many_writes_every_request_in_one_go_keeping_idempotency_and_refusing_an_unknown_job_whole()
    {
        await SaveAsync("job");
        var first = await Store.EnqueueManyAsync(
            [new RunRequest("job", TriggerSources.Manual), new RunRequest("job", TriggerSources.Manual) { IdempotencyKey = "k" }, new RunRequest("job", TriggerSources.Manual)],
            T0, CancellationToken.None);
        Assert.Equal(3, first.Select(r => r.RunId).Distinct().Count());
        Assert.All(first, r => Assert.True(r.Created));

        var again = await Store.EnqueueManyAsync([new RunRequest("job", TriggerSources.Manual) { IdempotencyKey = "k" }], T0, CancellationToken.None);
        Assert.Equal((first[1].RunId, false), (again[0].RunId, again[0].Created));

        await Assert.ThrowsAsync<KairosNotFoundException>(() =>
            Store.EnqueueManyAsync([new RunRequest("job", TriggerSources.Manual), new RunRequest("missing", TriggerSources.Manual)], T0, CancellationToken.None));
        Assert.Equal(3, (await Store.ListRunsAsync(new RunQuery { JobName = "job" }, CancellationToken.None)).Count);
    }

    [StoreFact]
    public async Task A_listener_hears_another_nodes_writes_or_waits_quietly_when_no_other_node_can_write()
    {
        using var stop = new CancellationTokenSource();
        var heard = new System.Collections.Concurrent.ConcurrentQueue<StoreChanges>();
        var listening = Store.Notifier.ListenAsync(heard.Enqueue, stop.Token);
        if (Store.Notifier is SilentNotifier)
        {
            await stop.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => listening);
            Assert.Empty(heard);
            return;
        }
        // After connecting a listener reports everything as changed: what happened before was not heard.
        await Eventually.TrueAsync(() => heard.Contains(StoreChanges.All), "the listener to connect");
        await SaveAsync("job");
        await using var other = await CreateStoreAsync("node-b");
        await other.MigrateAsync(CancellationToken.None);
        var before = heard.Count;
        await other.EnqueueAsync(new RunRequest("job", TriggerSources.Manual), T0, CancellationToken.None);
        await Eventually.TrueAsync(() => heard.Skip(before).Any(c => c.HasFlag(StoreChanges.Runs)), "node-b's enqueue to be heard");
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => listening);
    }
}
