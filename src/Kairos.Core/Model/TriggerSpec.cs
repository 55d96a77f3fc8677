using System.Text.Json.Serialization;

namespace Kairos.Model;

/// <summary>
/// What fires a job: time triggers (cron, interval, once, now) have a next fire time the scheduler
/// keeps; event triggers (webhook, completion) fire when their event arrives and have none.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(CronTriggerSpec), "cron")]
[JsonDerivedType(typeof(IntervalTriggerSpec), "interval")]
[JsonDerivedType(typeof(OnceTriggerSpec), "once")]
[JsonDerivedType(typeof(NowTriggerSpec), "now")]
[JsonDerivedType(typeof(WebhookTriggerSpec), "webhook")]
[JsonDerivedType(typeof(CompletionTriggerSpec), "completion")]
[JsonDerivedType(typeof(FileTriggerSpec), "file")]
[JsonDerivedType(typeof(PollTriggerSpec), "poll")]
public abstract record TriggerSpec
{
    /// <summary>What to do with fire times missed while Kairos was down. Default fire-once.</summary>
    public MisfirePolicy Misfire { get; init; } = MisfirePolicy.FireOnce;

    /// <summary>JSON payload given to every run this trigger fires (merged under "data"). Null: none.</summary>
    public string? Payload { get; init; }

    /// <summary>
    /// Time triggers (cron, interval, once): each run is due up to this much after its scheduled
    /// time, by an offset fixed per trigger and fire time, so a fleet of identical schedules does
    /// not start all at once. Null: exactly on time.
    /// </summary>
    public TimeSpan? Jitter { get; init; }

    /// <summary>
    /// Time triggers (cron, interval): fire times missed by more than this are dropped whatever the
    /// misfire policy says, and counted in the journal; the policy applies to those within it. Null: none dropped.
    /// </summary>
    public TimeSpan? CatchUp { get; init; }

    /// <summary>
    /// Time triggers (cron, interval): what a fire does while the previous run of this trigger is
    /// still queued or running. Null: runs overlap freely (<see cref="TriggerOverlap.AllowAll"/>),
    /// except that the job's <c>concurrency.onOverlap: skip</c> still applies; set, it replaces the
    /// job's onOverlap for this trigger's runs (the job's <c>maxInstances</c> still limits them).
    /// </summary>
    public TriggerOverlap? Overlap { get; init; }

    /// <summary>
    /// File and poll triggers: an event type published with each fire (in the job's namespace, with the
    /// run's payload as data, in the transaction that enqueues the run), so subscriptions react to the
    /// source too. Null: none.
    /// </summary>
    public string? Publish { get; init; }

    /// <summary>The longest <see cref="Jitter"/>: a day.</summary>
    public static readonly TimeSpan MaxJitter = TimeSpan.FromDays(1);

    [JsonIgnore]
    public abstract string Source { get; }
}

public enum MisfirePolicy
{
    /// <summary>Fire one run for all the missed times together.</summary>
    FireOnce,

    /// <summary>Fire one run per missed time, at most <c>KairosOptions.MaxMisfireFires</c>.</summary>
    FireAll,

    /// <summary>Fire nothing for missed times; wait for the next one.</summary>
    Skip,
}

/// <summary>
/// What a time trigger's fire does while the previous run of that trigger is still queued or
/// running (Temporal's overlap policies). Journaled with the trigger id and the reason.
/// </summary>
public enum TriggerOverlap
{
    /// <summary>Runs overlap freely, within the job's other limits (the default).</summary>
    AllowAll,

    /// <summary>The fire is recorded as a skipped run that never runs.</summary>
    Skip,

    /// <summary>At most one fire waits and starts when the previous run ends; fires while one waits are skipped.</summary>
    BufferOne,

    /// <summary>Every fire waits; they start one after another, in order.</summary>
    BufferAll,

    /// <summary>The previous runs are cancelled (a running one through the normal cancel path, with its grace); the new one starts once they ended.</summary>
    CancelOther,

    /// <summary>As <see cref="CancelOther"/>: the cancel path has no grace-less variant yet, so this is an alias.</summary>
    TerminateOther,
}

/// <summary>A cron expression (5 or 6 fields) evaluated in an IANA time zone (default UTC).</summary>
public sealed record CronTriggerSpec(string Expression, string TimeZone = "UTC") : TriggerSpec
{
    [JsonIgnore]
    public override string Source => TriggerSources.Cron;
}

public enum IntervalMode
{
    /// <summary>Fires at anchor + k × every, whatever the runs do.</summary>
    FixedRate,

    /// <summary>Fires <c>every</c> after the previous run of this trigger ended.</summary>
    FixedDelay,
}

/// <summary>Every <paramref name="Every"/>; fixed-rate counts from <see cref="Anchor"/> (default: when the trigger was created).</summary>
public sealed record IntervalTriggerSpec(TimeSpan Every, IntervalMode Mode = IntervalMode.FixedRate) : TriggerSpec
{
    public DateTimeOffset? Anchor { get; init; }
    [JsonIgnore]
    public override string Source => TriggerSources.Interval;
}

/// <summary>Fires once, at <paramref name="At"/>.</summary>
public sealed record OnceTriggerSpec(DateTimeOffset At) : TriggerSpec
{
    [JsonIgnore]
    public override string Source => TriggerSources.Once;
}

/// <summary>Fires once as soon as the trigger is first stored (not again on restart with the same definition).</summary>
public sealed record NowTriggerSpec : TriggerSpec
{
    [JsonIgnore]
    public override string Source => TriggerSources.Now;
}

/// <summary>Fires the job for each accepted delivery to <c>POST /hooks/{Hook}</c>.</summary>
public sealed record WebhookTriggerSpec(string Hook) : TriggerSpec
{
    [JsonIgnore]
    public override string Source => TriggerSources.Webhook;
}

/// <summary>Which ends of the watched job's runs fire a completion trigger.</summary>
public enum CompletionOutcome
{
    Succeeded,
    Failed,
    Any,
}

/// <summary>
/// Runs this job after a run of <paramref name="Job"/> ends (succeeded; failed, meaning dead; or
/// any, which adds cancelled), with that run's output and id in the payload. A chain that loops back
/// must set <see cref="MaxDepth"/>: the number of chained runs after which it stops.
/// </summary>
public sealed record CompletionTriggerSpec(string Job, CompletionOutcome On = CompletionOutcome.Succeeded) : TriggerSpec
{
    public int? MaxDepth { get; init; }

    [JsonIgnore]
    public override string Source => TriggerSources.Completion;
}

/// <summary>The kinds of file change a file trigger can fire on.</summary>
public enum FileChangeKind
{
    Created,
    Changed,
    Deleted,
    Renamed,
}

/// <summary>
/// Watches a directory: OS notifications plus a periodic reconcile scan against the last seen state
/// (path, size, mtime), which is stored so changes made while Kairos was down are found too. A file
/// fires once its size and mtime have stopped changing for <see cref="Settle"/>; one run per change
/// with payload {path, change, size, mtime}. Changes made by a run of this same job do not fire it.
/// </summary>
public sealed record FileTriggerSpec(string Path) : TriggerSpec
{
    /// <summary>Globs relative to <see cref="Path"/> (e.g. "*.csv", "in/**/*.json"). Default: every file.</summary>
    public IReadOnlyList<string> Include { get; init; } = ["**/*"];
    public IReadOnlyList<string> Exclude { get; init; } = [];
    public bool Recursive { get; init; } = true;
    public IReadOnlyList<FileChangeKind> Events { get; init; } = [FileChangeKind.Created, FileChangeKind.Changed];
    public TimeSpan Settle { get; init; } = TimeSpan.FromSeconds(2);
    public TimeSpan Reconcile { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>False: a change whose (path, size, mtime) is already queued or running is dropped.</summary>
    public bool AllowConcurrent { get; init; } = true;

    /// <summary>
    /// True (default): a change made while a run of this same job runs is taken to be that run's
    /// own doing and does not fire (no loops). False: every change fires, also those the job makes.
    /// </summary>
    public bool IgnoreOwnChanges { get; init; } = true;

    [JsonIgnore]
    public override string Source => TriggerSources.File;
}

/// <summary>
/// Polls something every <see cref="Interval"/> and fires when it says so: a registered
/// <c>IPollTrigger</c> (<see cref="Poller"/>), or a built-in HTTP or SQL poll. Exactly one of the three is set.
/// </summary>
public sealed record PollTriggerSpec : TriggerSpec
{
    /// <summary>The name of an <c>IPollTrigger</c> registered in the host.</summary>
    public string? Poller { get; init; }
    public HttpPollSpec? Http { get; init; }
    public SqlPollSpec? Sql { get; init; }

    /// <summary>How often to poll; for a registered poller, overrides its own interval.</summary>
    public TimeSpan? Interval { get; init; }

    /// <summary>False: a fire whose context hash matches a queued or running run of this trigger is dropped.</summary>
    public bool? AllowConcurrent { get; init; }

    /// <summary>A poll running longer than this counts as failed. Default 30 s.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    [JsonIgnore]
    public override string Source => TriggerSources.Poll;
}

/// <summary>
/// Fire when a URL's response meets every condition given: <see cref="Status"/> equals a code, the
/// JSON value at <see cref="Field"/> equals <see cref="EqualsJson"/>, and (with <see cref="OnChange"/>)
/// the value (the field, else the status and body) differs from the previous poll's.
/// </summary>
public sealed record HttpPollSpec(string Url)
{
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
    public int? Status { get; init; }
    public string? Field { get; init; }
    public string? EqualsJson { get; init; }
    public bool OnChange { get; init; }
}

/// <summary>
/// Fire once per new row of <see cref="Query"/> whose <see cref="Watermark"/> column is above the
/// stored watermark (the database-change trigger). The query gets the watermark as parameter @watermark.
/// </summary>
public sealed record SqlPollSpec(string Provider, string Connection, string Query, string Watermark);

/// <summary>Names of what fired a run, as stored in <c>runs.source</c> and the journal.</summary>
public static class TriggerSources
{
    public const string Webhook = "webhook";
    public const string Completion = "completion";
    public const string Event = "event";
    public const string File = "file";
    public const string Poll = "poll";
    public const string Cron = "cron";
    public const string Interval = "interval";
    public const string Once = "once";
    public const string Now = "now";
    public const string Manual = "manual";
    public const string Retry = "retry";

    /// <summary>A run for a past scheduled time of a time trigger, asked for by a backfill.</summary>
    public const string Backfill = "backfill";

    /// <summary>A delivery of a job's HTTP notification (a run of the internal <c>kairos.notify</c> job).</summary>
    public const string Notification = "notification";

    /// <summary>A workflow's step or compensation (its parent run is the workflow's run).</summary>
    public const string Workflow = "workflow";

    /// <summary>Every source a run can have, in name order.</summary>
    public static IReadOnlyList<string> All { get; } =
        [Backfill, Completion, Cron, Event, File, Interval, Manual, Notification, Now, Once, Poll, Retry, Webhook, Workflow];
}
