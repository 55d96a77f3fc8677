namespace Kairos.Model;

/// <summary>
/// Lifecycle: queued → running → succeeded | queued (retry later) | dead (attempts used up or not
/// retryable) | cancelled; a workflow run goes running → waiting (its steps run) → succeeded | dead | cancelled. A run can also be created as skipped (overlap policy skip). A dead,
/// cancelled or succeeded run can be retried by hand, which queues it again.
/// </summary>
public enum RunState
{
    Queued,
    Running,
    Succeeded,
    Dead,
    Cancelled,
    Skipped,

    /// <summary>A workflow run whose steps are under way: neither claimed nor leased; it ends when its steps do.</summary>
    Waiting,
}

public static class RunStates
{
    public static string ToWire(this RunState state) => state switch
    {
        RunState.Queued => "queued",
        RunState.Running => "running",
        RunState.Succeeded => "succeeded",
        RunState.Dead => "dead",
        RunState.Cancelled => "cancelled",
        RunState.Skipped => "skipped",
        RunState.Waiting => "waiting",
        _ => throw new ArgumentOutOfRangeException(nameof(state)),
    };

    public static bool TryParse(string text, out RunState state)
    {
        foreach (var candidate in Enum.GetValues<RunState>())
        {
            if (candidate.ToWire() == text)
            {
                state = candidate;
                return true;
            }
        }
        state = default;
        return false;
    }

    public static RunState Parse(string text) =>
        TryParse(text, out var state) ? state : throw new FormatException($"unknown run state '{text}'");

    public static bool IsFinished(this RunState state) =>
        state is RunState.Succeeded or RunState.Dead or RunState.Cancelled or RunState.Skipped;

    /// <summary>The state as its text, for a store that deletes finished runs; throws for queued and running, which are never deleted.</summary>
    public static string FinishedToWire(this RunState state) =>
        state.IsFinished() ? state.ToWire() : throw new ArgumentOutOfRangeException(nameof(state), state, "only finished runs are deleted");
}

/// <summary>A run as stored. Times are UTC.</summary>
public sealed record RunRecord
{
    public required long Id { get; init; }
    public required string JobName { get; init; }
    public required string Queue { get; init; }
    public required string ExecutorKind { get; init; }
    public required int Priority { get; init; }
    public required RunState State { get; init; }
    public required int Attempt { get; init; }
    public required int MaxAttempts { get; init; }
    public required string Source { get; init; }
    public long? TriggerId { get; init; }
    public long? ParentRunId { get; init; }
    public string? Payload { get; init; }
    public string? Output { get; init; }
    public string? Error { get; init; }
    public string? IdempotencyKey { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset DueAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public string? LeaseOwner { get; init; }
    public DateTimeOffset? LeaseExpiresAt { get; init; }
    public bool CancelRequested { get; init; }
    public long? EventId { get; init; }
    public string? Subscription { get; init; }
    public int ChainDepth { get; init; }

    /// <summary>Version of the job definition when the run was claimed (0 when not known).</summary>
    public long JobVersion { get; init; }
}

/// <summary>One line of a run's log (handler logger or command output).</summary>
public sealed record RunLogLine(DateTimeOffset At, string Stream, string Text);

/// <summary>An append-only journal entry: every state change, in the transaction that made it.</summary>
public sealed record JournalEntry(
    long Seq,
    DateTimeOffset At,
    string Kind,
    string? JobName,
    long? RunId,
    long? TriggerId,
    string? Node,
    string? Data);
