using System.Collections.Immutable;
using Kairos.Model;
using Kairos.Storage.Drivers;

namespace Kairos.Storage.Memory;

/// <summary>Workflow state's primitives (the rules are in src/Kairos.Core/Workflows).</summary>
internal sealed partial class MemoryStore
{
    public Task<StoredWorkflow?> GetWorkflowAsync(long runId, CancellationToken cancellationToken) =>
        Read(state => state.Workflows.GetValueOrDefault(runId), cancellationToken);

    public Task<WorkflowVersionRow?> GetWorkflowVersionAsync(string jobName, int? version, CancellationToken cancellationToken) =>
        Read(state => WorkflowVersion(state, jobName, version), cancellationToken);

    private static WorkflowVersionRow? WorkflowVersion(MemoryState state, string jobName, int? version) =>
        state.WorkflowVersions.GetValueOrDefault(jobName)?.LastOrDefault(v => version is null || v.Version == version);

    private sealed partial class Transaction
    {
        public ValueTask<bool> FinishWaitingRunAsync(long runId, RunState state, string? output, string? error, DateTimeOffset at)
        {
            if (State.Runs.GetValueOrDefault(runId) is not { Run.State: RunState.Waiting })
            {
                return ValueTask.FromResult(false);
            }
            UpdateRun(runId, r => r with { State = state, Output = output, Error = error, FinishedAt = Stored(at) });
            return ValueTask.FromResult(true);
        }

        public ValueTask ReopenRunWaitingAsync(long runId)
        {
            UpdateRun(runId, r => r with { State = RunState.Waiting, Output = null, Error = null, FinishedAt = null, CancelRequested = false });
            return ValueTask.CompletedTask;
        }

        public ValueTask InsertWorkflowAsync(WorkflowRow workflow)
        {
            State = State with { Workflows = State.Workflows.Add(workflow.RunId, new StoredWorkflow(workflow with { CreatedAt = Stored(workflow.CreatedAt) }, [])) };
            return ValueTask.CompletedTask;
        }

        public ValueTask InsertWorkflowStepsAsync(long runId, IReadOnlyList<WorkflowStepRow> steps)
        {
            if (State.Workflows.TryGetValue(runId, out var stored))
            {
                var rows = stored.Steps.Concat(steps.Select(s => s with { StartedAt = Stored(s.StartedAt), FinishedAt = Stored(s.FinishedAt) })).OrderBy(s => s.Ordinal).ToList();
                State = State with { Workflows = State.Workflows.SetItem(runId, stored with { Steps = rows }) };
            }
            return ValueTask.CompletedTask;
        }

        public ValueTask<StoredWorkflow?> GetWorkflowForUpdateAsync(long runId) => ValueTask.FromResult(State.Workflows.GetValueOrDefault(runId));

        // One transaction at a time: every row is held already.
        public ValueTask LockWorkflowsAsync(IReadOnlyList<long> stepRunIds, IReadOnlyList<long> workflowRunIds) => ValueTask.CompletedTask;

        public ValueTask UpdateWorkflowAsync(long runId, string state, string? error, DateTimeOffset? finishedAt)
        {
            if (State.Workflows.TryGetValue(runId, out var stored))
            {
                State = State with { Workflows = State.Workflows.SetItem(runId, stored with { Workflow = stored.Workflow with { State = state, Error = error, FinishedAt = Stored(finishedAt) } }) };
            }
            return ValueTask.CompletedTask;
        }

        public ValueTask SetWorkflowTimeoutAsync(long runId, long? timeoutRunId)
        {
            if (State.Workflows.TryGetValue(runId, out var stored))
            {
                State = State with { Workflows = State.Workflows.SetItem(runId, stored with { Workflow = stored.Workflow with { TimeoutRunId = timeoutRunId } }) };
            }
            return ValueTask.CompletedTask;
        }

        public ValueTask SaveWorkflowStepsAsync(long runId, IReadOnlyList<WorkflowStepRow> steps)
        {
            if (State.Workflows.TryGetValue(runId, out var stored))
            {
                var changed = steps.ToDictionary(s => s.StepId, StringComparer.Ordinal);
                var rows = stored.Steps.Select(s => changed.TryGetValue(s.StepId, out var row)
                    ? row with { Ordinal = s.Ordinal, StartedAt = Stored(row.StartedAt), FinishedAt = Stored(row.FinishedAt) }
                    : s).ToList();
                State = State with { Workflows = State.Workflows.SetItem(runId, stored with { Steps = rows }) };
            }
            return ValueTask.CompletedTask;
        }

        public ValueTask DeleteWorkflowStepsAsync(long runId, IReadOnlyList<string> stepIds)
        {
            if (State.Workflows.TryGetValue(runId, out var stored))
            {
                State = State with { Workflows = State.Workflows.SetItem(runId, stored with { Steps = stored.Steps.Where(s => !stepIds.Contains(s.StepId)).ToList() }) };
            }
            return ValueTask.CompletedTask;
        }

        public ValueTask SetWorkflowDefinitionAsync(long runId, int version, string definition)
        {
            if (State.Workflows.TryGetValue(runId, out var stored))
            {
                State = State with { Workflows = State.Workflows.SetItem(runId, stored with { Workflow = stored.Workflow with { Definition = definition, Version = version } }) };
            }
            return ValueTask.CompletedTask;
        }

        public ValueTask<WorkflowVersionRow?> GetWorkflowVersionAsync(string jobName, int? version) =>
            ValueTask.FromResult(WorkflowVersion(State, jobName, version));

        public ValueTask InsertWorkflowVersionAsync(WorkflowVersionRow version)
        {
            var versions = State.WorkflowVersions.GetValueOrDefault(version.JobName) ?? [];
            State = State with { WorkflowVersions = State.WorkflowVersions.SetItem(version.JobName, versions.Add(version with { CreatedAt = Stored(version.CreatedAt) })) };
            return ValueTask.CompletedTask;
        }
    }
}
