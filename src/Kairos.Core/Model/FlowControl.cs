namespace Kairos.Model;

/// <summary>
/// Flow control of one job's runs, keyed by templates over the run's payload
/// (<c>{{payload.customer.id}}</c>): each rule applies per key value, or to the whole job when its key
/// is null. Semantics follow Inngest's. Null on <see cref="JobDefinition.Flow"/>: no rule, and the
/// job's runs take the plain enqueue and claim paths.
/// </summary>
public sealed record FlowControl
{
    /// <summary>At most <see cref="ConcurrencyKey.Limit"/> runs running per key value; the others wait queued. Several allowed.</summary>
    public IReadOnlyList<ConcurrencyKey> Concurrency { get; init; } = [];

    /// <summary>At most so many runs enqueued per key value and period; the excess is recorded as skipped.</summary>
    public RateLimitRule? RateLimit { get; init; }

    /// <summary>At most one queued or running run per key value.</summary>
    public SingletonRule? Singleton { get; init; }

    /// <summary>Runs start at most so many per key value and period (GCRA); the excess waits, in order.</summary>
    public ThrottleRule? Throttle { get; init; }

    /// <summary>Requests for a key within the quiet period make one run, with the last payload.</summary>
    public DebounceRule? Debounce { get; init; }

    /// <summary>Requests for a key are gathered into one run whose payload is the list of theirs.</summary>
    public BatchRule? Batch { get; init; }

    /// <summary>
    /// Each run's priority from its payload: a template (<c>{{payload.urgency}}</c>) that must give 1–10;
    /// anything else leaves the job's priority, with a journal note. A request's own priority wins.
    /// </summary>
    public string? Priority { get; init; }

    /// <summary>
    /// Published events that cancel the job's queued and running runs they match (<see cref="CancelOnRule"/>).
    /// Acted on when an event is published, not at enqueue or claim: stored apart from the other rules.
    /// </summary>
    public IReadOnlyList<CancelOnRule> CancelOn { get; init; } = [];

    /// <summary>Whether no rule is set (stored as no flow control at all).</summary>
    internal bool IsEmpty => !HasRunRules && CancelOn.Count == 0;

    /// <summary>Whether a rule acts when a run is enqueued or claimed (every rule but <see cref="CancelOn"/>).</summary>
    internal bool HasRunRules => Concurrency.Count > 0 || RateLimit is not null || Singleton is not null || Throttle is not null || Debounce is not null || Batch is not null || Priority is not null;

    public const int MaxBatchSize = 1000;

    public const int MaxLimit = 100_000;
    public const int MaxConcurrencyKeys = 4;
    public const int MaxCancelOn = 10;
}

/// <summary>At most <paramref name="Limit"/> runs of the job running at once per value of <paramref name="Key"/> (null: the whole job).</summary>
public sealed record ConcurrencyKey(int Limit, string? Key = null);

/// <summary>At most <paramref name="Limit"/> runs enqueued per <paramref name="Period"/> per value of <paramref name="Key"/>; excess runs are skipped.</summary>
public sealed record RateLimitRule(int Limit, TimeSpan Period, string? Key = null);

/// <summary>At most one queued or running run per value of <paramref name="Key"/>; a new one is skipped, or cancels the old one.</summary>
public sealed record SingletonRule(string? Key = null, SingletonMode Mode = SingletonMode.Skip);

public enum SingletonMode
{
    /// <summary>The new run is recorded as skipped.</summary>
    Skip,

    /// <summary>The old run is cancelled and the new one queued.</summary>
    Cancel,
}

/// <summary>
/// Runs start at most <paramref name="Limit"/> per <paramref name="Period"/> per value of
/// <paramref name="Key"/>, evenly spaced, with up to <paramref name="Burst"/> at once; the excess waits.
/// </summary>
public sealed record ThrottleRule(int Limit, TimeSpan Period, int Burst = 1, string? Key = null);

/// <summary>
/// One run per burst of requests for a value of <paramref name="Key"/>: each request moves the run
/// to <paramref name="Period"/> after it and gives it its payload; <paramref name="Timeout"/>, when
/// set, caps the wait counted from the burst's first request.
/// </summary>
public sealed record DebounceRule(TimeSpan Period, TimeSpan? Timeout = null, string? Key = null);

/// <summary>
/// Requests for a value of <paramref name="Key"/> gathered into one run, its payload the JSON list
/// of theirs: the run starts once it holds <paramref name="MaxSize"/> payloads, or
/// <paramref name="Timeout"/> after its first.
/// </summary>
public sealed record BatchRule(int MaxSize, TimeSpan Timeout, string? Key = null);

/// <summary>
/// A published event of type <paramref name="Event"/> (a pattern, as subscriptions take: <c>order.*</c>,
/// in the job's namespace) cancels the job's queued and running runs whose payload it matches: for each
/// entry of <paramref name="Match"/>, the event's value at the path (<c>data.orderId</c>) equals the
/// template rendered over the run's payload (<c>{{payload.orderId}}</c>), both compared as text; none:
/// every run. <paramref name="Timeout"/>, when set, limits the rule to runs created less than that long
/// before the event.
/// </summary>
public sealed record CancelOnRule(string Event, IReadOnlyDictionary<string, string>? Match = null, TimeSpan? Timeout = null)
{
    public const int MaxMatch = 10;
}
