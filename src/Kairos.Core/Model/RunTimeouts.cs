namespace Kairos.Model;

/// <summary>
/// How long a run of a job may take as a whole, besides each attempt's <see cref="JobDefinition.Timeout"/>.
/// A run past either is cancelled through the usual cancel path (journaled with the reason, run.cancelled
/// published, the job's cancelled notifications sent).
/// </summary>
public sealed record RunTimeouts
{
    /// <summary>The longest a run may wait queued before its first attempt starts, counted from when it was due. Null: no limit.</summary>
    public TimeSpan? Start { get; init; }

    /// <summary>The longest from enqueue to the run's end, retries and waits included; a running run is stopped. Null: no limit.</summary>
    public TimeSpan? Finish { get; init; }
}
