namespace Kairos.Model;

/// <summary>
/// Runs for the scheduled times of a job's time triggers in [<see cref="From"/>, <see cref="To"/>):
/// one per trigger and time, as the scheduler would have fired them (the same payload, plus
/// <c>"backfill": true</c>, and the same idempotency key, so a time that already has a run, from the
/// scheduler or an earlier backfill, is not enqueued again).
/// </summary>
public sealed record BackfillRequest(string JobName, DateTimeOffset From, DateTimeOffset To)
{
    /// <summary>One trigger of the job, by id or key; null: every time trigger of the job.</summary>
    public string? Trigger { get; init; }

    public BackfillOverlap Overlap { get; init; } = BackfillOverlap.AllowAll;

    /// <summary>The most runs one backfill may enqueue.</summary>
    public const int MaxRuns = 10_000;
}

/// <summary>What a backfill does with runs that would overlap.</summary>
public enum BackfillOverlap
{
    /// <summary>
    /// Every scheduled time is queued at once; the dispatcher starts them as the job's limits allow
    /// (maxInstances, queue, executor kind), earliest scheduled first, so with maxInstances 1 they run
    /// one after another. A job that skips overlapping runs still applies its own rule.
    /// </summary>
    AllowAll,

    /// <summary>
    /// Only as many times are queued as the job has free instances when the backfill starts (its
    /// maxInstances, or 1 without a limit, less its queued and running runs), earliest first; the
    /// other times are skipped: not enqueued, counted in <see cref="BackfillResult.Skipped"/>.
    /// </summary>
    Skip,
}

/// <summary>How a backfill ended: runs created, times that already had a run, times skipped by <see cref="BackfillOverlap.Skip"/>.</summary>
public sealed record BackfillResult(int Scheduled, int Enqueued, int Existing, int Skipped);
