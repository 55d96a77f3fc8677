using Kairos.Model;

namespace Kairos.Storage.Drivers;

/// <summary>What a run takes from its job when it is enqueued.</summary>
internal sealed record JobSettings(string Queue, string ExecutorKind, int Priority, int MaxAttempts, int? MaxInstances, bool SkipOnOverlap, bool Paused)
{
    /// <summary>The job records overlapping runs as skipped (it has an instance limit and says to skip).</summary>
    public bool SkipsOverlaps => SkipOnOverlap && MaxInstances is not null;

    /// <summary>The job's flow control as stored (JSON of <see cref="FlowControl"/>); null: none, and its runs take the plain paths.</summary>
    public string? Flow { get; init; }
}

/// <summary>A run row to insert, every column decided.</summary>
internal sealed record NewRun(
    string JobName,
    string Queue,
    string ExecutorKind,
    int Priority,
    RunState State,
    int MaxAttempts,
    string Source,
    DateTimeOffset CreatedAt,
    DateTimeOffset DueAt)
{
    public long? TriggerId { get; init; }
    public long? ParentRunId { get; init; }
    public string? Payload { get; init; }
    public string? IdempotencyKey { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public long? EventId { get; init; }
    public string? Subscription { get; init; }
    public int ChainDepth { get; init; }
    public string? DedupeKey { get; init; }

    /// <summary>The run's concurrency keys with their limits (<see cref="Engine.Flow.ConcurrencySlots"/>); null: none.</summary>
    public string? FlowKeys { get; init; }

    /// <summary>Queued while its job is paused: kept out of the claim order until the job resumes.</summary>
    public bool Held { get; init; }

    /// <summary>The row for <paramref name="request"/>: a past not-before keeps its place in the due-time order.</summary>
    public static NewRun For(RunRequest request, JobSettings job, RunState state, DateTimeOffset now) =>
        new(request.JobName, job.Queue, job.ExecutorKind, request.Priority ?? job.Priority, state, job.MaxAttempts, request.Source, now, request.NotBefore ?? now)
        {
            TriggerId = request.TriggerId,
            ParentRunId = request.ParentRunId,
            Payload = request.Payload,
            IdempotencyKey = request.IdempotencyKey,
            FinishedAt = state == RunState.Skipped ? now : null,
            EventId = request.EventId,
            Subscription = request.Subscription,
            ChainDepth = request.ChainDepth,
            DedupeKey = request.DedupeKey,
            Held = job.Paused && state == RunState.Queued,
        };
}

/// <summary>A queued or running run of a trigger, as the overlap rules read it.</summary>
internal sealed record TriggerRun(long Id, RunState State, DateTimeOffset DueAt);

/// <summary>A queued or running run of a job, as the cancelOn rules read it.</summary>
internal sealed record ActiveRun(long Id, DateTimeOffset CreatedAt, string? Payload);

/// <summary>A job with cancelOn rules, and the rules as its row stores them (<see cref="Engine.Flow.CancelOnEvents.Stored"/>).</summary>
internal sealed record CancelRules(string JobName, string Rules);

/// <summary>One journal entry to append.</summary>
internal sealed record JournalWrite(DateTimeOffset At, string Kind, string? JobName, long? RunId, long? TriggerId, string? Data);

/// <summary>What rules about a run's lifecycle read of it.</summary>
internal sealed record RunSummary(long Id, string JobName, long? TriggerId, RunState State, int Attempt, int MaxAttempts);

/// <summary>A run whose outcome was just stored: what its journal entries need.</summary>
internal sealed record CompletedRun(string JobName, long? TriggerId, int Attempt, DateTimeOffset? StartedAt);

/// <summary>A queued run a claim may take, with what its limits need; its claim-order position is (Priority desc, DueAt, Id).</summary>
internal sealed record ClaimCandidate(long Id, string JobName, string Queue, string ExecutorKind, long? MaxInstances, long JobVersion, int Priority, DateTimeOffset DueAt)
{
    /// <summary>The run's concurrency keys with their limits, as stored at enqueue; null: none.</summary>
    public string? FlowKeys { get; init; }

    /// <summary>Attempts the run has had so far (the claim starts attempt <c>Attempt + 1</c>).</summary>
    public int Attempt { get; init; }

    /// <summary>The trigger that fired the run; null when none did.</summary>
    public long? TriggerId { get; init; }
}

/// <summary>A claimed run and the time its attempt starts.</summary>
internal sealed record RunStart(long Id, DateTimeOffset StartedAt);

/// <summary>One key's state for the enqueue-time flow rules: a time (GCRA's, or when a debounce began) and a run.</summary>
internal sealed record FlowState(DateTimeOffset At, long? RunId);

/// <summary>How many runs of one job, queue and executor kind are running, on every node.</summary>
internal sealed record RunningCount(string JobName, string Queue, string ExecutorKind, long Count);

/// <summary>A definition the configuration declared: <see cref="Kind"/> is "job", "webhook" or "subscription".</summary>
internal sealed record DeclaredName(string Kind, string Name);
