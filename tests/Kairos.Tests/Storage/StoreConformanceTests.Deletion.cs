using Kairos.Events;
using Kairos.Model;
using Kairos.Storage;
using Kairos.Tests.Support;

namespace Kairos.Tests.Storage;

/// <summary>Deleting a job on every driver: its triggers and owned subscriptions go, its runs stay as history.</summary>
public abstract partial class StoreConformanceTests
{
    private async Task SaveTickingJobAsync(string name)
    {
        var spec = new CronTriggerSpec("* * * * *");
        await Store.SaveJobAsync(new JobDefinition { Name = name, Executor = new HandlerExecutorSpec("ok"), Triggers = [spec] },
            [new TriggerRegistration("k", spec, T0.AddMinutes(1))], T0, CancellationToken.None);
        await Store.ReplaceOwnedSubscriptionsAsync(name, [new Subscription($"{name}.after.x.succeeded", "run.succeeded", name)], T0, CancellationToken.None);
    }

    [StoreFact]
    public async Task A_deleted_job_takes_its_triggers_and_owned_subscriptions_and_keeps_its_finished_runs()
    {
        await SaveTickingJobAsync("doomed");
        var finished = await EnqueueAsync("doomed");
        await Store.CancelRunAsync(finished.RunId, T0, CancellationToken.None);

        var (deleted, _) = await Store.DeleteJobAsync("doomed", cancelRuns: false, T0, CancellationToken.None);

        Assert.True(deleted);
        Assert.Null(await Store.GetJobAsync("doomed", CancellationToken.None));
        Assert.Empty(await Store.ListTriggersAsync("doomed", CancellationToken.None));
        Assert.Empty(await Store.ListSubscriptionsAsync(CancellationToken.None));
        Assert.Equal(RunState.Cancelled, (await Store.GetRunAsync(finished.RunId, CancellationToken.None))!.State);
        Assert.Contains(await Store.ListJournalAsync(new JournalQuery { JobName = "doomed" }, CancellationToken.None), e => e.Kind == "job.deleted");
        Assert.Null(await Store.GetNextTriggerFireAsync(CancellationToken.None));
        Assert.False((await Store.DeleteJobAsync("doomed", cancelRuns: false, T0, CancellationToken.None)).Deleted);
    }

    [StoreFact]
    public async Task A_job_with_active_runs_is_deleted_only_when_told_to_cancel_them()
    {
        await SaveTickingJobAsync("busy");
        var queued = await EnqueueAsync("busy");
        var running = await EnqueueAsync("busy");
        await ClaimAsync(1);

        var refused = await Assert.ThrowsAsync<KairosConflictException>(() => Store.DeleteJobAsync("busy", cancelRuns: false, T0, CancellationToken.None));
        Assert.Contains("2 queued or running run(s)", refused.Message);
        Assert.NotNull(await Store.GetJobAsync("busy", CancellationToken.None));

        var (deleted, stopping) = await Store.DeleteJobAsync("busy", cancelRuns: true, T0, CancellationToken.None);

        Assert.True(deleted);
        Assert.Equal(1, stopping);
        var states = new List<RunState>();
        foreach (var id in new[] { queued.RunId, running.RunId })
        {
            states.Add((await Store.GetRunAsync(id, CancellationToken.None))!.State);
        }
        Assert.Contains(RunState.Cancelled, states);
        Assert.Contains(RunState.Running, states); // Asked to stop: its node ends it at its next heartbeat.
    }

    [StoreFact]
    public async Task What_the_configuration_declared_before_but_not_now_is_deleted_and_nothing_else()
    {
        await SaveTickingJobAsync("declared");
        await SaveTickingJobAsync("from-api");
        Assert.Empty(await Store.ApplyDeclaredAsync([new("job", "declared")], T0, CancellationToken.None));

        var removed = await Store.ApplyDeclaredAsync([], T0, CancellationToken.None);
        var again = await Store.ApplyDeclaredAsync([], T0, CancellationToken.None);

        Assert.Equal([new Kairos.Storage.Drivers.DeclaredName("job", "declared")], removed);
        Assert.Empty(again);
        Assert.Equal(["from-api"], (await Store.ListJobsAsync(CancellationToken.None)).Select(j => j.Definition.Name));
    }
}
