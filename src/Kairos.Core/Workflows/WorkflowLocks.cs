using Kairos.Storage;
using Kairos.Storage.Drivers;

namespace Kairos.Workflows;

/// <summary>
/// The order in which a transaction that moves a workflow takes its rows, so that two of them never wait
/// for each other on PostgreSQL (on SQLite and in memory one transaction writes at a time):
/// <list type="number">
/// <item>the wait row of a <c>waitForEvent</c> step's run (<see cref="EventWaits"/>);</item>
/// <item>workflow run rows, in ascending id order;</item>
/// <item>run rows: the step's run whose outcome is stored, the runs of other steps it cancels, the
/// workflow's own run when it ends.</item>
/// </list>
/// Without this, two steps of one workflow ending at once on two nodes each held their own run's row and
/// waited for the workflow's; the first to get it, failing the workflow, then waited to cancel the
/// other's run: a deadlock. An outcome therefore takes its wait and workflow rows
/// (<see cref="BeforeOutcomesAsync"/>) before its run's row, and a publish takes the rows of all the waits
/// it matches and then their workflows' (<see cref="BeforeGivingAsync"/>) before it ends any run.
/// </summary>
internal static class WorkflowLocks
{
    /// <summary>Before a batch of outcomes updates its runs: the wait rows and workflow rows it will move.</summary>
    public static ValueTask BeforeOutcomesAsync(IDriverTransaction tx, IReadOnlyList<RunCompletion> completions)
    {
        List<long>? steps = null;
        List<long>? workflows = null;
        foreach (var completion in completions)
        {
            if (completion.WorkflowRunId is { } workflow)
            {
                (steps ??= []).Add(completion.RunId);
                (workflows ??= []).Add(workflow);
            }
            else if (completion.Workflow is not null)
            {
                (workflows ??= []).Add(completion.RunId); // A workflow starting again (a run retried by hand) has its row already.
            }
        }
        return workflows is null ? ValueTask.CompletedTask : tx.LockWorkflowsAsync(steps ?? [], [.. workflows.Distinct()]);
    }

    /// <summary>
    /// Before a run is cancelled by hand: when it is a workflow's step, its wait row and its workflow's row,
    /// ahead of its own (cancelling a queued step moves the workflow on). The read takes no lock: a run's
    /// source and parent never change.
    /// </summary>
    public static async ValueTask BeforeCancellingAsync(IDriverTransaction tx, long runId)
    {
        if (await tx.GetRunAsync(runId).ConfigureAwait(false) is { Source: Model.TriggerSources.Workflow, ParentRunId: { } workflow })
        {
            await tx.LockWorkflowsAsync([runId], [workflow]).ConfigureAwait(false);
        }
    }

    /// <summary>Before an event is given to <paramref name="waits"/> (which may end the runs they wait in): their rows, then their workflows'.</summary>
    public static ValueTask BeforeGivingAsync(IDriverTransaction tx, IReadOnlyList<EventWaitRow> waits) =>
        tx.LockWorkflowsAsync([.. waits.Select(w => w.RunId)], [.. waits.Select(w => w.WorkflowRunId).Distinct()]);
}
