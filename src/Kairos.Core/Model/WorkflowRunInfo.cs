namespace Kairos.Model;

/// <summary>
/// Where a workflow's run stands: its state (<c>running</c>, <c>succeeded</c>, <c>failed</c>,
/// <c>compensating</c>, <c>compensated</c>, <c>compensation-failed</c>, <c>cancelled</c>) and each step's.
/// </summary>
public sealed record WorkflowRunInfo(long RunId, string Job, string State, DateTimeOffset CreatedAt, IReadOnlyList<WorkflowStepInfo> Steps)
{
    public string? Error { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>The version of the workflow's definition the run goes on with (<see cref="WorkflowVersion"/>); null for a run started before versions were kept.</summary>
    public int? Version { get; init; }
}

/// <summary>
/// One version of a workflow job's definition: 1 for the first saved, then one more each time a save changes the workflow.
/// A run goes on with the version it started with until it ends or is migrated.
/// </summary>
public sealed record WorkflowVersion(string Job, int Version, WorkflowExecutorSpec Definition, DateTimeOffset CreatedAt);

/// <summary>
/// One step of a workflow's run: <c>pending</c>, <c>started</c> (its run is queued or running),
/// <c>succeeded</c>, <c>failed</c>, <c>skipped</c> or <c>cancelled</c>; the run that executes it, its
/// output or error (for a skipped step: why), and its compensation's run and state.
/// </summary>
public sealed record WorkflowStepInfo(string Id, string State)
{
    public long? RunId { get; init; }
    public string? Output { get; init; }
    public string? Error { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public long? CompensationRunId { get; init; }
    public string? CompensationState { get; init; }
}
