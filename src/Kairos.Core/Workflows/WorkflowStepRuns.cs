using System.Text.Json;
using Kairos.Executors;
using Kairos.Model;
using Kairos.Storage;

namespace Kairos.Workflows;

/// <summary>
/// What a run of <see cref="WorkflowStepJob"/> executes: the inline executor of its step (or of the
/// step's compensation) as the definition its workflow run started with has it, with the step's
/// retry and timeout. A sleep step has nothing to execute: its run was only due later. A waitForEvent
/// step's run looks back for its event (<see cref="EventWaits"/>).
/// </summary>
internal static class WorkflowStepRuns
{
    /// <summary>The job to execute the run as, or the result it already has.</summary>
    public static async Task<(JobDefinition? Job, ExecutionResult? Result)> ResolveAsync(IKairosStore store, RunRecord run, JobDefinition stepJob, CancellationToken cancellationToken)
    {
        if (run.ExecutorKind == WorkflowStepJob.TimeoutKind)
        {
            return (null, ExecutionResult.Success(null)); // The workflow's timeout: its end is the news.
        }
        var stored = run.ParentRunId is { } parent ? await store.GetWorkflowAsync(parent, cancellationToken).ConfigureAwait(false) : null;
        if (stored is null || JsonSerializer.Deserialize<ExecutorSpec>(stored.Workflow.Definition, KairosJson.Options) is not WorkflowExecutorSpec spec)
        {
            return (null, ExecutionResult.Failure($"run {run.Id} belongs to no workflow run", retryable: false));
        }
        WorkflowAction? action = null;
        if (stored.Steps.FirstOrDefault(s => s.RunId == run.Id) is { } step)
        {
            action = spec.Steps.FirstOrDefault(s => s.Id == StepItems.StepOf(step.StepId));
        }
        else if (stored.Steps.FirstOrDefault(s => s.CompensationRunId == run.Id) is { } compensated)
        {
            action = spec.Steps.FirstOrDefault(s => s.Id == compensated.StepId)?.Compensate;
        }
        if (action is WorkflowStep { WaitForEvent: not null })
        {
            var data = await store.WriteAsync(tx => EventWaits.LookBackAsync(tx, run.Id), cancellationToken).ConfigureAwait(false);
            return (null, ExecutionResult.Success(data));
        }
        return action switch
        {
            null => (null, ExecutionResult.Failure($"run {run.Id} is no step of workflow run {run.ParentRunId}", retryable: false)),
            WorkflowStep { Sleep: not null } => (null, ExecutionResult.Success(null)),
            { Run: { } executor } => (stepJob with { Executor = executor, Retry = action.Retry ?? RetryPolicy.Default, Timeout = action.Timeout }, null),
            _ => (null, ExecutionResult.Failure($"the step of run {run.Id} has no inline executor", retryable: false)),
        };
    }
}
