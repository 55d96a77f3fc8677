using Kairos.Model;
using Kairos.Storage;
using Kairos.Storage.Drivers;
using Kairos.Tests.Support;
using Kairos.Workflows;

namespace Kairos.Tests.Storage;

/// <summary>Workflow state on every driver: a workflow's run waits, its steps start when their needs end, and its run ends with them.</summary>
public abstract partial class StoreConformanceTests
{
    [StoreFact]
    public async Task A_workflow_run_waits_starts_its_ready_steps_and_ends_when_the_last_step_ends()
    {
        var spec = new WorkflowExecutorSpec(
        [
            new WorkflowStep("a") { Run = new HandlerExecutorSpec("ok"), Input = """{"n": 1}""" },
            new WorkflowStep("b") { Run = new HandlerExecutorSpec("ok"), Input = """{"n": 2}""" },
            new WorkflowStep("join") { Run = new HandlerExecutorSpec("ok"), Needs = ["a", "b"], Input = """{"sum": ["{{steps.a.output.n}}", "{{steps.b.output.n}}"]}""" },
        ]);
        await SaveAsync("flow", j => j with { Executor = spec, Queue = "work" });
        var started = await EnqueueAsync("flow", change: r => r with { Payload = """{"order": 7}""" });
        var workflowRun = Assert.Single(await ClaimAsync(10));
        Assert.True(await Store.CompleteAsync(new RunCompletion(workflowRun.Id, "node-a", RunOutcome.Waiting, T0) { Run = workflowRun, Workflow = spec }, CancellationToken.None));

        Assert.Equal(RunState.Waiting, (await Store.GetRunAsync(started.RunId, CancellationToken.None))!.State);
        Assert.Null((await Store.GetRunAsync(started.RunId, CancellationToken.None))!.FinishedAt);
        var steps = await ClaimAsync(10);
        Assert.Equal(["""{"n": 1}""", """{"n": 2}"""], steps.Select(s => s.Payload).Order());
        Assert.All(steps, s => Assert.Equal((WorkflowStepJob.For("flow"), "work", TriggerSources.Workflow, (long?)started.RunId), (s.JobName, s.Queue, s.Source, s.ParentRunId)));
        Assert.Empty(await ClaimAsync(10)); // The workflow's own run is never claimed again.

        foreach (var step in steps)
        {
            Assert.True(await Store.CompleteAsync(new RunCompletion(step.Id, "node-a", RunOutcome.Succeeded, T0) { Output = step.Payload, WorkflowRunId = started.RunId }, CancellationToken.None));
        }
        var join = Assert.Single(await ClaimAsync(10));
        Assert.Equal("""{"sum": [1, 2]}""", join.Payload);
        Assert.True(await Store.CompleteAsync(new RunCompletion(join.Id, "node-a", RunOutcome.Succeeded, T0) { Output = """{"done": true}""", WorkflowRunId = started.RunId }, CancellationToken.None));

        var ended = (await Store.GetRunAsync(started.RunId, CancellationToken.None))!;
        Assert.Equal(RunState.Succeeded, ended.State);
        Assert.Contains("\"join\":{\"done\":true}", ended.Output);
        var stored = (await Store.GetWorkflowAsync(started.RunId, CancellationToken.None))!;
        Assert.Equal(WorkflowStates.Succeeded, stored.Workflow.State);
        Assert.Equal(["a", "b", "join"], stored.Steps.Select(s => s.StepId));
        Assert.Equal(3, stored.Steps.Single(s => s.StepId == "join").EndedSeq);
        Assert.Contains("run.succeeded", await JournalKindsAsync(started.RunId));
    }

    [StoreFact]
    public async Task Cancelling_a_waiting_workflow_run_cancels_its_queued_steps()
    {
        var started = await SleepingWorkflowAsync();

        Assert.Equal(CancelResult.Cancelled, await Store.CancelRunAsync(started.RunId, T0, CancellationToken.None));

        var stored = (await Store.GetWorkflowAsync(started.RunId, CancellationToken.None))!;
        Assert.Equal((WorkflowStates.Cancelled, StepStates.Cancelled), (stored.Workflow.State, stored.Steps[0].State));
        Assert.Equal(RunState.Cancelled, (await Store.GetRunAsync(stored.Steps[0].RunId!.Value, CancellationToken.None))!.State);
        Assert.Equal(RunState.Cancelled, (await Store.GetRunAsync(started.RunId, CancellationToken.None))!.State);
    }

    [StoreFact]
    public async Task A_cancelled_workflow_run_reopened_waits_again_with_no_end_and_its_cancelled_step_queued_anew()
    {
        var started = await SleepingWorkflowAsync();
        await Store.CancelRunAsync(started.RunId, T0, CancellationToken.None);
        var cancelledStep = (await Store.GetWorkflowAsync(started.RunId, CancellationToken.None))!.Steps[0].RunId;

        await Store.WriteAsync(async tx =>
        {
            await WorkflowRuns.RetryAsync(tx, started.RunId, T0.AddMinutes(1));
            return 0;
        }, CancellationToken.None);

        var reopened = (await Store.GetRunAsync(started.RunId, CancellationToken.None))!;
        Assert.Equal((RunState.Waiting, null, null, null), (reopened.State, reopened.FinishedAt, reopened.Error, reopened.Output));
        var stored = (await Store.GetWorkflowAsync(started.RunId, CancellationToken.None))!;
        Assert.Equal((WorkflowStates.Running, StepStates.Started), (stored.Workflow.State, stored.Steps[0].State));
        Assert.NotEqual(cancelledStep, stored.Steps[0].RunId);
        Assert.Equal(RunState.Queued, (await Store.GetRunAsync(stored.Steps[0].RunId!.Value, CancellationToken.None))!.State);
        Assert.Contains("workflow.retried", await JournalKindsAsync(started.RunId));
    }

    [StoreFact]
    public async Task Workflow_versions_are_read_latest_or_by_number_and_a_run_moves_to_another_definition_dropping_steps()
    {
        var started = await SleepingWorkflowAsync();
        await Store.WriteAsync(async tx =>
        {
            await tx.InsertWorkflowVersionAsync(new WorkflowVersionRow("flow", 7, """{"v": 7}""", T0));
            await tx.InsertWorkflowVersionAsync(new WorkflowVersionRow("other", 9, """{"v": 9}""", T0));
            return 0;
        }, CancellationToken.None);

        var (latest, first, seventh, missing) = await Store.WriteAsync(async tx => (
            await tx.GetWorkflowVersionAsync("flow", null), await tx.GetWorkflowVersionAsync("flow", 1),
            await tx.GetWorkflowVersionAsync("flow", 7), await tx.GetWorkflowVersionAsync("flow", 8)), CancellationToken.None);
        // The same rows read outside a write transaction (the API's and dashboard's path).
        Assert.Equal(latest, await Store.GetWorkflowVersionAsync("flow", null, CancellationToken.None));
        Assert.Equal(first, await Store.GetWorkflowVersionAsync("flow", 1, CancellationToken.None));
        Assert.Equal(9, (await Store.GetWorkflowVersionAsync("other", null, CancellationToken.None))!.Version);
        Assert.Null(await Store.GetWorkflowVersionAsync("flow", 8, CancellationToken.None));
        Assert.Null(await Store.GetWorkflowVersionAsync("nobody", null, CancellationToken.None));
        await Store.WriteAsync(async tx =>
        {
            await tx.SetWorkflowDefinitionAsync(started.RunId, 7, """{"v": 7}""");
            await tx.DeleteWorkflowStepsAsync(started.RunId, ["later"]);
            return 0;
        }, CancellationToken.None);

        Assert.Equal((7, """{"v": 7}""", T0), (latest!.Version, latest.Definition, latest.CreatedAt));
        Assert.Equal(1, first!.Version); // Saved with the job.
        Assert.Contains("later", first.Definition);
        Assert.Equal(7, seventh!.Version);
        Assert.Null(missing);
        var stored = (await Store.GetWorkflowAsync(started.RunId, CancellationToken.None))!;
        Assert.Equal((7, """{"v": 7}"""), (stored.Workflow.Version, stored.Workflow.Definition));
        Assert.Empty(stored.Steps);
    }

    /// <summary>A workflow run waiting in its one step, a sleep of a day.</summary>
    private async Task<EnqueueResult> SleepingWorkflowAsync()
    {
        var spec = new WorkflowExecutorSpec([new WorkflowStep("later") { Sleep = TimeSpan.FromDays(1) }]);
        await SaveAsync("flow", j => j with { Executor = spec });
        var started = await EnqueueAsync("flow");
        var workflowRun = Assert.Single(await ClaimAsync(10));
        await Store.CompleteAsync(new RunCompletion(workflowRun.Id, "node-a", RunOutcome.Waiting, T0) { Run = workflowRun, Workflow = spec }, CancellationToken.None);
        return started;
    }
}
