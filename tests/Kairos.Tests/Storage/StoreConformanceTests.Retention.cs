using Kairos.Events;
using Kairos.Model;
using Kairos.Storage;
using Kairos.Tests.Support;
using Kairos.Webhooks;
using Xunit;

namespace Kairos.Tests.Storage;

/// <summary>The retention primitives: bounded deletes of old finished work, never of active work.</summary>
public abstract partial class StoreConformanceTests
{
    private static readonly DateTimeOffset DayLater = T0.AddDays(1);

    private Task<long> FinishedRunAsync(string job, RunState state, DateTimeOffset at) => FinishedRuns.CreateAsync(Store, job, state, at);

    private Task AppendLogAsync(long runId, DateTimeOffset at) =>
        Store.AppendRunLogAsync(runId, [new RunLogLine(at, "stdout", $"line of run {runId}")], CancellationToken.None);

    private async Task<bool> ExistsAsync(long runId) => await Store.GetRunAsync(runId, CancellationToken.None) is not null;

    [StoreFact]
    public async Task Retention_deletes_old_runs_of_the_given_finished_state_with_their_logs_and_never_active_runs()
    {
        await SaveAsync("job");
        await SaveAsync("skipper", j => j with { Concurrency = new ConcurrencyPolicy(1, OverlapPolicy.Skip) });
        var oldSucceeded = await FinishedRunAsync("job", RunState.Succeeded, T0);
        var newSucceeded = await FinishedRunAsync("job", RunState.Succeeded, DayLater.AddMinutes(1));
        var oldDead = await FinishedRunAsync("job", RunState.Dead, T0);
        var oldCancelled = await FinishedRunAsync("job", RunState.Cancelled, T0);
        await EnqueueAsync("skipper", T0);
        var oldSkipped = await EnqueueAsync("skipper", T0);
        Assert.Equal(RunState.Skipped, oldSkipped.State);
        var running = Assert.Single(await ClaimAsync(1, T0)); // The first "skipper" run: old, still running.
        var queued = await EnqueueAsync("job", T0);
        await AppendLogAsync(oldSucceeded, T0);
        await AppendLogAsync(newSucceeded, DayLater);

        Assert.Equal(1, await Store.DeleteFinishedRunsAsync(RunState.Succeeded, DayLater, 100, CancellationToken.None));

        Assert.False(await ExistsAsync(oldSucceeded));
        Assert.Empty(await Store.GetRunLogAsync(oldSucceeded, CancellationToken.None));
        Assert.True(await ExistsAsync(newSucceeded));
        Assert.Single(await Store.GetRunLogAsync(newSucceeded, CancellationToken.None));
        Assert.True(await ExistsAsync(oldDead));
        foreach (var (state, id) in new[] { (RunState.Dead, oldDead), (RunState.Cancelled, oldCancelled), (RunState.Skipped, oldSkipped.RunId) })
        {
            Assert.Equal(1, await Store.DeleteFinishedRunsAsync(state, DayLater, 100, CancellationToken.None));
            Assert.False(await ExistsAsync(id));
        }
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.DeleteFinishedRunsAsync(RunState.Queued, DayLater, 100, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.DeleteFinishedRunsAsync(RunState.Running, DayLater, 100, CancellationToken.None));
        Assert.Equal(
            new[] { (running.Id, RunState.Running), (newSucceeded, RunState.Succeeded), (queued.RunId, RunState.Queued) }.Order(),
            (await Store.ListRunsAsync(new RunQuery(), CancellationToken.None)).Select(r => (r.Id, r.State)).Order());
    }

    [StoreFact]
    public async Task Retention_deletes_at_most_the_limit_per_call_oldest_first()
    {
        await SaveAsync("job");
        var runs = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            runs.Add(await FinishedRunAsync("job", RunState.Succeeded, T0.AddMinutes(i))); // Ids follow time, as they do in use.
        }

        Assert.Equal(2, await Store.DeleteFinishedRunsAsync(RunState.Succeeded, DayLater, 2, CancellationToken.None));
        Assert.Equal(new[] { false, false, true, true, true }, await Task.WhenAll(runs.Select(ExistsAsync)));
        Assert.Equal(2, await Store.DeleteFinishedRunsAsync(RunState.Succeeded, DayLater, 2, CancellationToken.None));
        Assert.Equal(1, await Store.DeleteFinishedRunsAsync(RunState.Succeeded, DayLater, 2, CancellationToken.None));
        Assert.Equal(0, await Store.DeleteFinishedRunsAsync(RunState.Succeeded, DayLater, 2, CancellationToken.None));
    }

    [StoreFact]
    public async Task Retention_deletes_an_old_event_only_once_no_run_refers_to_it()
    {
        await SaveAsync("ship");
        await Store.SaveSubscriptionAsync(new Subscription("ship-orders", "order.*", "ship"), T0, CancellationToken.None);
        var unmatched = new[]
        {
            await Store.PublishAsync(new EventRequest("other.a", "test"), T0, CancellationToken.None),
            await Store.PublishAsync(new EventRequest("other.b", "test"), T0.AddSeconds(1), CancellationToken.None),
        };
        var order = await Store.PublishAsync(new EventRequest("order.created", "test"), T0, CancellationToken.None);
        var recent = await Store.PublishAsync(new EventRequest("other.c", "test"), DayLater, CancellationToken.None);
        async Task<bool> Exists(PublishResult e) => await Store.GetEventAsync(e.EventId, CancellationToken.None) is not null;

        Assert.Equal(1, await Store.DeleteEventsAsync(DayLater, 1, CancellationToken.None)); // The limit holds: oldest first.
        Assert.Equal(new[] { false, true }, await Task.WhenAll(unmatched.Select(Exists)));
        Assert.Equal(1, await Store.DeleteEventsAsync(DayLater, 100, CancellationToken.None));
        Assert.True(await Exists(order)); // Its run is queued.

        var run = Assert.Single(order.Runs).RunId;
        Assert.Single(await ClaimAsync(1, T0));
        Assert.True(await Store.CompleteAsync(new RunCompletion(run, "node-a", RunOutcome.Succeeded, T0), CancellationToken.None));
        Assert.Equal(0, await Store.DeleteEventsAsync(DayLater, 100, CancellationToken.None)); // Its run is finished but still there.
        Assert.Equal(1, await Store.DeleteFinishedRunsAsync(RunState.Succeeded, DayLater, 100, CancellationToken.None));
        Assert.Equal(1, await Store.DeleteEventsAsync(DayLater, 100, CancellationToken.None));
        Assert.False(await Exists(order));
        Assert.True(await Exists(recent));
    }

    [StoreFact]
    public async Task Retention_deletes_old_journal_entries_except_those_of_active_runs_and_the_newest()
    {
        await SaveAsync("job");
        var queued = await EnqueueAsync("job", T0);
        for (var i = 0; i < 3; i++)
        {
            await Store.AppendJournalAsync("note.old", null, null, T0, CancellationToken.None);
        }
        await Store.AppendJournalAsync("note.recent", null, null, DayLater, CancellationToken.None);
        var before = await Store.ListJournalAsync(new JournalQuery(), CancellationToken.None);

        Assert.Equal(2, await Store.DeleteJournalAsync(DayLater, 2, CancellationToken.None));
        while (await Store.DeleteJournalAsync(DayLater, 2, CancellationToken.None) == 2)
        {
        }

        var left = await Store.ListJournalAsync(new JournalQuery(), CancellationToken.None);
        Assert.Equal(["note.recent", "run.enqueued"], left.Select(e => e.Kind).Order());
        Assert.Equal(queued.RunId, left.Single(e => e.Kind == "run.enqueued").RunId);
        Assert.True(before.Count > left.Count + 3);

        // Both are old now, yet both stay: one belongs to a queued run; the other is the newest entry,
        // kept so that the next entry never gets its sequence number again.
        Assert.Equal(0, await Store.DeleteJournalAsync(DayLater.AddDays(1), 100, CancellationToken.None));
        await Store.AppendJournalAsync("note.next", null, null, DayLater.AddDays(1), CancellationToken.None);
        var next = (await Store.ListJournalAsync(new JournalQuery(), CancellationToken.None)).Single(e => e.Kind == "note.next");
        Assert.True(next.Seq > left.Max(e => e.Seq));
    }

    [StoreFact]
    public async Task Retention_forgets_a_hooks_old_delivery_ids_without_a_new_delivery()
    {
        await Store.SaveWebhookAsync(new WebhookDefinition("h"), T0, CancellationToken.None);
        await Store.SaveWebhookAsync(new WebhookDefinition("g"), T0, CancellationToken.None);
        Task<WebhookDeliveryResult> Deliver(string hook, string id, DateTimeOffset at) =>
            AcceptDeliveryAsync(new WebhookDelivery(hook, id, "{}", at) { RejectRepeatedId = true });
        await Deliver("h", "a", T0);
        await Deliver("h", "b", T0.AddSeconds(10));
        await Deliver("g", "a", T0);

        Assert.Equal(1, await Store.DeleteWebhookDeliveriesAsync("h", T0.AddSeconds(1), 100, CancellationToken.None));

        // Within the 5-minute window, so only the delete above can have made "a" on h new again.
        var later = T0.AddSeconds(20);
        Assert.NotEqual(WebhookDeliveryOutcome.Replayed, (await Deliver("h", "a", later)).Outcome);
        Assert.Equal(WebhookDeliveryOutcome.Replayed, (await Deliver("h", "b", later)).Outcome);
        Assert.Equal(WebhookDeliveryOutcome.Replayed, (await Deliver("g", "a", later)).Outcome);
    }

    [StoreFact]
    public async Task A_deleted_hook_takes_its_delivery_ids_with_it()
    {
        // The pruner walks the hooks that exist: ids of a deleted hook would otherwise stay for good.
        await Store.SaveWebhookAsync(new WebhookDefinition("gone"), T0, CancellationToken.None);
        await AcceptDeliveryAsync(new WebhookDelivery("gone", "d-1", "{}", T0) { RejectRepeatedId = true });
        Assert.True(await Store.DeleteWebhookAsync("gone", T0, CancellationToken.None));

        Assert.Equal(0, await Store.DeleteWebhookDeliveriesAsync("gone", T0.AddYears(1), 100, CancellationToken.None));
    }
}
