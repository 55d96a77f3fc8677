namespace Kairos.Storage.Drivers;

/// <summary>
/// A workflow run's state as stored: the definition it started with (JSON of its
/// <see cref="Model.WorkflowExecutorSpec"/>, kept so a later save of the job does not change a run in
/// flight) and where it stands (<see cref="Workflows.WorkflowStates"/>).
/// </summary>
internal sealed record WorkflowRow(long RunId, string JobName, string State, string Definition, DateTimeOffset CreatedAt)
{
    public string? Error { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>The run that fires the workflow's <see cref="Model.WorkflowExecutorSpec.Timeout"/>, when it has one.</summary>
    public long? TimeoutRunId { get; init; }

    /// <summary>The version of its job's definition <see cref="Definition"/> is (<see cref="WorkflowVersionRow"/>); null for a run started before versions were kept.</summary>
    public int? Version { get; init; }
}

/// <summary>
/// One version of a workflow job's definition (JSON of its <see cref="Model.WorkflowExecutorSpec"/>): 1 for the first saved,
/// then one more each time a save changes it (<see cref="Workflows.WorkflowVersions"/>).
/// </summary>
internal sealed record WorkflowVersionRow(string JobName, int Version, string Definition, DateTimeOffset CreatedAt);

/// <summary>
/// One step of a workflow run as stored (<see cref="Workflows.StepStates"/>): the run that executes it,
/// its output or error, <see cref="EndedSeq"/> (1 for the first step to end, 2 for the next… which
/// orders compensation), and its compensation's run and state.
/// </summary>
internal sealed record WorkflowStepRow(string StepId, int Ordinal, string State)
{
    public long? RunId { get; init; }
    public string? Output { get; init; }
    public string? Error { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public int? EndedSeq { get; init; }
    public long? CompensationRunId { get; init; }
    public string? CompensationState { get; init; }
}

/// <summary>A workflow run with its steps in definition order.</summary>
internal sealed record StoredWorkflow(WorkflowRow Workflow, IReadOnlyList<WorkflowStepRow> Steps);

/// <summary>
/// A <c>waitForEvent</c> step's wait, keyed by the run the step is in (<see cref="Workflows.EventWaits"/>):
/// the namespace and type pattern it waits for, its match (<see cref="Workflows.EventMatch"/>) with the
/// run's values it reads frozen as JSON, the instant from which events count (the workflow run's
/// creation) and its deadline; once an event is taken, its id and data.
/// </summary>
internal sealed record EventWaitRow(long RunId, long WorkflowRunId, string Namespace, string Type, DateTimeOffset Since, DateTimeOffset Deadline)
{
    public string? Match { get; init; }
    public string? Values { get; init; }
    public long? EventId { get; init; }
    public string? Data { get; init; }
}
