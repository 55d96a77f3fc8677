using Kairos.Model;

namespace Kairos.Client;

/// <summary>Workflows: where a workflow's run and its steps stand.</summary>
internal sealed partial class KairosClient
{
    public async Task<EnqueueResult> StartWorkflowAsync(string jobName, string? input = null, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        var job = await GetJobAsync(jobName, cancellationToken).ConfigureAwait(false) ?? throw new KairosNotFoundException($"job '{jobName}' does not exist");
        if (job.Definition.Executor is not WorkflowExecutorSpec)
        {
            throw new KairosValidationException($"job '{jobName}' is not a workflow (its executor is {job.Definition.Executor.Kind})");
        }
        return await RunNowAsync(jobName, input, idempotencyKey, cancellationToken).ConfigureAwait(false);
    }

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
