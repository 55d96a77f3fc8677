using System.Text.Json;
using Kairos.Model;
using Kairos.Storage.Drivers;

namespace Kairos.Workflows;

/// <summary>
/// What a person does to a workflow's run: retry, skip a step, pause, resume, cancel. Each runs in one
/// transaction with the step transitions it causes and is journaled; which state allows which is
/// <see cref="WorkflowOperations"/>'s to say. Each throws <see cref="KairosNotFoundException"/> when the
/// run is no workflow's (or the step is not one of it) and <see cref="KairosConflictException"/> when its
/// state does not allow the operation.
/// </summary>
internal static partial class WorkflowRuns
{
    /// <summary>A failed or cancelled workflow waits again: steps that succeeded stay done, the others start again with the same inputs.</summary>
    public static async ValueTask RetryAsync(IDriverTransaction tx, long workflowRunId, DateTimeOffset now)
    {
        var w = await LoadForAsync(tx, workflowRunId, WorkflowOperation.Retry).ConfigureAwait(false);
        await ReopenAsync(tx, w, null, now).ConfigureAwait(false);
    }

    /// <summary>
    /// Step <paramref name="stepId"/> ends succeeded with <paramref name="output"/> (JSON, null: none) and the workflow moves on:
    /// a queued run of the step is cancelled; a failed step of a failed workflow reopens it as a retry does.
    /// </summary>
    public static async ValueTask SkipStepAsync(IDriverTransaction tx, long workflowRunId, string stepId, string? output, DateTimeOffset now)
    {
        var w = await LoadForAsync(tx, workflowRunId, WorkflowOperation.Skip).ConfigureAwait(false);
        var row = w.Stored.Steps.FirstOrDefault(s => s.StepId == stepId && !StepItems.IsItem(s.StepId))
            ?? throw new KairosNotFoundException($"workflow run {workflowRunId} has no step '{stepId}'");
        var stepRun = row.RunId is { } runId ? (await tx.GetRunSummaryAsync(runId).ConfigureAwait(false))?.State : null;
        WorkflowOperations.EnsureSkippable(w.Stored.Workflow.State, stepId, row.State, stepRun);
        var given = row with { State = StepStates.Succeeded, Output = output, Error = null, FinishedAt = now, EndedSeq = NextEndedSeq(w) };
        // The output itself is on the step (up to the API's body limit): the journal gives its size, not a second copy.
        await tx.AppendJournalAsync(now, "workflow.step-skipped", w.Run.JobName, w.Run.Id, null,
            JsonSerializer.Serialize(new { step = stepId, reason = "skipped by hand", from = row.State, outputChars = output?.Length }, KairosJson.Options)).ConfigureAwait(false);
        if (w.Stored.Workflow.State == WorkflowStates.Failed)
        {
            await ReopenAsync(tx, w, given, now).ConfigureAwait(false);
            return;
        }
        // Saved first: the cancelled run's end then finds no step waiting for it.
        await w.SaveAsync(tx, given).ConfigureAwait(false);
        await Engine.Lifecycle.RunControl.CancelOneAsync(tx, row.RunId!.Value, now, $"step '{stepId}' of workflow run {workflowRunId} was skipped by hand").ConfigureAwait(false);
        await AdvanceAsync(tx, w, now).ConfigureAwait(false);
    }

    /// <summary>A running workflow starts no new step (steps going finish, and their outcomes are taken) until resumed.</summary>
    public static async ValueTask PauseAsync(IDriverTransaction tx, long workflowRunId, DateTimeOffset now)
    {
        var w = await LoadForAsync(tx, workflowRunId, WorkflowOperation.Pause).ConfigureAwait(false);
        await SetStateAsync(tx, w, WorkflowStates.Paused, "workflow.paused", now).ConfigureAwait(false);
    }

    /// <summary>A paused workflow runs again: the steps (and forEach items) that became ready meanwhile start.</summary>
    public static async ValueTask ResumeAsync(IDriverTransaction tx, long workflowRunId, DateTimeOffset now)
    {
        var w = await LoadForAsync(tx, workflowRunId, WorkflowOperation.Resume).ConfigureAwait(false);
        await SetStateAsync(tx, w, WorkflowStates.Running, "workflow.resumed", now).ConfigureAwait(false);
        foreach (var step in w.Spec.Steps.Where(s => s.ForEach is not null && w.Row(s.Id).State == StepStates.Started))
        {
            await StartItemsAsync(tx, w, step, now).ConfigureAwait(false);
            await EndForEachIfDoneAsync(tx, w, step, now).ConfigureAwait(false);
            if (w.Stored.Workflow.State != WorkflowStates.Running)
            {
                return; // An item could not start and failed the workflow.
            }
        }
        await AdvanceAsync(tx, w, now).ConfigureAwait(false);
    }

    /// <summary>
    /// Cancels the workflow's steps still going and ends it cancelled; with <paramref name="compensate"/>, the
    /// succeeded steps' compensations run first, each after those of the steps that needed it (state <c>cancelling</c>).
    /// </summary>
    public static async ValueTask CancelAsync(IDriverTransaction tx, long workflowRunId, bool compensate, DateTimeOffset now)
    {
        var w = await LoadForAsync(tx, workflowRunId, compensate ? WorkflowOperation.CancelCompensating : WorkflowOperation.Cancel).ConfigureAwait(false);
        await tx.AppendJournalAsync(now, "workflow.cancel-requested", w.Run.JobName, w.Run.Id, null,
            JsonSerializer.Serialize(new { compensate }, KairosJson.Options)).ConfigureAwait(false);
        await UnwindAsync(tx, w, "cancelled on request", compensate, WorkflowStates.Cancelling, now).ConfigureAwait(false);
    }

    private static async ValueTask<Moving> LoadForAsync(IDriverTransaction tx, long workflowRunId, WorkflowOperation operation)
    {
        var w = await LoadAsync(tx, workflowRunId).ConfigureAwait(false)
            ?? throw new KairosNotFoundException($"run {workflowRunId} is not a workflow's run, or its workflow has not started yet");
        WorkflowOperations.Ensure(operation, workflowRunId, w.Stored.Workflow.State);
        return w;
    }

    private static async ValueTask SetStateAsync(IDriverTransaction tx, Moving w, string state, string journalKind, DateTimeOffset now)
    {
        await tx.UpdateWorkflowAsync(w.Run.Id, state, w.Stored.Workflow.Error, null).ConfigureAwait(false);
        w.SetState(state, w.Stored.Workflow.Error);
        await tx.AppendJournalAsync(now, journalKind, w.Run.JobName, w.Run.Id, null, null).ConfigureAwait(false);
    }

    /// <summary>The workflow's ended run waits again and its unfinished steps start again (<paramref name="given"/> saved as it is).</summary>
    private static async ValueTask ReopenAsync(IDriverTransaction tx, Moving w, WorkflowStepRow? given, DateTimeOffset now)
    {
        await tx.ReopenRunWaitingAsync(w.Run.Id).ConfigureAwait(false);
        await RestartUnfinishedStepsAsync(tx, w.Run, w.Stored, w.Spec, "workflow.retried", now, given).ConfigureAwait(false);
        var reopened = (await LoadAsync(tx, w.Run.Id).ConfigureAwait(false))!;
        await AdvanceAsync(tx, reopened, now).ConfigureAwait(false);
    }

    /// <summary>
    /// The steps of <paramref name="stored"/> that did not succeed (but <paramref name="given"/>, saved as it is) are pending again,
    /// their compensations forgotten, and the workflow is running, its timeout (if <paramref name="spec"/> has one)
    /// counted afresh from now: the retry is a new attempt at the work, with the whole time the workflow allows;
    /// journaled as <paramref name="journalKind"/>.
    /// </summary>
    private static async ValueTask RestartUnfinishedStepsAsync(IDriverTransaction tx, RunRecord run, StoredWorkflow stored, WorkflowExecutorSpec spec, string journalKind,
        DateTimeOffset now, WorkflowStepRow? given = null)
    {
        if (stored.Workflow.State is not (WorkflowStates.Running or WorkflowStates.Paused))
        {
            // Ended, so its timer was cancelled with it (or had fired).
            await tx.SetWorkflowTimeoutAsync(run.Id, (await StartTimeoutAsync(tx, run, spec, now).ConfigureAwait(false))?.RunId).ConfigureAwait(false);
        }
        var reset = stored.Steps.Where(s => s.State != StepStates.Succeeded && s.StepId != given?.StepId)
            .Select(s => new WorkflowStepRow(s.StepId, s.Ordinal, StepStates.Pending)).ToList();
        await tx.SaveWorkflowStepsAsync(run.Id, given is null ? reset : [.. reset, given]).ConfigureAwait(false);
        await tx.UpdateWorkflowAsync(run.Id, WorkflowStates.Running, null, null).ConfigureAwait(false);
        await tx.AppendJournalAsync(now, journalKind, run.JobName, run.Id, run.TriggerId,
            JsonSerializer.Serialize(new { steps = reset.Select(s => s.StepId) }, KairosJson.Options)).ConfigureAwait(false);
    }
}
