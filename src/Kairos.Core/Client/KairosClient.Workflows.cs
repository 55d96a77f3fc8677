using Kairos.Model;

namespace Kairos.Client;

/// <summary>Workflows: where a workflow's run and its steps stand.</summary>
internal sealed partial class KairosClient
{
    public async Task<WorkflowRunInfo> GetWorkflowRunAsync(long runId, CancellationToken cancellationToken = default)
    {
        await FindRunAsync(runId, cancellationToken).ConfigureAwait(false);
        var stored = await Store.GetWorkflowAsync(runId, cancellationToken).ConfigureAwait(false)
            ?? throw new KairosNotFoundException($"run {runId} is not a workflow's run, or its workflow has not started yet");
        var w = stored.Workflow;
        return new WorkflowRunInfo(w.RunId, w.JobName, w.State, w.CreatedAt, stored.Steps.Select(s => new WorkflowStepInfo(s.StepId, s.State)
        {
            RunId = s.RunId,
            Output = s.Output,
            Error = s.Error,
            StartedAt = s.StartedAt,
            FinishedAt = s.FinishedAt,
            CompensationRunId = s.CompensationRunId,
            CompensationState = s.CompensationState,
        }).ToList())
        {
            Error = w.Error,
            FinishedAt = w.FinishedAt,
        };
    }
}
