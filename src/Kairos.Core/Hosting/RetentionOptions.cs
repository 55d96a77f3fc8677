namespace Kairos.Hosting;

/// <summary>
/// How long finished work is kept before the pruner (leader-only, see docs/architecture.md) deletes
/// it. An age of <see cref="Timeout.InfiniteTimeSpan"/> keeps that kind forever. Ages count from when
/// a run finished, an event was published, a journal entry was written. Queued and running runs are
/// never deleted, whatever their age.
/// </summary>
public sealed class RetentionOptions
{
    /// <summary>The longest <see cref="Interval"/>: a timer cannot wait beyond ~49 days, and a day between passes is already a large backlog.</summary>
    public static readonly TimeSpan MaxInterval = TimeSpan.FromDays(1);

    /// <summary>The shortest interval: a pass runs several deletes, and more often than this would keep the leader busy for nothing.</summary>
    public static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(1);

    /// <summary>The longest age: a cut-off further back than this is before any data Kairos can hold (use infinite to keep forever).</summary>
    public static readonly TimeSpan MaxAge = Configuration.Durations.Longest;

    /// <summary>The most rows one delete removes.</summary>
    public const int MaxBatchSize = 100_000;

    /// <summary>Succeeded runs and their logs. Default 7 days: long enough to look into last week, short enough that a busy queue stays small.</summary>
    public TimeSpan Succeeded { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Skipped runs (overlap policy skip). Default 7 days, like succeeded runs: nothing ran, there is little to look at.</summary>
    public TimeSpan Skipped { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Dead runs and their logs. Default 30 days: they wait for a person to read them and perhaps retry them.</summary>
    public TimeSpan Dead { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Cancelled runs and their logs. Default 30 days: a person cancelled them, and may ask why later.</summary>
    public TimeSpan Cancelled { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// Published events. Default 7 days. An event is deleted only once none of its runs is left (so
    /// never while one is queued or running, and a failed event stays as long as its dead runs):
    /// no run ever points at a deleted event, and an event's status never changes under its reader.
    /// </summary>
    public TimeSpan Events { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// Journal entries. Default 30 days: the audit trail outlives the runs it describes. Entries of
    /// runs still queued or running are kept whatever their age, and so is the newest entry.
    /// </summary>
    public TimeSpan Journal { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// Time between passes. Default 1 min: a pass with nothing to delete costs a few index probes, and
    /// a pass each minute keeps each one small (a minute of finished work) and forgets webhook delivery
    /// ids within a minute of their replay window.
    /// </summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Most rows one delete statement removes; a pass repeats the statement until one comes back short.
    /// Default 1000: a batch holds the SQLite writer for milliseconds, so enqueues and claims go on in between.
    /// </summary>
    public int BatchSize { get; set; } = 1000;

    /// <summary>One message per field out of range, naming it as the YAML file does (<c>retention.dead</c>).</summary>
    internal IEnumerable<string> Errors()
    {
        foreach (var (name, age) in Ages())
        {
            if (age != Timeout.InfiniteTimeSpan && (age <= TimeSpan.Zero || age > MaxAge))
            {
                yield return $"retention.{name} must be a positive age up to {MaxAge.TotalDays:0} days, or infinite (keep forever), not {age}";
            }
        }
        if (Interval < MinInterval || Interval > MaxInterval)
        {
            yield return $"retention.interval must be from {MinInterval} to {MaxInterval}, not {Interval}";
        }
        if (BatchSize is < 1 or > MaxBatchSize)
        {
            yield return $"retention.batchSize must be 1–{MaxBatchSize}, not {BatchSize}";
        }
    }

    private IEnumerable<(string Name, TimeSpan Age)> Ages() =>
    [
        ("succeeded", Succeeded), ("skipped", Skipped), ("dead", Dead),
        ("cancelled", Cancelled), ("events", Events), ("journal", Journal),
    ];
}
