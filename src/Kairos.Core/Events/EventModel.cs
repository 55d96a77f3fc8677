using Kairos.Model;

namespace Kairos.Events;

/// <summary>An event to publish. <see cref="Data"/> is JSON text (null means none).</summary>
public sealed record EventRequest(string Type, string Source)
{
    public string? Data { get; init; }

    /// <summary>1 (lowest) to 10 (highest); the runs it causes get this priority. Default 5.</summary>
    public int Priority { get; init; } = 5;

    /// <summary>A second publish with the same key returns the first event instead of storing a new one.</summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>When the runs it causes are due; null: now. The event is stored and matched at once.</summary>
    public DateTimeOffset? NotBefore { get; init; }
}

/// <summary>Derived from an event's runs: pending until one starts, failed if any ended dead.</summary>
public enum EventStatus
{
    Pending,
    Processing,
    Completed,
    Failed,
    Cancelled,
}

/// <summary>A stored event and where its runs stand.</summary>
public sealed record StoredEvent(
    long Id,
    string Type,
    string Source,
    string? Data,
    int Priority,
    string? IdempotencyKey,
    DateTimeOffset PublishedAt,
    EventStatus Status,
    int Runs);

/// <summary>What publishing did: the event (new, or the earlier one with the same key) and the runs enqueued for it.</summary>
public sealed record PublishResult(long EventId, bool Created, IReadOnlyList<EnqueueResult> Runs)
{
    /// <summary>Runs the event cancelled or asked to stop through their job's <c>flow.cancelOn</c>.</summary>
    internal int CancelledRuns { get; init; }

    /// <summary>Workflow steps waiting for the event (<c>waitForEvent</c>) that it ended: their workflows moved on.</summary>
    internal int ReleasedWaits { get; init; }

    /// <summary>Whether the publish gave the dispatcher work: runs queued, cancelled, or queued by the workflows it moved on.</summary>
    internal bool GaveWork => Runs.Count > 0 || CancelledRuns > 0 || ReleasedWaits > 0;
}

/// <summary>
/// Routes events to a job: every published event whose type matches <see cref="Pattern"/> and whose
/// envelope passes <see cref="Filter"/> enqueues one run of <see cref="Job"/>, in the event's transaction.
/// </summary>
public sealed record Subscription(string Name, string Pattern, string Job)
{
    /// <summary>The JSON filter (see <see cref="EventFilter"/>); "{}" matches every event of the pattern.</summary>
    public string Filter { get; init; } = "{}";

    public bool Active { get; init; } = true;

    /// <summary>Set for subscriptions a completion trigger manages: a chained run stops at this depth.</summary>
    public int? MaxDepth { get; init; }

    /// <summary>The job whose completion trigger owns this subscription (null: created by a person).</summary>
    public string? OwnerJob { get; init; }
}

public sealed record EventQuery
{
    public string? TypePattern { get; init; }
    public EventStatus? Status { get; init; }
    public DateTimeOffset? From { get; init; }
    public DateTimeOffset? To { get; init; }
    public long? BeforeId { get; init; }
    public int Limit { get; init; } = 50;

    /// <summary>Only events published in this namespace (set by the client; null: every namespace).</summary>
    internal string? Namespace { get; init; }

    /// <summary>Whether a stored event passes the filters applied after reading (namespace, type pattern, status).</summary>
    internal bool Matches(StoredEvent stored, EventTypePattern? pattern) =>
        Access.Namespaces.Contains(Namespace, stored.Type)
        && (pattern is null || pattern.Matches(Access.Namespaces.Local(stored.Type)))
        && (Status is null || stored.Status == Status);
}

/// <summary>Send stored events of a time range (and type pattern) to one subscription again.</summary>
public sealed record ReplayRequest(string Subscription, DateTimeOffset From, DateTimeOffset To)
{
    public string? TypePattern { get; init; }

    /// <summary>Only the event with this id, of those in the range (set by the client's replay of one event; null: every one).</summary>
    internal long? EventId { get; init; }
}
