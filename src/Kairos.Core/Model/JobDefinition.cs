namespace Kairos.Model;

/// <summary>
/// Everything Kairos needs to know to run a job: what executes it, where it queues, how it retries
/// and when it fires. Job names are unique; a job is stored as its definition (JSON) plus a version
/// that changes on every save, so every node can tell when its cached copy is stale.
/// </summary>
public sealed record JobDefinition
{
    public required string Name { get; init; }
    public required ExecutorSpec Executor { get; init; }

    /// <summary>Queue the job's runs wait in; queues can carry their own concurrency limit. Default "default".</summary>
    public string Queue { get; init; } = "default";

    /// <summary>1 (lowest) to 10 (highest); runs are claimed highest priority first. Default 5.</summary>
    public int Priority { get; init; } = 5;

    /// <summary>How long one attempt may run before it is cancelled and counted as failed. Null: no limit.</summary>
    public TimeSpan? Timeout { get; init; }

    public RetryPolicy Retry { get; init; } = RetryPolicy.Default;
    public ConcurrencyPolicy Concurrency { get; init; } = ConcurrencyPolicy.Unlimited;

    /// <summary>A paused job keeps its queued runs but none is started and its triggers do not enqueue.</summary>
    public bool Paused { get; init; }

    /// <summary>After this many dead runs in a row (succeeded ones reset the count) the job pauses itself; null: never.</summary>
    public int? PauseAfterFailures { get; init; }

    public const int MaxPauseAfterFailures = 1000;

    public IReadOnlyList<TriggerSpec> Triggers { get; init; } = [];

    /// <summary>Flow control by keys over the payload (concurrency keys, rate limit, singleton, throttle, debounce, batch, priority) and cancellation by events (cancelOn); null: none.</summary>
    public FlowControl? Flow { get; init; }

    /// <summary>Events published and HTTP requests sent when a run reaches an outcome; none by default.</summary>
    public IReadOnlyList<Notification> Notify { get; init; } = [];

    public const int MaxNotifications = 20;

    /// <summary>Limits on a run's queued wait and total time (<see cref="RunTimeouts"/>); null: none.</summary>
    public RunTimeouts? Timeouts { get; init; }

    public const int MinPriority = 1;
    public const int MaxPriority = 10;
}

/// <summary>How many runs of one job may run at once, and what a new run does when that many are active.</summary>
public sealed record ConcurrencyPolicy(int? MaxInstances, OverlapPolicy OnOverlap)
{
    public static readonly ConcurrencyPolicy Unlimited = new(null, OverlapPolicy.Queue);
}

public enum OverlapPolicy
{
    /// <summary>The new run waits in the queue until an instance finishes.</summary>
    Queue,

    /// <summary>The new run is recorded as skipped and never runs.</summary>
    Skip,
}
