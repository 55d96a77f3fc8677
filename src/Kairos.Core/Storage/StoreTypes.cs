using Kairos.Model;

namespace Kairos.Storage;

/// <summary>A job as stored: its definition plus the version bumped on every save or pause.</summary>
public sealed record StoredJob(JobDefinition Definition, long Version, DateTimeOffset UpdatedAt);

/// <summary>
/// A trigger to keep for a job when it is saved. <see cref="Key"/> identifies the trigger across
/// saves (derived from its spec); a trigger whose key is already stored keeps its fire state,
/// a new key starts at <see cref="InitialNextFireAt"/>, and stored keys not listed are deleted.
/// </summary>
internal sealed record TriggerRegistration(string Key, TriggerSpec Spec, DateTimeOffset? InitialNextFireAt);

/// <summary>A stored trigger and its fire state. <see cref="NextFireAt"/> null: nothing scheduled.</summary>
public sealed record TriggerState(
    long Id,
    string JobName,
    string Key,
    TriggerSpec Spec,
    DateTimeOffset? NextFireAt,
    DateTimeOffset? LastFireAt,
    DateTimeOffset CreatedAt);

/// <summary>
/// Fire a trigger: only if its next fire time is still <see cref="ExpectedNextFireAt"/>, move it to
/// <see cref="NewNextFireAt"/> and enqueue <see cref="Runs"/>, all in one transaction.
/// </summary>
internal sealed record TriggerFire(
    long TriggerId,
    DateTimeOffset ExpectedNextFireAt,
    DateTimeOffset? NewNextFireAt,
    IReadOnlyList<RunRequest> Runs,
    DateTimeOffset Now,
    string? JournalNote)
{
    /// <summary>The trigger's overlap policy (null: the job's own rule applies); see <see cref="Engine.Scheduling.TriggerOverlaps"/>.</summary>
    public TriggerOverlap? Overlap { get; init; }
}

/// <summary>
/// Claim up to <see cref="MaxRuns"/> due runs for <see cref="Owner"/>, highest priority first, then
/// earliest due, then oldest, respecting each job's max instances, the per-queue, per-executor-kind
/// and per-namespace limits (counted over all owners), and skipping paused jobs.
/// </summary>
internal sealed record ClaimRequest(
    string Owner,
    DateTimeOffset Now,
    DateTimeOffset LeaseExpiresAt,
    int MaxRuns,
    IReadOnlyDictionary<string, int> QueueLimits,
    IReadOnlyDictionary<string, int> ExecutorKindLimits)
{
    /// <summary>
    /// Claim runs due up to this instant (later than <see cref="Now"/> to claim ahead: such a run is
    /// marked started at its due time, and its node begins it then). Null: due by <see cref="Now"/>.
    /// </summary>
    public DateTimeOffset? DueBy { get; init; }

    /// <summary>
    /// Pass over runs due at or before this instant: a claim ahead takes only runs still that far
    /// off, and leaves runs due now (or about to be) to claims sized by the free workers.
    /// </summary>
    public DateTimeOffset? DueAfter { get; init; }

    /// <summary>Most runs at once of the jobs of a namespace (see <see cref="Access.Namespaces"/>); namespaces not listed: no limit.</summary>
    public IReadOnlyDictionary<string, int> NamespaceLimits { get; init; } = EmptyLimits;

    private static readonly IReadOnlyDictionary<string, int> EmptyLimits = new Dictionary<string, int>();
}

/// <summary>Of the runs whose leases were renewed: which must stop (cancel requested, or no longer ours).</summary>
internal sealed record LeaseRenewal(IReadOnlyList<long> CancelRequested, IReadOnlyList<long> Lost);

internal enum RunOutcome
{
    Succeeded,
    Failed,
    Cancelled,

    /// <summary>A workflow's run started its steps and waits for them (<see cref="Workflows.WorkflowRuns"/>).</summary>
    Waiting,
}

/// <summary>
/// The end of an attempt. A failure with <see cref="RetryAt"/> goes back to the queue due then; a
/// failure without it is dead.
/// </summary>
internal sealed record RunCompletion(
    long RunId,
    string Owner,
    RunOutcome Outcome,
    DateTimeOffset FinishedAt)
{
    public string? Output { get; init; }
    public string? Error { get; init; }
    public DateTimeOffset? RetryAt { get; init; }
    public IReadOnlyList<RunLogLine> Log { get; init; } = [];

    /// <summary>The run's job has a trigger whose runs may wait for the one before them to end (see <see cref="Engine.Scheduling.TriggerOverlaps"/>).</summary>
    public bool MayReleaseWaitingRun { get; init; }

    /// <summary>The job's notifications and the run they are about (<see cref="Engine.Lifecycle.RunNotifications"/>); empty for most jobs.</summary>
    public IReadOnlyList<Notification> Notify { get; init; } = [];

    public RunRecord? Run { get; init; }

    /// <summary>For a run that is a workflow's step or compensation: the workflow's run, which moves on when this one ends.</summary>
    public long? WorkflowRunId { get; init; }

    /// <summary>For <see cref="RunOutcome.Waiting"/>: the workflow whose steps start now (<see cref="Run"/> is its run).</summary>
    public WorkflowExecutorSpec? Workflow { get; init; }
}

public enum CancelResult
{
    NotFound,
    AlreadyFinished,

    /// <summary>It was queued and is now cancelled.</summary>
    Cancelled,

    /// <summary>It is running; its owner stops it at the next heartbeat.</summary>
    CancelRequested,
}

public sealed record RunQuery
{
    public string? JobName { get; init; }
    public long? EventId { get; init; }
    public long? ParentRunId { get; init; }
    public RunState? State { get; init; }

    /// <summary>Only runs fired by this source (one of <see cref="TriggerSources.All"/>: <c>webhook</c>, <c>cron</c>…); null: every source.</summary>
    public string? Source { get; init; }

    /// <summary>Only runs created (enqueued) at or after this instant; null: no lower bound.</summary>
    /// <remarks>
    /// A run's creation time, not its due time: it says when the trigger fired, which is what a person looking for
    /// "yesterday's webhook runs" means, and it grows with the run id, so the newest-first page stays in time order.
    /// </remarks>
    public DateTimeOffset? From { get; init; }

    /// <summary>Only runs created before this instant (the range is [<see cref="From"/>, <see cref="To"/>)); null: no upper bound.</summary>
    public DateTimeOffset? To { get; init; }

    public long? BeforeId { get; init; }
    public int Limit { get; init; } = 50;

    /// <summary>Only runs of this namespace's jobs (set by the client; null: every namespace).</summary>
    internal string? Namespace { get; init; }
}

/// <summary>
/// A window of a run's log: at most <see cref="Limit"/> lines from line <see cref="Skip"/> (0: the first), each
/// cut to <see cref="MaxLineChars"/> characters with a note saying so, so a page never holds more than their product
/// however large the log (a handler may log any amount).
/// </summary>
public sealed record RunLogQuery
{
    public int Skip { get; init; }
    public int Limit { get; init; } = 1000;
    public int MaxLineChars { get; init; } = 10_000;

    /// <summary>Every line, whole.</summary>
    public static RunLogQuery All { get; } = new() { Limit = int.MaxValue, MaxLineChars = int.MaxValue };
}

/// <summary>A page of jobs in name order (ordinal): at most <see cref="Limit"/> whose names come after <see cref="After"/>.</summary>
public sealed record JobQuery
{
    /// <summary>The last name of the previous page; null: from the first job.</summary>
    public string? After { get; init; }

    public int Limit { get; init; } = 100;

    /// <summary>Only jobs whose name contains this text, ignoring ASCII case; null: every name.</summary>
    public string? NameContains { get; init; }

    /// <summary>Only paused jobs (true) or only active ones (false); null: both.</summary>
    public bool? Paused { get; init; }

    /// <summary>Only jobs whose executor is of this kind (<c>handler</c>, <c>command</c>, <c>http</c>, <c>workflow</c>); null: every kind.</summary>
    public string? ExecutorKind { get; init; }

    /// <summary>Only jobs whose newest run is in this state (a job that never ran has none); null: every job.</summary>
    public RunState? LastRunState { get; init; }

    /// <summary>Only jobs of this namespace (set by the client; null: every namespace).</summary>
    internal string? Namespace { get; init; }
}

public sealed record JournalQuery
{
    public long? RunId { get; init; }
    public string? JobName { get; init; }
    public long? AfterSeq { get; init; }
    public int Limit { get; init; } = 1000;

    /// <summary>Only entries of these kinds (<c>webhook.accepted</c>…); null: every kind.</summary>
    public IReadOnlyList<string>? Kinds { get; init; }

    /// <summary>The newest entries first (the last <see cref="Limit"/> written), instead of the oldest.</summary>
    public bool NewestFirst { get; init; }

    /// <summary>
    /// The kinds as drivers write them into their SQL, as literals (<c>kind IN ('a', 'b')</c>) rather than parameters: a
    /// partial index (the webhook deliveries') serves only a query whose text names its kinds. So each is checked
    /// to be a kind's word (letters, digits, <c>.</c>, <c>-</c>, <c>_</c>); null: every kind.
    /// </summary>
    internal IReadOnlyList<string>? LiteralKinds => Kinds?.Select(kind =>
        kind.Length is > 0 and <= 100 && kind.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_')
            ? kind
            : throw new ArgumentException($"'{kind}' is not a journal kind: letters, digits, '.', '-' and '_' only", nameof(Kinds))).ToList();

    /// <summary>Only entries about jobs of this namespace (set by the client; null: every entry).</summary>
    internal string? Namespace { get; init; }
}

public sealed record StoreStats(IReadOnlyDictionary<string, long> RunsByState, long Jobs, long Triggers, long JournalEntries);

/// <summary>A storage failure a person can act on (newer schema, unreadable file, …).</summary>
public sealed class KairosStoreException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A verified webhook delivery to turn into runs.</summary>
public sealed record WebhookDelivery(string Hook, string? DeliveryId, string Payload, DateTimeOffset ReceivedAt)
{
    /// <summary>Refuse a delivery whose id was seen within <see cref="ReplayWindow"/> (Standard Webhooks replay protection).</summary>
    public bool RejectRepeatedId { get; init; }

    /// <summary>
    /// For schemes without a delivery id (Stripe, HMAC with a timestamp header): a key of what the
    /// signature covers, remembered like a delivery id; a delivery with the same key within
    /// <see cref="ReplayWindow"/> is refused as <see cref="WebhookDeliveryOutcome.Replayed"/>.
    /// </summary>
    public string? ReplayKey { get; init; }

    public TimeSpan ReplayWindow { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// When the sender signed the delivery (Standard Webhooks' <c>webhook-timestamp</c>). A timestamp
    /// is accepted up to <see cref="ReplayWindow"/> ahead of now, so the id is remembered until the
    /// window after the later of this time and <see cref="ReceivedAt"/> has passed.
    /// </summary>
    public DateTimeOffset? SentAt { get; init; }

    /// <summary>The hook's <see cref="Webhooks.WebhookDefinition.Publish"/>: an event type to publish with the delivery.</summary>
    public string? Publish { get; init; }
}

public enum WebhookDeliveryOutcome
{
    /// <summary>Runs were enqueued (or found, for a delivery id seen before without replay rejection).</summary>
    Accepted,

    /// <summary>No job is bound to the hook.</summary>
    NoJobs,

    /// <summary>Every bound job is paused.</summary>
    AllPaused,

    /// <summary>The delivery id (or the replay key of a delivery without one) was already received within the replay window.</summary>
    Replayed,
}

public sealed record WebhookDeliveryResult(WebhookDeliveryOutcome Outcome, IReadOnlyList<EnqueueResult> Runs, IReadOnlyList<string> PausedJobs)
{
    /// <summary>What publishing the hook's event did (its subscriptions' runs, the workflow waits it released); null when the hook publishes none.</summary>
    internal Events.PublishResult? Published { get; init; }
}

/// <summary>The last seen state of a watched file. <see cref="ModifiedAt"/> is the file's mtime (UTC).</summary>
internal sealed record FileSnapshot(string Path, long Size, DateTimeOffset ModifiedAt);

/// <summary>A poll trigger's persisted state: when it last polled, consecutive failures, and its own data (watermark, last value) as text.</summary>
internal sealed record PollState(DateTimeOffset? LastPollAt, int Failures, string? Data);

/// <summary>An API key's row: the key as listed, and the hash of its secret.</summary>
internal sealed record StoredApiKey(Access.ApiKey Key, string Hash);

/// <summary>A secret's row: its value encrypted (see <see cref="Secrets.SecretCipher"/>) and the id of the key that did it.</summary>
internal sealed record StoredSecret(string Name, string KeyId, string Ciphertext, DateTimeOffset UpdatedAt);
