using Kairos.Events;
using Kairos.Model;
using Kairos.Storage;
using Kairos.Storage.Drivers;
using Kairos.Tests.Support;
using Kairos.Workflows;

namespace Kairos.Tests.Storage;

/// <summary>waitForEvent steps on every driver: the look-back, the wait in a run due at the deadline, and publishing releasing it.</summary>
public abstract partial class StoreConformanceTests
{
    private static readonly WorkflowExecutorSpec PaymentFlow = new(
    [
        new WorkflowStep("pay") { WaitForEvent = new EventWait("payment.*", TimeSpan.FromHours(1)) { Match = "event.data.order == {{input.order}}" } },
        new WorkflowStep("ship") { Run = new HandlerExecutorSpec("ok"), Needs = ["pay"], When = "steps.pay.output != null", Input = """{"paid": "{{steps.pay.output.amount}}"}""" },
        new WorkflowStep("remind") { Run = new HandlerExecutorSpec("ok"), Needs = ["pay"], When = "steps.pay.output == null" },
    ]);

    /// <summary>Starts a payment flow for order 7 created at T0, executes its run, and returns its id and the run its wait step looks back in (claimed).</summary>
    private async Task<(long Workflow, RunRecord LookBack)> StartPaymentFlowAsync(Func<Task>? beforeItExecutes = null)
    {
        await SaveAsync("flow", j => j with { Executor = PaymentFlow });
        var started = await EnqueueAsync("flow", change: r => r with { Payload = """{"order": 7}""" });
        if (beforeItExecutes is not null)
        {
            await beforeItExecutes();
        }
        var workflowRun = Assert.Single(await ClaimAsync(10), r => r.Id == started.RunId);
        Assert.True(await Store.CompleteAsync(new RunCompletion(workflowRun.Id, "node-a", RunOutcome.Waiting, T0) { Run = workflowRun, Workflow = PaymentFlow }, CancellationToken.None));
        var lookBack = Assert.Single(await ClaimAsync(10));
        Assert.Equal((WorkflowStepJob.For("flow"), WorkflowStepJob.WaitKind), (lookBack.JobName, lookBack.ExecutorKind));
        return (started.RunId, lookBack);
    }

    /// <summary>Executes a wait step's run as the engine would: the look-back in a transaction of its own, then the outcome.</summary>
    private async Task<string?> LookBackAndCompleteAsync(long workflow, RunRecord run, DateTimeOffset at)
    {
        var data = await Store.WriteAsync(tx => EventWaits.LookBackAsync(tx, run.Id), CancellationToken.None);
        Assert.True(await Store.CompleteAsync(new RunCompletion(run.Id, "node-a", RunOutcome.Succeeded, at) { Output = data, WorkflowRunId = workflow }, CancellationToken.None));
        return data;
    }

    private Task<PublishResult> PublishAsync(string type, string data, DateTimeOffset at) =>
        Store.PublishAsync(new EventRequest(type, "test") { Data = data }, at, CancellationToken.None);

    private async Task<StoredWorkflow> WorkflowAsync(long runId) => (await Store.GetWorkflowAsync(runId, CancellationToken.None))!;

    [StoreFact]
    public async Task A_wait_finding_nothing_waits_on_until_its_deadline_and_takes_the_first_matching_event_published_then()
    {
        var (workflow, lookBack) = await StartPaymentFlowAsync();
        Assert.Null(await LookBackAndCompleteAsync(workflow, lookBack, T0));

        var step = (await WorkflowAsync(workflow)).Steps.Single(s => s.StepId == "pay");
        Assert.Equal(StepStates.Started, step.State);
        Assert.NotEqual(lookBack.Id, step.RunId);
        var timer = (await Store.GetRunAsync(step.RunId!.Value, CancellationToken.None))!;
        Assert.Equal((RunState.Queued, T0.AddHours(1)), (timer.State, timer.DueAt));
        Assert.Empty(await ClaimAsync(10, T0.AddMinutes(59)));

        await PublishAsync("payment.received", """{"order": 8, "amount": 1}""", T0.AddMinutes(1)); // another order
        await PublishAsync("refund.made", """{"order": 7, "amount": 2}""", T0.AddMinutes(1)); // another type
        Assert.Equal(RunState.Queued, (await Store.GetRunAsync(timer.Id, CancellationToken.None))!.State);

        await PublishAsync("payment.received", """{"order": 7, "amount": 40}""", T0.AddMinutes(2));
        await PublishAsync("payment.received", """{"order": 7, "amount": 50}""", T0.AddMinutes(3)); // the wait has its event

        Assert.Equal(RunState.Succeeded, (await Store.GetRunAsync(timer.Id, CancellationToken.None))!.State);
        var paid = (await WorkflowAsync(workflow)).Steps.Single(s => s.StepId == "pay");
        Assert.Equal((StepStates.Succeeded, """{"order": 7, "amount": 40}"""), (paid.State, paid.Output));
        var ship = Assert.Single(await ClaimAsync(10, T0.AddMinutes(3)));
        Assert.Equal("""{"paid": 40}""", ship.Payload);
        Assert.Equal(StepStates.Skipped, (await WorkflowAsync(workflow)).Steps.Single(s => s.StepId == "remind").State);
    }

    [StoreFact]
    public async Task A_wait_takes_an_event_published_after_its_workflow_run_was_created_and_before_the_wait_was_stored()
    {
        var (workflow, lookBack) = await StartPaymentFlowAsync(beforeItExecutes: async () =>
        {
            await PublishAsync("payment.received", """{"order": 7, "amount": 1}""", T0.AddSeconds(-1)); // before the workflow run: not for it
            await PublishAsync("payment.received", """{"order": 7, "amount": 40}""", T0.AddSeconds(1));
        });

        Assert.Equal("""{"order": 7, "amount": 40}""", await LookBackAndCompleteAsync(workflow, lookBack, T0.AddSeconds(2)));

        var paid = (await WorkflowAsync(workflow)).Steps.Single(s => s.StepId == "pay");
        Assert.Equal((StepStates.Succeeded, lookBack.Id), (paid.State, paid.RunId));
        Assert.Equal("""{"paid": 40}""", Assert.Single(await ClaimAsync(10, T0.AddSeconds(2))).Payload);
    }

    [StoreFact]
    public async Task A_look_back_takes_an_event_whose_publish_read_the_waits_before_the_wait_was_stored()
    {
        var (workflow, lookBack) = await StartPaymentFlowAsync();
        // The event as an overlapping publish leaves it: stored, but given to no wait (it read them too early).
        await Store.WriteAsync(tx => tx.InsertEventAsync(new EventRequest("payment.received", "test") { Data = """{"order": 7, "amount": 40}""" }, T0.AddSeconds(1)),
            CancellationToken.None);
        Assert.Equal(RunState.Running, (await Store.GetRunAsync(lookBack.Id, CancellationToken.None))!.State);

        Assert.Equal("""{"order": 7, "amount": 40}""", await LookBackAndCompleteAsync(workflow, lookBack, T0.AddSeconds(2)));
        Assert.Equal(StepStates.Succeeded, (await WorkflowAsync(workflow)).Steps.Single(s => s.StepId == "pay").State);
    }

    [StoreFact]
    public async Task An_event_published_while_the_look_back_run_is_ending_is_taken_when_it_ends()
    {
        var (workflow, lookBack) = await StartPaymentFlowAsync();
        Assert.Null(await Store.WriteAsync(tx => EventWaits.LookBackAsync(tx, lookBack.Id), CancellationToken.None));
        await PublishAsync("payment.received", """{"order": 7, "amount": 40}""", T0.AddSeconds(1)); // the run is still running: the wait keeps the event

        Assert.True(await Store.CompleteAsync(new RunCompletion(lookBack.Id, "node-a", RunOutcome.Succeeded, T0.AddSeconds(2)) { WorkflowRunId = workflow }, CancellationToken.None));

        var paid = (await WorkflowAsync(workflow)).Steps.Single(s => s.StepId == "pay");
        Assert.Equal((StepStates.Succeeded, """{"order": 7, "amount": 40}"""), (paid.State, paid.Output));
    }

    [StoreFact]
    public async Task A_wait_past_its_deadline_ends_its_step_with_null_and_the_timeout_branch_runs()
    {
        var (workflow, lookBack) = await StartPaymentFlowAsync();
        await LookBackAndCompleteAsync(workflow, lookBack, T0);
        var timer = Assert.Single(await ClaimAsync(10, T0.AddHours(1)));

        Assert.Null(await LookBackAndCompleteAsync(workflow, timer, T0.AddHours(1)));
        await PublishAsync("payment.received", """{"order": 7, "amount": 40}""", T0.AddHours(2)); // too late: no wait is left

        var stored = await WorkflowAsync(workflow);
        var timedOut = stored.Steps.Single(s => s.StepId == "pay");
        Assert.Equal((StepStates.Succeeded, null), (timedOut.State, timedOut.Output));
        Assert.Equal(StepStates.Skipped, stored.Steps.Single(s => s.StepId == "ship").State);
        Assert.Equal(WorkflowStepJob.For("flow"), Assert.Single(await ClaimAsync(10, T0.AddHours(2))).JobName); // remind
    }

    [StoreFact]
    public async Task Cancelling_a_workflow_that_waits_for_an_event_drops_its_wait()
    {
        var (workflow, lookBack) = await StartPaymentFlowAsync();
        await LookBackAndCompleteAsync(workflow, lookBack, T0);

        Assert.Equal(CancelResult.Cancelled, await Store.CancelRunAsync(workflow, T0.AddMinutes(1), CancellationToken.None));
        await PublishAsync("payment.received", """{"order": 7, "amount": 40}""", T0.AddMinutes(2));

        var stored = await WorkflowAsync(workflow);
        Assert.Equal((WorkflowStates.Cancelled, StepStates.Cancelled), (stored.Workflow.State, stored.Steps.Single(s => s.StepId == "pay").State));
        Assert.Null(await Store.WriteAsync(tx => tx.GetEventWaitForUpdateAsync(stored.Steps[0].RunId!.Value), CancellationToken.None));
    }
}
