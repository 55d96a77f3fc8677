using System.Text.Json;
using Kairos.Model;
using Kairos.Storage.Drivers;

namespace Kairos.Workflows;

/// <summary>
/// <c>waitForEvent</c> steps as the workflow sees them (how the event reaches the wait: <see cref="EventWaits"/>).
/// The step starts with its wait stored and a run due now that looks back; it ends with the event's
/// data as its output, or <c>null</c> once its timeout has passed.
/// </summary>
internal static partial class WorkflowRuns
{
    private static async ValueTask StartWaitAsync(IDriverTransaction tx, Moving w, WorkflowStep step, WorkflowStepRow row, DateTimeOffset now)
    {
        var wait = step.WaitForEvent!;
        var run = (await EnqueueAsync(tx, w.Run, step, null, null, now).ConfigureAwait(false))!;
        await tx.InsertEventWaitAsync(new EventWaitRow(run.RunId, w.Run.Id, Access.Namespaces.Of(w.Run.JobName), wait.Type, w.Run.CreatedAt, now + wait.Timeout)
        {
            Match = wait.Match,
            Values = wait.Match is { } match ? EventMatch.Freeze(match, w.Context()) : null,
        }).ConfigureAwait(false);
        await w.SaveAsync(tx, row with { State = StepStates.Started, RunId = run.RunId, StartedAt = now }).ConfigureAwait(false);
    }

    /// <summary>
    /// The run a wait step waits in succeeded: the step's output is the event the wait took, or null past
    /// its deadline. Null when neither (the look-back found nothing): the step then waits on in a new run
    /// due at the deadline.
    /// </summary>
    private static async ValueTask<(bool Ended, string? Output)> WaitRunEndedAsync(IDriverTransaction tx, Moving w, WorkflowStepRow step, EventWaitRow wait, DateTimeOffset now)
    {
        if (wait.EventId is not null || now >= wait.Deadline)
        {
            await tx.DeleteEventWaitAsync(wait.RunId).ConfigureAwait(false);
            return (true, wait.EventId is null ? null : wait.Data);
        }
        var next = (await EnqueueAsync(tx, w.Run, w.Step(step.StepId), null, wait.Deadline, now).ConfigureAwait(false))!;
        await tx.MoveEventWaitAsync(wait.RunId, next.RunId).ConfigureAwait(false);
        await w.SaveAsync(tx, step with { RunId = next.RunId }).ConfigureAwait(false);
        await tx.AppendJournalAsync(now, "workflow.step-waiting", w.Run.JobName, w.Run.Id, null,
            JsonSerializer.Serialize(new { step = step.StepId, run = next.RunId, until = wait.Deadline }, KairosJson.Options)).ConfigureAwait(false);
        return (false, null);
    }
}
