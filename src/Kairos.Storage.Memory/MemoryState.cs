using System.Collections.Immutable;
using Kairos.Events;
using Kairos.Model;
using Kairos.Storage.Drivers;

namespace Kairos.Storage.Memory;

/// <summary>
/// Everything the in-memory store holds, as one immutable value: a write derives a new value from
/// the committed one and the store publishes it only when the write returns (see
/// <see cref="MemoryStore"/>). Sorted maps give the orders the SQL stores' ORDER BY clauses give:
/// names ordinally, ids ascending. Ids and journal sequence numbers come from counters kept here,
/// so a write that fails hands none out.
/// </summary>
internal sealed record MemoryState
{
    public static readonly MemoryState Empty = new();

    public ImmutableSortedDictionary<string, JobRow> Jobs { get; init; } = ImmutableSortedDictionary.Create<string, JobRow>(StringComparer.Ordinal);
    public ImmutableSortedDictionary<long, TriggerState> Triggers { get; init; } = ImmutableSortedDictionary<long, TriggerState>.Empty;
    public ImmutableSortedDictionary<long, RunRow> Runs { get; init; } = ImmutableSortedDictionary<long, RunRow>.Empty;
    public ImmutableDictionary<long, ImmutableList<RunLogLine>> RunLogs { get; init; } = ImmutableDictionary<long, ImmutableList<RunLogLine>>.Empty;
    public ImmutableSortedDictionary<long, JournalEntry> Journal { get; init; } = ImmutableSortedDictionary<long, JournalEntry>.Empty;
    public ImmutableSortedDictionary<long, EventRow> Events { get; init; } = ImmutableSortedDictionary<long, EventRow>.Empty;
    public ImmutableSortedDictionary<string, Subscription> Subscriptions { get; init; } = ImmutableSortedDictionary.Create<string, Subscription>(StringComparer.Ordinal);

    /// <summary>Webhook definitions as JSON text, as the SQL stores keep them: what is read back is a copy, and "changed" means the text changed.</summary>
    public ImmutableSortedDictionary<string, string> Webhooks { get; init; } = ImmutableSortedDictionary.Create<string, string>(StringComparer.Ordinal);

    /// <summary>API keys by name (unique, as the SQL stores' constraint).</summary>
    public ImmutableSortedDictionary<string, StoredApiKey> ApiKeys { get; init; } = ImmutableSortedDictionary.Create<string, StoredApiKey>(StringComparer.Ordinal);

    /// <summary>What the configuration declared at the last start.</summary>
    public ImmutableHashSet<DeclaredName> Declared { get; init; } = [];

    /// <summary>Secrets by name, as the engine encrypted them.</summary>
    public ImmutableSortedDictionary<string, StoredSecret> Secrets { get; init; } = ImmutableSortedDictionary.Create<string, StoredSecret>(StringComparer.Ordinal);

    /// <summary>Delivery ids seen per hook, with when each was received.</summary>
    public ImmutableDictionary<string, ImmutableDictionary<string, DateTimeOffset>> WebhookDeliveries { get; init; } =
        ImmutableDictionary.Create<string, ImmutableDictionary<string, DateTimeOffset>>(StringComparer.Ordinal);

    /// <summary>File-watch state per trigger, by path.</summary>
    public ImmutableDictionary<long, ImmutableSortedDictionary<string, FileSnapshot>> Files { get; init; } =
        ImmutableDictionary<long, ImmutableSortedDictionary<string, FileSnapshot>>.Empty;

    public ImmutableDictionary<long, PollState> Polls { get; init; } = ImmutableDictionary<long, PollState>.Empty;

    /// <summary>Known nodes (<see cref="NodeRecord.Leader"/> is decided when they are listed).</summary>
    public ImmutableSortedDictionary<string, NodeRecord> Nodes { get; init; } = ImmutableSortedDictionary.Create<string, NodeRecord>(StringComparer.Ordinal);

    /// <summary>The one leadership lease (<see cref="ClusterRules.Leadership"/>); null when nobody holds it.</summary>
    public LeaderRow? Leader { get; init; }

    /// <summary>Flow control state by key (the flow_state table).</summary>
    public ImmutableDictionary<string, FlowState> Flow { get; init; } = ImmutableDictionary.Create<string, FlowState>(StringComparer.Ordinal);

    /// <summary>Workflow runs' state with their steps, by the workflow run's id.</summary>
    public ImmutableSortedDictionary<long, StoredWorkflow> Workflows { get; init; } = ImmutableSortedDictionary<long, StoredWorkflow>.Empty;

    /// <summary>Each workflow job's definitions by version, oldest first.</summary>
    public ImmutableDictionary<string, ImmutableList<WorkflowVersionRow>> WorkflowVersions { get; init; } = ImmutableDictionary<string, ImmutableList<WorkflowVersionRow>>.Empty;

    /// <summary>The waits of waitForEvent steps, by the run the step waits in (the workflow_waits table).</summary>
    public ImmutableSortedDictionary<long, EventWaitRow> EventWaits { get; init; } = ImmutableSortedDictionary<long, EventWaitRow>.Empty;

    public long LastRunId { get; init; }
    public long LastTriggerId { get; init; }
    public long LastEventId { get; init; }
    public long LastSeq { get; init; }
}

/// <summary>A job: its definition as JSON text (as stored by the SQL stores), what its runs take from it, its version.</summary>
internal sealed record JobRow(string Definition, JobSettings Settings, long Version, DateTimeOffset UpdatedAt)
{
    /// <summary>The job's cancelOn rules as stored (<see cref="Engine.Flow.CancelOnEvents.Stored"/>); null: none.</summary>
    public string? CancelOn { get; init; }
}

/// <summary>A run, and the one column a <see cref="RunRecord"/> does not show.</summary>
internal sealed record RunRow(RunRecord Run, string? DedupeKey)
{
    /// <summary>The run's concurrency keys (<see cref="NewRun.FlowKeys"/>); null: none.</summary>
    public string? FlowKeys { get; init; }

    public bool Active => Run.State is RunState.Queued or RunState.Running;
}

internal sealed record EventRow(long Id, EventRequest Request, DateTimeOffset PublishedAt, bool Cancelled, bool RoutingFailed);

internal sealed record LeaderRow(string Node, DateTimeOffset ExpiresAt);
