using Kairos.Client;
using Kairos.Model;
using Kairos.Workflows;

namespace Kairos.Server.Dashboard;

/// <summary>
/// A workflow's run for its page: where it stands (<see cref="WorkflowRunInfo"/>), its graph coloured
/// by step state, and the run of each step (attempts, input). The graph is drawn from the version of the
/// definition the run goes on with (for a run started before versions were kept, the job's definition as it is now).
/// </summary>
public sealed record WorkflowRunView(WorkflowRunInfo Info, WorkflowGraph? Graph, IReadOnlyDictionary<long, RunRecord> StepRuns, string? Missing)
{
    /// <summary>The view of the workflow run <paramref name="run"/>, given the runs it started; with <see cref="Missing"/> saying why there is nothing to show yet.</summary>
    public static async Task<WorkflowRunView> LoadAsync(IKairosClient kairos, RunRecord run, IReadOnlyList<RunRecord> children, CancellationToken ct)
    {
        WorkflowRunInfo info;
        try
        {
            info = await kairos.GetWorkflowRunAsync(run.Id, ct);
        }
        catch (KairosNotFoundException)
        {
            return new WorkflowRunView(new WorkflowRunInfo(run.Id, run.JobName, "pending", run.CreatedAt, []), null, new Dictionary<long, RunRecord>(),
                "The workflow has not started yet: its steps appear once the run starts.");
        }
        var states = info.Steps.ToDictionary(s => s.Id, s => s.State, StringComparer.Ordinal);
        var spec = (await kairos.GetJobAsync(run.JobName, ct))?.Definition.Executor as WorkflowExecutorSpec;
        if (spec is not null && info.Version is { } version)
        {
            spec = (await kairos.GetWorkflowVersionAsync(run.JobName, version, ct)).Definition;
        }
        var graph = spec is null ? null : WorkflowGraph.Of(spec, states); // None once the job is deleted or is no workflow any more.
        return new WorkflowRunView(info, graph, children.ToDictionary(c => c.Id), null);
    }

    public RunRecord? StepRun(WorkflowStepInfo step) => step.RunId is { } id ? StepRuns.GetValueOrDefault(id) : null;

    // Which buttons the page offers: the states that allow each operation are Core's to say (WorkflowOperations).
    public bool CanRetry => Allows(WorkflowOperation.Retry);
    public bool CanPause => Allows(WorkflowOperation.Pause);
    public bool CanResume => Allows(WorkflowOperation.Resume);
    public bool CanCancel => Allows(WorkflowOperation.Cancel);
    public bool CanCancelCompensating => Allows(WorkflowOperation.CancelCompensating);

    /// <summary>Whether the step may be skipped now: queued or waiting in a workflow going on, or failed in a failed workflow.</summary>
    public bool CanSkip(WorkflowStepInfo step) => Missing is null && WorkflowOperations.IsSkippable(Info.State, step.State, StepRun(step)?.State);

    private bool Allows(WorkflowOperation operation) => Missing is null && WorkflowOperations.Allows(operation, Info.State);
}
