namespace Kairos.Workflows;

/// <summary>
/// Where a workflow run stands. <c>running</c> while its steps go on, <c>paused</c> when a person paused
/// it (steps going finish, none starts); then <c>succeeded</c>, <c>failed</c> (a step failed and the
/// workflow fails), <c>compensating</c> → <c>compensated</c> or <c>compensation-failed</c> (a compensation
/// failed after its retries: a person must look), or <c>cancelled</c> (when cancelled with compensation,
/// through <c>cancelling</c> while the compensations run). The workflow's run ends succeeded, dead or
/// cancelled to match. Which operation each state allows: <see cref="WorkflowOperations"/>.
/// </summary>
internal static class WorkflowStates
{
    public const string Running = "running";
    public const string Paused = "paused";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Compensating = "compensating";
    public const string Compensated = "compensated";
    public const string CompensationFailed = "compensation-failed";
    public const string Cancelled = "cancelled";
    public const string Cancelling = "cancelling";

    /// <summary>Whether the workflow still takes its steps' outcomes as they come (running or paused), rather than only recording them.</summary>
    public static bool TakesOutcomes(string state) => state is Running or Paused;

    /// <summary>Every workflow state, in the order a workflow may go through them.</summary>
    public static readonly IReadOnlyList<string> All = [Running, Paused, Succeeded, Failed, Compensating, Compensated, CompensationFailed, Cancelling, Cancelled];

    /// <summary>The state of the workflow's run while the workflow is in <paramref name="state"/>: waiting until it ends, then succeeded, dead or cancelled.</summary>
    public static Model.RunState RunStateOf(string state) => state switch
    {
        Running or Paused or Compensating or Cancelling => Model.RunState.Waiting,
        Succeeded => Model.RunState.Succeeded,
        Cancelled => Model.RunState.Cancelled,
        _ => Model.RunState.Dead,
    };
}

/// <summary>
/// Where a step stands: <c>pending</c> (waiting for the steps it needs), <c>started</c> (its run is
/// queued or running: the run shows which), then <c>succeeded</c>, <c>failed</c>, <c>skipped</c> or
/// <c>cancelled</c>. A compensation is <c>started</c>, <c>succeeded</c> or <c>failed</c>.
/// </summary>
internal static class StepStates
{
    public const string Pending = "pending";
    public const string Started = "started";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Skipped = "skipped";
    public const string Cancelled = "cancelled";

    public static bool HasEnded(string state) => state is Succeeded or Failed or Skipped or Cancelled;

    /// <summary>The step's state for the state its run ended in.</summary>
    public static string For(Model.RunState ended) => ended switch
    {
        Model.RunState.Succeeded => Succeeded,
        Model.RunState.Cancelled => Cancelled,
        Model.RunState.Skipped => Skipped,
        _ => Failed,
    };
}
