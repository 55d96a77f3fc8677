using Kairos.Model;

namespace Kairos.Workflows;

/// <summary>What a person does to a workflow's run (API, CLI, dashboard, library).</summary>
internal enum WorkflowOperation
{
    /// <summary>Start again from the steps that did not succeed, with the same inputs.</summary>
    Retry,

    /// <summary>End one step with a given output, and move on.</summary>
    Skip,

    /// <summary>Start no new step until resumed.</summary>
    Pause,

    Resume,

    /// <summary>Cancel the steps going and end cancelled.</summary>
    Cancel,

    /// <summary>As <see cref="Cancel"/>, then compensate the succeeded steps, each after the steps that needed it.</summary>
    CancelCompensating,

    /// <summary>Go on with another version of the workflow's definition.</summary>
    Migrate,
}

/// <summary>
/// The one place that says which workflow state allows which operation, and which step a skip may end.
/// A refusal is a <see cref="KairosConflictException"/> (HTTP 409) that says the state the run is in.
/// </summary>
internal static class WorkflowOperations
{
    private static readonly Dictionary<WorkflowOperation, string[]> AllowedIn = new()
    {
        // Retrying a compensated run would run again steps whose effects were undone: not offered.
        [WorkflowOperation.Retry] = [WorkflowStates.Failed, WorkflowStates.Cancelled],
        // A failed workflow's failed step may be given an output: the workflow goes on from there.
        [WorkflowOperation.Skip] = [WorkflowStates.Running, WorkflowStates.Paused, WorkflowStates.Failed],
        [WorkflowOperation.Pause] = [WorkflowStates.Running],
        [WorkflowOperation.Resume] = [WorkflowStates.Paused],
        [WorkflowOperation.Cancel] = [WorkflowStates.Running, WorkflowStates.Paused, WorkflowStates.Compensating, WorkflowStates.Cancelling],
        [WorkflowOperation.CancelCompensating] = [WorkflowStates.Running, WorkflowStates.Paused],
        [WorkflowOperation.Migrate] = [WorkflowStates.Running, WorkflowStates.Paused],
    };

    public static bool Allows(WorkflowOperation operation, string state) => AllowedIn[operation].Contains(state);

    /// <exception cref="KairosConflictException">The workflow's state does not allow <paramref name="operation"/>.</exception>
    public static void Ensure(WorkflowOperation operation, long runId, string state)
    {
        if (!Allows(operation, state))
        {
            throw new KairosConflictException(
                $"workflow run {runId} is {state}: {Name(operation)} needs it {string.Join(" or ", AllowedIn[operation])}");
        }
    }

    /// <summary>
    /// A skip ends a step that failed (in a workflow that failed) or a step whose run is queued (a step not
    /// started yet by the dispatcher, a sleep, a wait for an event); a running step's run must end first.
    /// </summary>
    /// <exception cref="KairosConflictException">The step is in no state a skip may end.</exception>
    public static void EnsureSkippable(string workflowState, string stepId, string stepState, RunState? stepRun)
    {
        if (!IsSkippable(workflowState, stepState, stepRun))
        {
            var where = stepState == StepStates.Started && stepRun is { } run ? $"{stepState} (its run is {run.ToWire()})" : stepState;
            throw new KairosConflictException(
                $"step '{stepId}' is {where} in a workflow that is {workflowState}: a skip ends a failed step of a failed workflow, or a step whose run is queued");
        }
    }

    /// <summary>Whether a skip may end a step in <paramref name="stepState"/> (its run in <paramref name="stepRun"/>) of a workflow in <paramref name="workflowState"/>.</summary>
    public static bool IsSkippable(string workflowState, string stepState, RunState? stepRun) =>
        Allows(WorkflowOperation.Skip, workflowState) && (workflowState == WorkflowStates.Failed
            ? stepState == StepStates.Failed
            : stepState == StepStates.Started && stepRun == RunState.Queued);

    private static string Name(WorkflowOperation operation) => operation switch
    {
        WorkflowOperation.CancelCompensating => "cancel with compensation",
        _ => operation.ToString().ToLowerInvariant(),
    };
}
