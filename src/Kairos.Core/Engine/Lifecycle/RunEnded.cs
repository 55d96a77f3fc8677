using Kairos.Events.Routing;
using Kairos.Model;
using Kairos.Storage.Drivers;

namespace Kairos.Engine.Lifecycle;

/// <summary>
/// What follows the end of a run that ended outside the batch of completions (<see cref="RunCompletions"/>
/// does the same for those in one pass): its run.* event, its notifications, pause-on-failure, the
/// trigger's waiting run, and the workflow it is a step of.
/// </summary>
internal static class RunEnded
{
    /// <summary>A workflow's run ended (<paramref name="run"/> as it ended).</summary>
    public static async ValueTask AfterAsync(IDriverTransaction tx, RunRecord run, DateTimeOffset now)
    {
        await EventRouter.PublishRunFinishedAsync(tx, run.Id, now).ConfigureAwait(false);
        await RunNotifications.AfterEndAsync(tx, run.JobName, run.Id, now).ConfigureAwait(false);
        if (run.State == RunState.Dead)
        {
            await FailurePause.AfterDeadRunAsync(tx, run.JobName, now).ConfigureAwait(false);
        }
        if (run.TriggerId is { } triggerId)
        {
            await Scheduling.TriggerOverlaps.AfterRunEndedAsync(tx, run.JobName, triggerId, run.Id, now).ConfigureAwait(false);
        }
        await WorkflowStepAsync(tx, run, now).ConfigureAwait(false);
    }

    /// <summary>When the run that ended (cancelled, rescued dead…) is a workflow's step or compensation, the workflow moves on.</summary>
    public static async ValueTask WorkflowStepAsync(IDriverTransaction tx, long runId, DateTimeOffset now)
    {
        if (await tx.GetRunAsync(runId).ConfigureAwait(false) is { } run)
        {
            await WorkflowStepAsync(tx, run, now).ConfigureAwait(false);
        }
    }

    private static ValueTask WorkflowStepAsync(IDriverTransaction tx, RunRecord run, DateTimeOffset now) =>
        run.Source == TriggerSources.Workflow && run.ParentRunId is { } workflow
            ? Workflows.WorkflowRuns.AfterRunEndedAsync(tx, run.Id, workflow, run.State, run.Output, run.Error, now)
            : ValueTask.CompletedTask;
}
