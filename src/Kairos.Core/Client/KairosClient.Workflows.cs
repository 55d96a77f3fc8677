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

    public async Task<WorkflowRunInfo> SendToWorkflowStepAsync(long runId, string stepId, string? data, CancellationToken cancellationToken = default)
    {
        KairosJson.EnsureValid(data, "data");
        var workflow = await GetWorkflowRunAsync(runId, cancellationToken).ConfigureAwait(false);
        var stored = await Store.GetWorkflowAsync(runId, cancellationToken).ConfigureAwait(false);
        var spec = System.Text.Json.JsonSerializer.Deserialize<ExecutorSpec>(stored!.Workflow.Definition, KairosJson.Options) as WorkflowExecutorSpec;
        var step = workflow.Steps.FirstOrDefault(s => s.Id == stepId) ?? throw new KairosNotFoundException($"workflow run {runId} has no step '{stepId}'");
        if (spec?.Steps.FirstOrDefault(s => s.Id == stepId)?.WaitForEvent is null)
        {
            throw new KairosValidationException($"step: '{stepId}' is no waitForEvent step: only those take an event");
        }
        if (!Workflows.WorkflowStates.TakesOutcomes(workflow.State) || step.State != Workflows.StepStates.Started)
        {
            throw new KairosConflictException($"step '{stepId}' is {step.State} in a workflow that is {workflow.State}: only a step that waits takes an event");
        }
        await Store.WriteAsync(async tx =>
        {
            await Workflows.EventWaits.SendAsync(tx, step.RunId!.Value, data, Clock.GetUtcNow()).ConfigureAwait(false);
            return 0;
        }, cancellationToken).ConfigureAwait(false);
        engine.Dispatcher.Wake(); // The steps that follow it are queued.
        return await GetWorkflowRunAsync(runId, cancellationToken).ConfigureAwait(false);
    }

    public Task<WorkflowRunInfo> RetryWorkflowAsync(long runId, CancellationToken cancellationToken = default) =>
        OperateAsync(runId, (tx, now) => Workflows.WorkflowRuns.RetryAsync(tx, runId, now), cancellationToken);

    public Task<WorkflowRunInfo> SkipWorkflowStepAsync(long runId, string stepId, string? output = null, CancellationToken cancellationToken = default)
    {
        KairosJson.EnsureValid(output, "output");
        return OperateAsync(runId, (tx, now) => Workflows.WorkflowRuns.SkipStepAsync(tx, runId, stepId, output, now), cancellationToken);
    }

    public Task<WorkflowRunInfo> PauseWorkflowAsync(long runId, CancellationToken cancellationToken = default) =>
        OperateAsync(runId, (tx, now) => Workflows.WorkflowRuns.PauseAsync(tx, runId, now), cancellationToken);

    public Task<WorkflowRunInfo> ResumeWorkflowAsync(long runId, CancellationToken cancellationToken = default) =>
        OperateAsync(runId, (tx, now) => Workflows.WorkflowRuns.ResumeAsync(tx, runId, now), cancellationToken);

    public Task<WorkflowRunInfo> CancelWorkflowAsync(long runId, bool compensate = false, CancellationToken cancellationToken = default) =>
        OperateAsync(runId, (tx, now) => Workflows.WorkflowRuns.CancelAsync(tx, runId, compensate, now), cancellationToken, stopsRuns: true);

    /// <summary>
    /// Moving a run onto another version changes what it executes, so a version with a command step needs
    /// what declaring one needs (an older version may hold a step an admin has since taken out). The
    /// scope, write, is the endpoint's to check, as for every other operation.
    /// </summary>
    public async Task<WorkflowRunInfo> MigrateWorkflowAsync(long runId, int toVersion, CancellationToken cancellationToken = default)
    {
        if (await GetRunAsync(runId, cancellationToken).ConfigureAwait(false) is { } run
            && await Store.GetWorkflowVersionAsync(run.JobName, toVersion, cancellationToken).ConfigureAwait(false) is { } target)
        {
            Access.Authorization.RequireMayDeclare(Caller, new JobDefinition { Name = run.JobName, Executor = Workflows.WorkflowVersions.Parse(target.Definition)! });
        }
        return await OperateAsync(runId, (tx, now) => Workflows.WorkflowRuns.MigrateAsync(tx, runId, toVersion, now), cancellationToken).ConfigureAwait(false);
    }

    public async Task<WorkflowVersion> GetWorkflowVersionAsync(string jobName, int? version = null, CancellationToken cancellationToken = default)
    {
        var job = (await GetJobAsync(jobName, cancellationToken).ConfigureAwait(false))?.Definition.Name ?? throw new KairosNotFoundException($"job '{jobName}' does not exist");
        var row = await Store.GetWorkflowVersionAsync(job, version, cancellationToken).ConfigureAwait(false)
            ?? throw new KairosNotFoundException(version is null ? $"job '{jobName}' has no workflow version" : $"workflow '{jobName}' has no version {version}");
        return new WorkflowVersion(row.JobName, row.Version, Workflows.WorkflowVersions.Parse(row.Definition)!, row.CreatedAt);
    }

    /// <summary>
    /// One operation on a workflow run (of this client's namespace) in one transaction, answered with the run as that
    /// transaction left it (not as the steps it queued may have moved it since); the dispatcher is woken for those steps
    /// and, when the operation <paramref name="stopsRuns"/>, beats at once to stop the step runs it flagged here.
    /// </summary>
    private async Task<WorkflowRunInfo> OperateAsync(long runId, Func<Storage.Drivers.IDriverTransaction, DateTimeOffset, ValueTask> operation, CancellationToken cancellationToken,
        bool stopsRuns = false)
    {
        await FindRunAsync(runId, cancellationToken).ConfigureAwait(false);
        var left = await Store.WriteAsync(async tx =>
        {
            await operation(tx, Clock.GetUtcNow()).ConfigureAwait(false);
            return (await tx.GetWorkflowForUpdateAsync(runId).ConfigureAwait(false))!;
        }, cancellationToken).ConfigureAwait(false);
        engine.Dispatcher.Wake();
        if (stopsRuns)
        {
            await engine.Dispatcher.BeatAsync(cancellationToken).ConfigureAwait(false);
        }
        return Info(left);
    }

    public async Task<WorkflowRunInfo> GetWorkflowRunAsync(long runId, CancellationToken cancellationToken = default)
    {
        await FindRunAsync(runId, cancellationToken).ConfigureAwait(false);
        var stored = await Store.GetWorkflowAsync(runId, cancellationToken).ConfigureAwait(false)
            ?? throw new KairosNotFoundException($"run {runId} is not a workflow's run, or its workflow has not started yet");
        return Info(stored);
    }

    private static WorkflowRunInfo Info(Storage.Drivers.StoredWorkflow stored)
    {
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
            Version = w.Version,
        };
    }
}
