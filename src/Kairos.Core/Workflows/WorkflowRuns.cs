using System.Text.Json;
using System.Text.Json.Nodes;
using Kairos.Engine.Enqueueing;
using Kairos.Executors;
using Kairos.Model;
using Kairos.Storage;
using Kairos.Storage.Drivers;

namespace Kairos.Workflows;

/// <summary>
/// The rules that move a workflow run along, written once for every driver and called inside the
/// transaction that stores what happened, so a step's outcome and the workflow's next move commit
/// together: a process killed at any point resumes from the rows, never re-running a step that ended.
/// <list type="bullet">
/// <item>Start (the workflow's run was claimed and executed): the steps are stored pending, then advanced.</item>
/// <item>Advance: each pending step whose needs have all ended either starts (its run is enqueued with
/// its input rendered) or is skipped (its <c>runIf</c> or <c>when</c> says so); repeated until nothing
/// moves. When every step has ended, the workflow succeeds with its output.</item>
/// <item>A step's run ends: the step takes the run's outcome. A failure fails the workflow (and cancels
/// the steps still going), or starts compensation, or with <c>continue</c> just counts as an end.</item>
/// <item>Compensation: a succeeded step's compensation starts once the compensations of the steps that
/// needed it have ended, so parallel branches compensate in parallel and a chain in reverse.</item>
/// </list>
/// The workflow run itself waits in state <c>waiting</c> (never claimed, never leased) until it ends.
/// </summary>
internal static partial class WorkflowRuns
{
    /// <summary>Starts <paramref name="run"/> (now waiting); a run retried by hand resumes: steps that succeeded stay done, the others start again.</summary>
    public static async ValueTask StartAsync(IDriverTransaction tx, RunRecord run, WorkflowExecutorSpec spec, DateTimeOffset now)
    {
        if (await tx.GetWorkflowForUpdateAsync(run.Id).ConfigureAwait(false) is { } earlier)
        {
            await RestartUnfinishedStepsAsync(tx, run, earlier, spec, "workflow.resumed", now).ConfigureAwait(false);
        }
        else
        {
            var version = await WorkflowVersions.RecordAsync(tx, run.JobName, spec, now).ConfigureAwait(false);
            var timer = await StartTimeoutAsync(tx, run, spec, now).ConfigureAwait(false);
            await tx.InsertWorkflowAsync(new WorkflowRow(run.Id, run.JobName, WorkflowStates.Running, WorkflowVersions.Serialize(spec), now)
            {
                TimeoutRunId = timer?.RunId,
                Version = version,
            }).ConfigureAwait(false);
            await tx.InsertWorkflowStepsAsync(run.Id, spec.Steps.Select((s, i) => new WorkflowStepRow(s.Id, i, StepStates.Pending)).ToList()).ConfigureAwait(false);
            await tx.AppendJournalAsync(now, "workflow.started", run.JobName, run.Id, run.TriggerId,
                JsonSerializer.Serialize(new { steps = spec.Steps.Count }, KairosJson.Options)).ConfigureAwait(false);
        }
        var stored = await tx.GetWorkflowForUpdateAsync(run.Id).ConfigureAwait(false);
        await AdvanceAsync(tx, new Moving(run, spec, stored!), now).ConfigureAwait(false);
    }

    /// <summary>
    /// The run that times the workflow out, due its <see cref="WorkflowExecutorSpec.Timeout"/> from now: a
    /// run of the step job, the one path that fires things on time. Null without a timeout.
    /// </summary>
    private static async ValueTask<EnqueueResult?> StartTimeoutAsync(IDriverTransaction tx, RunRecord run, WorkflowExecutorSpec spec, DateTimeOffset now) =>
        spec.Timeout is { } timeout
            ? await EnqueueAsync(tx, run, new WorkflowAction(), null, now + timeout, now, WorkflowStepJob.TimeoutKind).ConfigureAwait(false)
            : null;

    /// <summary>
    /// A run that may be a workflow's step (or compensation) ended in <paramref name="state"/>: the
    /// workflow takes note and moves on. Nothing happens for any other run.
    /// </summary>
    public static async ValueTask AfterRunEndedAsync(IDriverTransaction tx, long runId, long workflowRunId, RunState state, string? output, string? error, DateTimeOffset now)
    {
        // A wait's row is taken before its workflow's (the lock order EventWaits keeps).
        var wait = await tx.GetEventWaitForUpdateAsync(runId).ConfigureAwait(false);
        var w = await LoadAsync(tx, workflowRunId).ConfigureAwait(false);
        var step = w?.Stored.Steps.FirstOrDefault(s => s.RunId == runId && s.State == StepStates.Started);
        if (wait is not null)
        {
            if (state != RunState.Succeeded || step is null || !WorkflowStates.TakesOutcomes(w!.Stored.Workflow.State))
            {
                await tx.DeleteEventWaitAsync(runId).ConfigureAwait(false);
            }
            else if (await WaitRunEndedAsync(tx, w, step, wait, now).ConfigureAwait(false) is (true, var taken))
            {
                output = taken;
            }
            else
            {
                return; // The step waits on in a new run.
            }
        }
        if (w is null)
        {
            return;
        }
        if (runId == w.Stored.Workflow.TimeoutRunId)
        {
            if (state == RunState.Succeeded && WorkflowStates.TakesOutcomes(w.Stored.Workflow.State))
            {
                await FailAsync(tx, w, $"timed out after {Configuration.Durations.Format(w.Spec.Timeout!.Value)}", now).ConfigureAwait(false);
            }
            return;
        }
        if (step is not null)
        {
            var ended = step with
            {
                State = StepStates.For(state),
                Output = output,
                Error = error,
                FinishedAt = now,
                EndedSeq = NextEndedSeq(w),
            };
            await w.SaveAsync(tx, ended).ConfigureAwait(false);
            await tx.AppendJournalAsync(now, "workflow.step-ended", w.Run.JobName, w.Run.Id, null,
                JsonSerializer.Serialize(new { step = step.StepId, run = runId, state = ended.State, error }, KairosJson.Options)).ConfigureAwait(false);
            if (!WorkflowStates.TakesOutcomes(w.Stored.Workflow.State))
            {
                return; // A step still going when the workflow failed or was cancelled: recorded, nothing more.
            }
            await (StepItems.IsItem(step.StepId) ? ItemEndedAsync(tx, w, ended, now) : StepEndedAsync(tx, w, ended, now)).ConfigureAwait(false);
        }
        else if (w.Stored.Steps.FirstOrDefault(s => s.CompensationRunId == runId && s.CompensationState == StepStates.Started) is { } compensated)
        {
            var outcome = state == RunState.Succeeded ? StepStates.Succeeded : StepStates.Failed;
            await w.SaveAsync(tx, compensated with { CompensationState = outcome }).ConfigureAwait(false);
            await tx.AppendJournalAsync(now, "workflow.compensation-ended", w.Run.JobName, w.Run.Id, null,
                JsonSerializer.Serialize(new { step = compensated.StepId, run = runId, state = outcome, error }, KairosJson.Options)).ConfigureAwait(false);
            if (w.Stored.Workflow.State is not (WorkflowStates.Compensating or WorkflowStates.Cancelling))
            {
                return; // Compensations run in parallel: one that ends after another failed (or a cancel) is recorded, nothing more.
            }
            if (outcome == StepStates.Failed)
            {
                await EndAsync(tx, w, WorkflowStates.CompensationFailed, RunState.Dead, null,
                    $"{w.Stored.Workflow.Error}; the compensation of step '{compensated.StepId}' failed{(error is null ? "" : ": " + error)}", now).ConfigureAwait(false);
                return;
            }
            await CompensateReadyAsync(tx, w, now).ConfigureAwait(false);
        }
    }

    /// <summary>A step ended (stored already): a failure fails the workflow unless it says continue; anything else moves it on.</summary>
    private static async ValueTask StepEndedAsync(IDriverTransaction tx, Moving w, WorkflowStepRow ended, DateTimeOffset now)
    {
        if (ended.State is StepStates.Failed or StepStates.Cancelled && w.Spec.OnFailure != WorkflowFailure.Continue)
        {
            await FailAsync(tx, w, $"step '{ended.StepId}' {(ended.State == StepStates.Failed ? "failed" : "was cancelled")}{(ended.Error is null ? "" : ": " + ended.Error)}", now).ConfigureAwait(false);
            return;
        }
        await AdvanceAsync(tx, w, now).ConfigureAwait(false);
    }

    /// <summary>Cancels a waiting workflow run: its steps still going are cancelled, and it ends cancelled; false when its state allows no cancel.</summary>
    public static async ValueTask<bool> CancelAsync(IDriverTransaction tx, long workflowRunId, string reason, DateTimeOffset now)
    {
        if (await LoadAsync(tx, workflowRunId).ConfigureAwait(false) is not { } w || !WorkflowOperations.Allows(WorkflowOperation.Cancel, w.Stored.Workflow.State))
        {
            return false;
        }
        await EndAsync(tx, w, WorkflowStates.Cancelled, RunState.Cancelled, null, reason, now).ConfigureAwait(false);
        return true;
    }

    private static async ValueTask<Moving?> LoadAsync(IDriverTransaction tx, long workflowRunId)
    {
        if (await tx.GetWorkflowForUpdateAsync(workflowRunId).ConfigureAwait(false) is not { } stored
            || await tx.GetRunAsync(workflowRunId).ConfigureAwait(false) is not { } run
            || WorkflowVersions.Parse(stored.Workflow.Definition) is not { } spec)
        {
            return null;
        }
        return new Moving(run, spec, stored);
    }

    private static async ValueTask AdvanceAsync(IDriverTransaction tx, Moving w, DateTimeOffset now)
    {
        if (w.Stored.Workflow.State == WorkflowStates.Paused)
        {
            return; // Resuming advances it.
        }
        bool moved;
        do
        {
            moved = false;
            foreach (var step in w.Spec.Steps)
            {
                var row = w.Row(step.Id);
                if (row.State != StepStates.Pending || step.Needs.Any(n => !StepStates.HasEnded(w.Row(n).State)))
                {
                    continue;
                }
                moved = true;
                var needs = step.Needs.Select(w.Row).ToList();
                var failed = needs.Any(n => n.State is StepStates.Failed or StepStates.Cancelled);
                var go = step.RunIf switch
                {
                    StepRunIf.Always => true,
                    StepRunIf.OnFailure => failed,
                    _ => needs.All(n => n.State == StepStates.Succeeded),
                };
                if (!go)
                {
                    await SkipAsync(tx, w, row, step.RunIf == StepRunIf.OnFailure ? "no step it needs failed" : "a step it needs did not succeed", now).ConfigureAwait(false);
                    continue;
                }
                if (step.When is { } when && !Holds(when, w))
                {
                    await SkipAsync(tx, w, row, $"its condition is false: {StepCondition.Display(when)}", now).ConfigureAwait(false);
                    continue;
                }
                await StartStepAsync(tx, w, step, row, now).ConfigureAwait(false);
                if (w.Stored.Workflow.State != WorkflowStates.Running)
                {
                    return; // Starting it failed the workflow.
                }
            }
        }
        while (moved);
        if (w.Stored.Steps.All(s => StepStates.HasEnded(s.State) || StepItems.IsItem(s.StepId)))
        {
            string output;
            try
            {
                output = w.Spec.Output is { } template
                    ? PayloadTemplate.RenderJson(template, w.Context(), TemplateRoot.Workflow)
                    : new JsonObject(w.Stored.Steps.Where(s => s.State == StepStates.Succeeded && !StepItems.IsItem(s.StepId))
                        .Select(s => KeyValuePair.Create(s.StepId, WorkflowContext.Parse(s.Output)))).ToJsonString(KairosJson.Options);
            }
            catch (TemplateException ex)
            {
                await FailAsync(tx, w, $"the workflow's output could not be made: {ex.Message}", now).ConfigureAwait(false);
                return;
            }
            await EndAsync(tx, w, WorkflowStates.Succeeded, RunState.Succeeded, output, null, now).ConfigureAwait(false);
        }
    }

    private static bool Holds(string when, Moving w)
    {
        using var context = JsonDocument.Parse(w.Context());
        return StepCondition.Parse(when).Evaluate(context.RootElement);
    }

    private static async ValueTask SkipAsync(IDriverTransaction tx, Moving w, WorkflowStepRow row, string reason, DateTimeOffset now)
    {
        await w.SaveAsync(tx, row with { State = StepStates.Skipped, Error = reason, FinishedAt = now }).ConfigureAwait(false);
        await tx.AppendJournalAsync(now, "workflow.step-skipped", w.Run.JobName, w.Run.Id, null,
            JsonSerializer.Serialize(new { step = row.StepId, reason }, KairosJson.Options)).ConfigureAwait(false);
    }

    private static async ValueTask StartStepAsync(IDriverTransaction tx, Moving w, WorkflowStep step, WorkflowStepRow row, DateTimeOffset now)
    {
        if (step.ForEach is not null)
        {
            await StartForEachAsync(tx, w, step, row, now).ConfigureAwait(false);
            return;
        }
        string? input;
        try
        {
            input = step.Input is { } template ? PayloadTemplate.RenderJson(template, w.Context(), TemplateRoot.Workflow) : w.Run.Payload;
        }
        catch (TemplateException ex)
        {
            await EndStepWithoutRunAsync(tx, w, row, $"its input could not be made: {ex.Message}", now).ConfigureAwait(false);
            return;
        }
        if (step.WaitForEvent is not null)
        {
            await StartWaitAsync(tx, w, step, row, now).ConfigureAwait(false);
            return;
        }
        if (await EnqueueAsync(tx, w.Run, step, input, step.Sleep is { } sleep ? now + sleep : null, now).ConfigureAwait(false) is not { } run)
        {
            await EndStepWithoutRunAsync(tx, w, row, $"job '{step.Job}' does not exist", now).ConfigureAwait(false);
            return;
        }
        if (run.State == RunState.Skipped)
        {
            await SkipAsync(tx, w, row with { RunId = run.RunId }, "its job's flow control skipped the run", now).ConfigureAwait(false);
            return;
        }
        await w.SaveAsync(tx, row with { State = StepStates.Started, RunId = run.RunId, StartedAt = now }).ConfigureAwait(false);
    }

    /// <summary>A step that could not even start fails as a step whose run failed would.</summary>
    private static async ValueTask EndStepWithoutRunAsync(IDriverTransaction tx, Moving w, WorkflowStepRow row, string error, DateTimeOffset now)
    {
        await w.SaveAsync(tx, row with { State = StepStates.Failed, Error = error, FinishedAt = now, EndedSeq = NextEndedSeq(w) }).ConfigureAwait(false);
        await tx.AppendJournalAsync(now, "workflow.step-ended", w.Run.JobName, w.Run.Id, null,
            JsonSerializer.Serialize(new { step = row.StepId, state = StepStates.Failed, error }, KairosJson.Options)).ConfigureAwait(false);
        if (w.Spec.OnFailure != WorkflowFailure.Continue)
        {
            await FailAsync(tx, w, $"step '{row.StepId}' failed: {error}", now).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Enqueues the run of a step or compensation of <paramref name="workflow"/> (or with <paramref name="kind"/>,
    /// a run of the step job of that kind); null when the job it names does not exist.
    /// </summary>
    private static async ValueTask<EnqueueResult?> EnqueueAsync(IDriverTransaction tx, RunRecord workflow, WorkflowAction action, string? input, DateTimeOffset? notBefore, DateTimeOffset now,
        string? kind = null)
    {
        var request = new RunRequest(action.Job ?? WorkflowStepJob.For(workflow.JobName), TriggerSources.Workflow)
        {
            Payload = input,
            ParentRunId = workflow.Id,
            ChainDepth = workflow.ChainDepth + 1,
            NotBefore = notBefore,
        };
        if (action.Job is { } job)
        {
            return await tx.JobExistsAsync(job).ConfigureAwait(false) ? await RunEnqueuer.EnqueueAsync(tx, request, now).ConfigureAwait(false) : null;
        }
        var settings = await WorkflowStepJob.SettingsAsync(tx, request.JobName, now).ConfigureAwait(false) with
        {
            Queue = workflow.Queue,
            Priority = workflow.Priority,
            ExecutorKind = kind ?? action.Run?.Kind ?? (action is WorkflowStep { WaitForEvent: not null } ? WorkflowStepJob.WaitKind : WorkflowStepJob.SleepKind),
            MaxAttempts = action.Run is null ? 1 : (action.Retry ?? RetryPolicy.Default).MaxAttempts,
        };
        return await RunEnqueuer.InsertAsync(tx, request, settings, RunState.Queued, now, "run.enqueued", null).ConfigureAwait(false);
    }

    private static ValueTask FailAsync(IDriverTransaction tx, Moving w, string reason, DateTimeOffset now) =>
        UnwindAsync(tx, w, reason, w.Spec.OnFailure == WorkflowFailure.Compensate, WorkflowStates.Compensating, now);

    /// <summary>
    /// Stops a workflow that fails (<paramref name="through"/> compensating) or is cancelled (through cancelling):
    /// steps still going are cancelled and, when <paramref name="compensate"/>, the succeeded steps compensated
    /// (<see cref="CompensateReadyAsync"/> ends it); else, or with nothing to compensate, it ends at once.
    /// </summary>
    private static async ValueTask UnwindAsync(IDriverTransaction tx, Moving w, string reason, bool compensate, string through, DateTimeOffset now)
    {
        var compensable = compensate
            && w.Stored.Steps.Any(s => s.State == StepStates.Succeeded && !StepItems.IsItem(s.StepId) && w.Step(s.StepId).Compensate is not null);
        if (!compensable)
        {
            var (state, runState) = EndOf(through);
            await EndAsync(tx, w, state, runState, null, reason, now).ConfigureAwait(false);
            return;
        }
        await tx.UpdateWorkflowAsync(w.Run.Id, through, reason, null).ConfigureAwait(false);
        w.SetState(through, reason);
        await tx.AppendJournalAsync(now, "workflow.compensating", w.Run.JobName, w.Run.Id, null,
            JsonSerializer.Serialize(new { reason }, KairosJson.Options)).ConfigureAwait(false);
        await CancelStepsStillGoingAsync(tx, w, now).ConfigureAwait(false);
        await CompensateReadyAsync(tx, w, now).ConfigureAwait(false);
    }

    /// <summary>How a workflow unwinding through <paramref name="through"/> ends once nothing is left to compensate: a cancel stays a cancel.</summary>
    private static (string State, RunState RunState) EndOf(string through) => through == WorkflowStates.Cancelling
        ? (WorkflowStates.Cancelled, RunState.Cancelled)
        : (WorkflowStates.Failed, RunState.Dead);

    /// <summary>
    /// Starts the compensation of every succeeded step whose dependants (the steps that needed it, directly
    /// or through others) have all been compensated, latest ended first; ends the workflow when none is left
    /// to start or to wait for. Steps of parallel branches, neither needing the other, so compensate together,
    /// and a step is undone only after whatever was built on it.
    /// </summary>
    private static async ValueTask CompensateReadyAsync(IDriverTransaction tx, Moving w, DateTimeOffset now)
    {
        var open = w.Stored.Steps
            .Where(s => s.State == StepStates.Succeeded && !StepItems.IsItem(s.StepId) && s.CompensationState is null or StepStates.Started && w.Step(s.StepId).Compensate is not null)
            .ToList();
        if (open.Count == 0)
        {
            var count = w.Stored.Steps.Count(s => s.CompensationState == StepStates.Succeeded);
            var (state, runState) = w.Stored.Workflow.State == WorkflowStates.Cancelling
                ? EndOf(WorkflowStates.Cancelling)
                : (WorkflowStates.Compensated, RunState.Dead);
            await EndAsync(tx, w, state, runState, null, $"{w.Stored.Workflow.Error}; {count} step(s) compensated", now).ConfigureAwait(false);
            return;
        }
        var before = WorkflowRules.Ancestors(w.Spec);
        var ready = open
            .Where(s => s.CompensationState is null && !open.Any(other => before.TryGetValue(other.StepId, out var needed) && needed.Contains(s.StepId)))
            .OrderByDescending(s => s.EndedSeq)
            .ToList();
        foreach (var next in ready)
        {
            if (!await StartCompensationAsync(tx, w, next, now).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    /// <summary>Enqueues the compensation of <paramref name="next"/>; false when it could not be made or started, which ends the workflow <c>compensation-failed</c>.</summary>
    private static async ValueTask<bool> StartCompensationAsync(IDriverTransaction tx, Moving w, WorkflowStepRow next, DateTimeOffset now)
    {
        var compensate = w.Step(next.StepId).Compensate!;
        string? input;
        try
        {
            input = compensate.Input is { } template ? PayloadTemplate.RenderJson(template, w.Context(), TemplateRoot.Workflow) : next.Output;
        }
        catch (TemplateException ex)
        {
            await w.SaveAsync(tx, next with { CompensationState = StepStates.Failed }).ConfigureAwait(false);
            await EndAsync(tx, w, WorkflowStates.CompensationFailed, RunState.Dead, null,
                $"{w.Stored.Workflow.Error}; the compensation of step '{next.StepId}' could not be made: {ex.Message}", now).ConfigureAwait(false);
            return false;
        }
        if (await EnqueueAsync(tx, w.Run, compensate, input, null, now).ConfigureAwait(false) is not { State: not RunState.Skipped } run)
        {
            await w.SaveAsync(tx, next with { CompensationState = StepStates.Failed }).ConfigureAwait(false);
            await EndAsync(tx, w, WorkflowStates.CompensationFailed, RunState.Dead, null,
                $"{w.Stored.Workflow.Error}; the compensation of step '{next.StepId}' could not start (its job is missing or skipped the run)", now).ConfigureAwait(false);
            return false;
        }
        await w.SaveAsync(tx, next with { CompensationState = StepStates.Started, CompensationRunId = run.RunId }).ConfigureAwait(false);
        return true;
    }

    /// <summary>Ends the workflow and its run; steps still going are cancelled.</summary>
    private static async ValueTask EndAsync(IDriverTransaction tx, Moving w, string state, RunState runState, string? output, string? error, DateTimeOffset now)
    {
        await tx.UpdateWorkflowAsync(w.Run.Id, state, error, now).ConfigureAwait(false);
        w.SetState(state, error);
        if (!await tx.FinishWaitingRunAsync(w.Run.Id, runState, output, error, now).ConfigureAwait(false))
        {
            return;
        }
        var kind = runState switch
        {
            RunState.Succeeded => "run.succeeded",
            RunState.Cancelled => "run.cancelled",
            _ => "run.dead",
        };
        await tx.AppendJournalAsync(now, kind, w.Run.JobName, w.Run.Id, w.Run.TriggerId,
            JsonSerializer.Serialize(new { workflow = state, error }, KairosJson.Options)).ConfigureAwait(false);
        await CancelStepsStillGoingAsync(tx, w, now).ConfigureAwait(false);
        if (w.Stored.Workflow.TimeoutRunId is { } timer)
        {
            await Engine.Lifecycle.RunControl.CancelAsync(tx, timer, now, $"workflow run {w.Run.Id} ended").ConfigureAwait(false);
        }
        await Engine.Lifecycle.RunEnded.AfterAsync(tx, w.Run.Id, w.Run.JobName, w.Run.TriggerId, runState, now).ConfigureAwait(false);
    }

    private static async ValueTask CancelStepsStillGoingAsync(IDriverTransaction tx, Moving w, DateTimeOffset now)
    {
        // Taken from a copy: cancelling a queued step ends its run, which calls back here and saves its row.
        foreach (var id in w.Stored.Steps.Where(s => s.State == StepStates.Started).Select(s => s.RunId!.Value).ToList())
        {
            await Engine.Lifecycle.RunControl.CancelAsync(tx, id, now, $"workflow run {w.Run.Id} ended").ConfigureAwait(false);
        }
    }

    /// <summary>A workflow being moved: its run, its definition, and its rows as this transaction has changed them.</summary>
    private sealed class Moving(RunRecord run, WorkflowExecutorSpec spec, StoredWorkflow stored)
    {
        private string? _context;

        public RunRecord Run => run;
        public WorkflowExecutorSpec Spec => spec;
        public StoredWorkflow Stored { get; private set; } = stored;

        public WorkflowStepRow Row(string id) => Stored.Steps.First(s => s.StepId == id);

        public WorkflowStep Step(string id) => spec.Steps.First(s => s.Id == id);

        /// <summary>The template context as the steps stand now (built again only after a step changed).</summary>
        public string Context() => _context ??= WorkflowContext.Build(run.Payload, Stored.Steps);

        public async ValueTask SaveAsync(IDriverTransaction tx, WorkflowStepRow row)
        {
            await tx.SaveWorkflowStepsAsync(run.Id, [row]).ConfigureAwait(false);
            Stored = Stored with { Steps = Stored.Steps.Select(s => s.StepId == row.StepId ? row : s).ToList() };
            _context = null;
        }

        public async ValueTask InsertAsync(IDriverTransaction tx, IReadOnlyList<WorkflowStepRow> rows)
        {
            await tx.InsertWorkflowStepsAsync(run.Id, rows).ConfigureAwait(false);
            Stored = Stored with { Steps = [.. Stored.Steps, .. rows] };
        }

        public void SetState(string state, string? error) => Stored = Stored with { Workflow = Stored.Workflow with { State = state, Error = error } };
    }
}
