namespace Kairos.Model;

/// <summary>
/// The one way work enters Kairos: every trigger, API call and library call becomes a RunRequest
/// passed to <c>Enqueue</c>. <see cref="Payload"/> is JSON text (null means none).
/// </summary>
public sealed record RunRequest(string JobName, string Source)
{
    public string? Payload { get; init; }

    /// <summary>A second request with the same job and key returns the first run instead of a new one.</summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>Overrides the job's priority (1–10).</summary>
    public int? Priority { get; init; }

    /// <summary>The run is not started before this time.</summary>
    public DateTimeOffset? NotBefore { get; init; }

    public long? TriggerId { get; init; }

    /// <summary>The run whose end caused this one (completion chains).</summary>
    public long? ParentRunId { get; init; }

    /// <summary>The event and subscription that caused this run.</summary>
    public long? EventId { get; init; }
    public string? Subscription { get; init; }

    /// <summary>How many completion links lead to this run (0 for a run nothing chained).</summary>
    public int ChainDepth { get; init; }

    /// <summary>
    /// A hash of what this run is about (a file's path, size and mtime; a poll's context). When set,
    /// the request is dropped if a queued or running run of the same trigger has the same key.
    /// </summary>
    public string? DedupeKey { get; init; }
}

/// <summary>What <c>Enqueue</c> did: <see cref="Created"/> is false when an idempotency key matched an earlier run.</summary>
public sealed record EnqueueResult(long RunId, bool Created, RunState State);
