using Kairos.Executors;

namespace Kairos.Workflows;

/// <summary>
/// Executes a workflow's run by handing it to <see cref="WorkflowRuns"/>: the run waits, and its steps
/// start in the transaction that records that (nothing of the workflow runs on this node's worker).
/// </summary>
internal sealed class WorkflowExecutor : IJobExecutor
{
    public string Kind => Model.ExecutorKinds.Workflow;

    public Task<ExecutionResult> ExecuteAsync(Executors.ExecutionContext context, CancellationToken cancellationToken) =>
        Task.FromResult(new ExecutionResult { Succeeded = true, Waits = true });
}
