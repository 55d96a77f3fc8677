using Kairos.Client;
using Kairos.Model;

namespace Kairos.Server.Dashboard;

/// <summary>
/// A workflow's run for its page: where it stands (<see cref="WorkflowRunInfo"/>), its graph coloured
/// by step state, and the run of each step (attempts, input). The graph is drawn from the job's
/// definition as it is now; a step the definition no longer has is listed, not drawn.
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
        var graph = (await kairos.GetJobAsync(run.JobName, ct))?.Definition.Executor is WorkflowExecutorSpec spec ? WorkflowGraph.Of(spec, states) : null;
        return new WorkflowRunView(info, graph, children.ToDictionary(c => c.Id), null);
    }

    public RunRecord? StepRun(WorkflowStepInfo step) => step.RunId is { } id ? StepRuns.GetValueOrDefault(id) : null;
}
