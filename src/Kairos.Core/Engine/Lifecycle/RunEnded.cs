using Kairos.Events.Routing;
using Kairos.Model;
using Kairos.Storage.Drivers;

namespace Kairos.Engine.Lifecycle;

/// <summary>
/// What follows the end of a run that ended outside the batch of completions (<see cref="RunCompletions"/>
/// does the same for those in one pass): its run.* event, its notifications, pause-on-failure, the
/// trigger's waiting run, and the workflow it is a step of. A queued run cancelled by hand does the same
/// through <see cref="RunControl"/>, which leaves the trigger's waiting run to its caller.
/// </summary>
internal static class RunEnded
{
    /// <summary>Run <paramref name="runId"/> of <paramref name="jobName"/> just ended in <paramref name="state"/> (a workflow's run, or a run rescued dead).</summary>
    public static async ValueTask AfterAsync(IDriverTransaction tx, long runId, string jobName, long? triggerId, RunState state, DateTimeOffset now)
    {
        await EventRouter.PublishRunFinishedAsync(tx, runId, now).ConfigureAwait(false);
        await RunNotifications.AfterEndAsync(tx, jobName, runId, now).ConfigureAwait(false);
        if (state == RunState.Dead)
        {
            await FailurePause.AfterDeadRunAsync(tx, jobName, now).ConfigureAwait(false);
        }
        if (triggerId is { } trigger)
        {
            await Scheduling.TriggerOverlaps.AfterRunEndedAsync(tx, jobName, trigger, runId, now).ConfigureAwait(false);
        }
        await WorkflowStepAsync(tx, runId, now).ConfigureAwait(false);
    }

    /// <summary>When the run that ended (cancelled, rescued dead…) is a workflow's step or compensation, the workflow moves on.</summary>
    public static async ValueTask WorkflowStepAsync(IDriverTransaction tx, long runId, DateTimeOffset now)
    {
        if (await tx.GetRunAsync(runId).ConfigureAwait(false) is { Source: TriggerSources.Workflow, ParentRunId: { } workflow } run)
        {
            await Workflows.WorkflowRuns.AfterRunEndedAsync(tx, run.Id, workflow, run.State, run.Output, run.Error, now).ConfigureAwait(false);
        }
    }
}
